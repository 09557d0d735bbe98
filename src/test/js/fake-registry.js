'use strict';
// A fake of an ECR registry's /v2/ API on 127.0.0.1, with a second server standing for the blob host (S3)
// that the registry redirects layer downloads to.
const http = require('node:http');
const crypto = require('node:crypto');

const sha256 = (buffer) => `sha256:${crypto.createHash('sha256').update(buffer).digest('hex')}`;

function blob(text) {
  const content = Buffer.from(text);
  return { content, digest: sha256(content), size: content.length };
}

function imageManifest(config, layers) {
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size })),
  }));
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

/**
 * Sends a body through a link of fixed bandwidth: each connection at most `perConnection` bytes a second, all of
 * them together at most `total`, as a CDN or S3 serves one client. Without rates, at once.
 */
function throttledSender(rates) {
  const CHUNK = 256 * 1024;
  let linkFreeAt = 0;
  return async (response, content) => {
    if (!rates || !rates.perConnection) return response.end(content);
    let connectionFreeAt = Date.now();
    for (let offset = 0; offset < content.length; offset += CHUNK) {
      const chunk = content.subarray(offset, offset + CHUNK);
      connectionFreeAt += (chunk.length / rates.perConnection) * 1000;
      linkFreeAt = Math.max(linkFreeAt, Date.now()) + (chunk.length / rates.total) * 1000;
      const wait = Math.max(connectionFreeAt, linkFreeAt) - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end();
  };
}

/**
 * @param expectedAuthorization the Authorization header the registry requires
 * @param options { rates: { perConnection, total } in bytes a second, for the blob host's link }
 * @returns the registry's URL, the blob host's URL, what each was asked, and helpers to add images
 */
async function startFakeRegistry(expectedAuthorization, options = {}) {
  const send = throttledSender(options.rates);
  const state = {
    manifests: new Map(), // "<repository>@<reference>" -> { body, type }
    blobs: new Map(), // digest -> { content, corrupt }
    requests: [],
    blobHostRequests: [],
    throttleOnce: new Set(), // digests answered 429 on their first request
    downloadMs: 0, // how long the blob host takes to send a blob, as a slow link would
    downloading: 0, // blobs being sent now
    mostDownloading: 0, // the most blobs sent at once
  };
  const blobHost = http.createServer((request, response) => {
    const digest = decodeURIComponent(request.url.split('/').pop().split('?')[0]);
    state.blobHostRequests.push({ digest, authorization: request.headers.authorization });
    const entry = state.blobs.get(digest);
    if (!entry) return response.writeHead(404).end();
    if (request.headers.authorization) return response.writeHead(400).end('pre-signed URLs take no Authorization header');
    const content = entry.corrupt ? Buffer.from('not the bytes you asked for') : entry.content;
    state.downloading++;
    state.mostDownloading = Math.max(state.mostDownloading, state.downloading);
    setTimeout(async () => {
      response.writeHead(200, { 'content-length': content.length });
      await send(response, content);
      state.downloading--;
    }, state.downloadMs);
  });
  const blobHostUrl = await listen(blobHost);

  const registry = http.createServer((request, response) => {
    state.requests.push({ method: request.method, url: request.url, accept: request.headers.accept });
    if (request.headers.authorization !== expectedAuthorization) {
      return response.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end('not authorized');
    }
    const manifestPath = request.url.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    if (manifestPath) {
      const entry = state.manifests.get(`${manifestPath[1]}@${decodeURIComponent(manifestPath[2])}`);
      if (!entry) return response.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return response.writeHead(200, { 'content-type': entry.type, 'docker-content-digest': sha256(entry.body) }).end(entry.body);
    }
    const blobPath = request.url.match(/^\/v2\/(.+)\/blobs\/([^/]+)$/);
    if (blobPath) {
      const digest = decodeURIComponent(blobPath[2]);
      if (!state.blobs.has(digest)) return response.writeHead(404).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
      if (state.throttleOnce.delete(digest)) return response.writeHead(429, { 'retry-after': '0' }).end('slow down');
      return response.writeHead(307, { location: `${blobHostUrl}/bucket/${encodeURIComponent(digest)}?X-Amz-Signature=fake` }).end();
    }
    return response.writeHead(404).end();
  });
  const registryUrl = await listen(registry);

  const addManifest = (repository, references, body, type) => {
    for (const reference of references) state.manifests.set(`${repository}@${reference}`, { body, type });
    return sha256(body);
  };

  /** An image: one manifest per platform under an OCI index, or one manifest alone when platforms is null. */
  function addImage(repository, tag, platforms, options = {}) {
    const layersOf = (name) => [blob(`layer of ${repository} ${name} 1`), blob(`layer of ${repository} ${name} 2`)];
    const config = blob(`config of ${repository}`);
    state.blobs.set(config.digest, { content: config.content });
    if (!platforms) {
      const layers = layersOf('single');
      layers.forEach((layer, index) => state.blobs.set(layer.digest, { content: layer.content, corrupt: options.corrupt && index === 1 }));
      const body = imageManifest(config, layers);
      return addManifest(repository, [tag, sha256(body)], body, 'application/vnd.oci.image.manifest.v1+json');
    }
    const entries = platforms.map((platform) => {
      const layers = layersOf(platform);
      layers.forEach((layer) => state.blobs.set(layer.digest, { content: layer.content }));
      const body = imageManifest(config, layers);
      const digest = addManifest(repository, [sha256(body)], body, 'application/vnd.oci.image.manifest.v1+json');
      const [os, architecture, variant] = platform.split('/');
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: body.length,
        platform: { os, architecture, ...(variant ? { variant } : {}) }, layers };
    });
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: entries.map(({ layers, ...entry }) => entry) }));
    addManifest(repository, [tag], index, 'application/vnd.oci.image.index.v1+json');
    return { index: sha256(index), entries };
  }

  /** A single-platform image of the given layers (blobs, which images may share) and a config of its own. */
  function addImageOfLayers(repository, tag, layers) {
    const config = blob(`config of ${repository}`);
    state.blobs.set(config.digest, { content: config.content });
    layers.forEach((layer) => state.blobs.set(layer.digest, { content: layer.content }));
    return addManifest(repository, [tag], imageManifest(config, layers), 'application/vnd.oci.image.manifest.v1+json');
  }

  return {
    state,
    registryUrl,
    blobHostUrl,
    addImage,
    addImageOfLayers,
    close: () => Promise.all([registry, blobHost].map((server) => new Promise((done) => server.close(done)))),
  };
}

module.exports = { startFakeRegistry, blob };
