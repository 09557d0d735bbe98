'use strict';
// A fake of an ECR registry's /v2/ API on 127.0.0.1, with a second server standing for the blob host (S3)
// that the registry redirects layer downloads to.
const http = require('node:http');
const crypto = require('node:crypto');
const zlib = require('node:zlib');

const sha256 = (buffer) => `sha256:${crypto.createHash('sha256').update(buffer).digest('hex')}`;

function blob(text) {
  const content = Buffer.from(text);
  return { content, digest: sha256(content), size: content.length };
}

// the media types of an OCI image, and of a Docker one (a manifest list of Docker Image Manifest V2 Schema 2)
const TYPES = {
  oci: { index: 'application/vnd.oci.image.index.v1+json', manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json', layer: 'application/vnd.oci.image.layer.v1.tar+gzip' },
  docker: { index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json', layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
};

/**
 * A manifest's bytes as registries serve them: as pushed, which is indented, with a trailing newline (docker and
 * skopeo push them so, and CNCF distribution serves the pushed bytes unchanged). A copier that parses and
 * re-serializes a manifest changes its digest, and the tests that compare digests see it.
 */
const manifestBytes = (document) => Buffer.from(`${JSON.stringify(document, null, 3)}\n`);

/** An error body of the OCI distribution spec, as CNCF distribution writes it: with a trailing newline. */
const errorBody = (code, message) => `${JSON.stringify({ errors: [{ code, message, detail: null }] })}\n`;

function imageManifest(config, layers, types = TYPES.oci) {
  return manifestBytes({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: types.layer, digest: layer.digest, size: layer.size })),
  });
}

const GENERATED_CHUNK = 1024 * 1024;

/** A blob that chunks() makes again at each call: its digest and size, computed once by making it. */
function madeOnTheFly(chunks) {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for (const chunk of chunks()) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size, chunks };
}

/**
 * A blob of `size` bytes made on the fly, chunk by chunk, never held whole: its digest is computed once by making it.
 * @returns { digest, size, chunks() } where chunks() yields its bytes again
 */
function generatedBlob(size, seed = 1) {
  const base = crypto.createHash('sha512').update(String(seed)).digest();
  const pattern = Buffer.alloc(GENERATED_CHUNK);
  for (let offset = 0; offset < GENERATED_CHUNK; offset += base.length) base.copy(pattern, offset);
  function* chunks() {
    for (let offset = 0, index = 0; offset < size; offset += GENERATED_CHUNK, index++) {
      // a chunk of its own: a write may still hold the one before
      const chunk = Buffer.from(pattern);
      chunk.writeUInt32BE(index, 0);
      yield chunk.subarray(0, Math.min(GENERATED_CHUNK, size - offset));
    }
  }
  return madeOnTheFly(chunks);
}

/**
 * A layer as registries hold them, a gzip stream, made on the fly as generatedBlob is: pseudo-random bytes (AES-CTR
 * of the seed) in deflate's stored blocks, so `size` bytes of content that no compressor shrinks. A tool that reads
 * the compression of a layer from its first bytes (skopeo, containerd) then copies it as it is, where a blob that is
 * not gzip would be compressed on the way and uploaded a fraction of its size. `size` is the content's; the blob is a
 * few bytes larger (a 5-byte header per 65,535 bytes, 18 bytes of gzip header and trailer).
 * @returns { digest, size, chunks() } as generatedBlob
 */
function generatedLayer(size, seed = 1) {
  const key = crypto.createHash('sha256').update(`layer ${seed}`).digest();
  const BLOCK = 65535;
  const BLOCKS_A_CHUNK = 16;
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  function* chunks() {
    const cipher = crypto.createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16));
    const zeros = Buffer.alloc(BLOCK * BLOCKS_A_CHUNK);
    let crc = 0;
    yield Buffer.from(header);
    for (let offset = 0; offset < size || offset === 0;) {
      const content = cipher.update(zeros.subarray(0, Math.min(zeros.length, size - offset)));
      crc = zlib.crc32(content, crc);
      const blocks = Math.max(Math.ceil(content.length / BLOCK), 1);
      const chunk = Buffer.alloc(content.length + 5 * blocks);
      for (let b = 0, at = 0; b < blocks; b++) {
        const piece = content.subarray(b * BLOCK, (b + 1) * BLOCK);
        const final = offset + (b + 1) * BLOCK >= size ? 1 : 0;
        chunk.writeUInt8(final, at);
        chunk.writeUInt16LE(piece.length, at + 1);
        chunk.writeUInt16LE(~piece.length & 0xffff, at + 3);
        piece.copy(chunk, at + 5);
        at += 5 + piece.length;
      }
      yield chunk;
      offset += content.length;
      if (content.length === 0) break;
    }
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    yield trailer;
  }
  return madeOnTheFly(chunks);
}

/** The chunks of a generated blob from a byte on. */
function* skipBytes(chunks, from) {
  let offset = 0;
  for (const chunk of chunks) {
    if (offset + chunk.length > from) yield offset >= from ? chunk : chunk.subarray(from - offset);
    offset += chunk.length;
  }
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
  const chunksOf = function* chunksOf(content) {
    for (let offset = 0; offset < content.length; offset += CHUNK) yield content.subarray(offset, offset + CHUNK);
  };
  /** content: a Buffer, or an iterable of chunks (a generated blob) */
  return async (response, content) => {
    const unlimited = !rates || !rates.perConnection;
    if (unlimited && Buffer.isBuffer(content)) return response.end(content);
    let connectionFreeAt = Date.now();
    for (const chunk of Buffer.isBuffer(content) ? chunksOf(content) : content) {
      if (unlimited) {
        if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
        continue;
      }
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
 * How the registry authenticates, as upstream registries do:
 * - { type: 'basic', username, password }: a 401 with a Basic challenge until the request carries that credential;
 * - { type: 'bearer', username, password, anonymous, tokenTtlMs }: Docker Hub's token exchange. A 401 names the realm
 *   (on another host, as auth.docker.io is), service and scope; the realm answers a GET with { token, access_token,
 *   expires_in } for that scope, to the credential (Basic) or, when anonymous, to anyone; the registry takes the token
 *   for that repository until it expires (tokenTtlMs; Docker Hub's last five minutes).
 *   https://distribution.github.io/distribution/spec/auth/token/
 * Without it, the registry takes exactly `expectedAuthorization` (the ECR registry of the cache warmer).
 */
function authenticator(expectedAuthorization, auth, state, realm) {
  const basic = auth && `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const tokens = new Map(); // token -> { scope, expires }
  const challenge = (repository) => (auth.type === 'basic' ? 'Basic realm="fake upstream"'
    : `Bearer realm="${realm()}/token",service="registry.fake",scope="repository:${repository}:pull"`);
  return {
    /** the challenge to answer the request with, or null when it may go on */
    check(request, repository) {
      const given = request.headers.authorization;
      if (!auth) return given === expectedAuthorization ? null : 'Basic realm="fake"';
      if (auth.type === 'basic') return given === basic ? null : challenge(repository);
      const token = given && given.startsWith('Bearer ') && tokens.get(given.slice(7));
      if (token && token.expires > Date.now() && token.scope === `repository:${repository}:pull`) return null;
      return challenge(repository);
    },
    /** the realm's answer to a token request */
    issue(request, response, url) {
      state.tokenRequests.push({ scope: url.searchParams.get('scope'), service: url.searchParams.get('service'),
        authenticated: Boolean(request.headers.authorization) });
      const given = request.headers.authorization;
      if (given ? given !== basic : !auth.anonymous) {
        return response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      }
      const token = crypto.randomBytes(16).toString('hex');
      const ttl = auth.tokenTtlMs || 300000;
      tokens.set(token, { scope: url.searchParams.get('scope'), expires: Date.now() + ttl });
      state.tokensIssued.push(token);
      return response.writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token, access_token: token, expires_in: Math.ceil(ttl / 1000), issued_at: new Date().toISOString() }));
    },
  };
}

/**
 * @param expectedAuthorization the Authorization header the registry requires, unless options.auth says otherwise
 * @param options { rates: { perConnection, total } in bytes a second, for the blob host's link; auth (see
 *   authenticator) }
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
    tokenRequests: [], // what the token realm was asked
    tokensIssued: [], // every token it gave, never to be logged
    referrersApi: false, // whether it serves the OCI 1.1 referrers API
  };
  let blobHostUrl;
  const auth = authenticator(expectedAuthorization, options.auth, state, () => blobHostUrl);
  const blobHost = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://blob.host');
    if (url.pathname === '/token' && options.auth) return auth.issue(request, response, url);
    const digest = decodeURIComponent(request.url.split('/').pop().split('?')[0]);
    state.blobHostRequests.push({ digest, authorization: request.headers.authorization, range: request.headers.range });
    const entry = state.blobs.get(digest);
    if (!entry) return response.writeHead(404).end();
    if (request.headers.authorization) return response.writeHead(400).end('pre-signed URLs take no Authorization header');
    let content = entry.corrupt ? Buffer.from('not the bytes you asked for')
      : entry.generated ? entry.generated.chunks() : entry.content;
    const size = entry.generated && !entry.corrupt ? entry.generated.size : content.length;
    // a range from a byte to the end, as S3 serves it (206 with Content-Range); other ranges are not asked for
    const from = Number((/^bytes=(\d+)-$/.exec(request.headers.range || '') || [])[1] || 0);
    if (from > 0) content = Buffer.isBuffer(content) ? content.subarray(from) : skipBytes(content, from);
    state.downloading++;
    state.mostDownloading = Math.max(state.mostDownloading, state.downloading);
    setTimeout(async () => {
      response.writeHead(from > 0 ? 206 : 200, { 'content-length': size - from,
        ...(from > 0 ? { 'content-range': `bytes ${from}-${size - 1}/${size}` } : {}) });
      await send(response, content);
      state.downloading--;
    }, state.downloadMs);
  });
  blobHostUrl = await listen(blobHost);

  const registry = http.createServer((request, response) => {
    state.requests.push({ method: request.method, url: request.url, accept: request.headers.accept,
      authorization: request.headers.authorization });
    const repository = (request.url.match(/^\/v2\/(.+)\/(?:manifests|blobs|referrers)\//) || [])[1];
    const challenge = auth.check(request, repository);
    if (challenge) {
      return response.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' })
        .end(errorBody('UNAUTHORIZED', 'authentication required'));
    }
    // the OCI 1.1 referrers API, when state.referrersApi: an index of the manifests whose subject is the digest;
    // a registry without it answers 404 (CNCF distribution 2.8)
    const referrersPath = request.url.match(/^\/v2\/(.+)\/referrers\/([^/?]+)$/);
    if (referrersPath) {
      if (!state.referrersApi) return response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      const manifests = [...state.manifests.entries()]
        .filter(([key]) => key.startsWith(`${referrersPath[1]}@sha256:`))
        .map(([, entry]) => ({ entry, document: JSON.parse(entry.body) }))
        .filter(({ document }) => document.subject && document.subject.digest === decodeURIComponent(referrersPath[2]))
        .map(({ entry, document }) => ({ mediaType: entry.type, digest: sha256(entry.body), size: entry.body.length,
          artifactType: document.artifactType }));
      return response.writeHead(200, { 'content-type': TYPES.oci.index })
        .end(manifestBytes({ schemaVersion: 2, mediaType: TYPES.oci.index, manifests }));
    }
    const manifestPath = request.url.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    if (manifestPath) {
      const entry = state.manifests.get(`${manifestPath[1]}@${decodeURIComponent(manifestPath[2])}`);
      if (!entry) return response.writeHead(404, { 'content-type': 'application/json' })
        .end(errorBody('MANIFEST_UNKNOWN', 'manifest unknown'));
      return response.writeHead(200, { 'content-type': entry.type, 'docker-content-digest': sha256(entry.body) }).end(entry.body);
    }
    const blobPath = request.url.match(/^\/v2\/(.+)\/blobs\/([^/]+)$/);
    if (blobPath) {
      const digest = decodeURIComponent(blobPath[2]);
      if (!state.blobs.has(digest)) return response.writeHead(404, { 'content-type': 'application/json' })
        .end(errorBody('BLOB_UNKNOWN', 'blob unknown to registry'));
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

  /**
   * An image: one manifest per platform under an index, or one manifest alone when platforms is null.
   * @param options { corrupt: the second layer's bytes are not its digest's; docker: Docker media types (a manifest
   *   list) instead of OCI; version: another build of the image, with other layers (a tag moved upstream) }
   */
  function addImage(repository, tag, platforms, options = {}) {
    const types = options.docker ? TYPES.docker : TYPES.oci;
    const build = options.version ? ` v${options.version}` : '';
    const layersOf = (name) => [blob(`layer of ${repository}${build} ${name} 1`), blob(`layer of ${repository}${build} ${name} 2`)];
    const config = blob(`config of ${repository}${build}`);
    state.blobs.set(config.digest, { content: config.content });
    if (!platforms) {
      const layers = layersOf('single');
      layers.forEach((layer, index) => state.blobs.set(layer.digest, { content: layer.content, corrupt: options.corrupt && index === 1 }));
      const body = imageManifest(config, layers, types);
      return addManifest(repository, [tag, sha256(body)], body, types.manifest);
    }
    const entries = platforms.map((platform) => {
      const layers = layersOf(platform);
      layers.forEach((layer) => state.blobs.set(layer.digest, { content: layer.content }));
      const body = imageManifest(config, layers, types);
      const digest = addManifest(repository, [sha256(body)], body, types.manifest);
      const [os, architecture, variant] = platform.split('/');
      return { mediaType: types.manifest, digest, size: body.length,
        platform: { os, architecture, ...(variant ? { variant } : {}) }, layers, config };
    });
    const index = manifestBytes({ schemaVersion: 2, mediaType: types.index,
      manifests: entries.map(({ layers, config: ignored, ...entry }) => entry) });
    addManifest(repository, [tag, sha256(index)], index, types.index);
    return { index: sha256(index), entries };
  }

  /**
   * A single-platform image of the given layers (blobs, which images may share, or generated ones: generatedBlob)
   * and a config of its own.
   */
  function addImageOfLayers(repository, tag, layers) {
    const config = blob(`config of ${repository}`);
    state.blobs.set(config.digest, { content: config.content });
    layers.forEach((layer) => state.blobs.set(layer.digest, layer.chunks ? { generated: layer } : { content: layer.content }));
    const body = imageManifest(config, layers);
    return addManifest(repository, [tag, sha256(body)], body, 'application/vnd.oci.image.manifest.v1+json');
  }

  /**
   * A signature of an image's digest: an OCI 1.1 artifact whose subject is that digest (found by the referrers API),
   * or, with tagScheme ('sig', 'att', 'sbom'), a manifest under cosign's tag sha256-<hex>.<tagScheme>, without subject.
   * @returns the referrer manifest's digest
   */
  function addReferrer(repository, subject, tagScheme) {
    const payload = blob(`signature of ${subject} ${tagScheme || 'oci'}`);
    const config = tagScheme ? blob(`cosign config of ${subject} ${tagScheme}`) : blob('{}');
    for (const each of [payload, config]) state.blobs.set(each.digest, { content: each.content });
    const artifactType = tagScheme ? undefined : 'application/vnd.dev.cosign.artifact.sig.v1+json';
    const body = manifestBytes({ schemaVersion: 2, mediaType: TYPES.oci.manifest, ...(artifactType ? { artifactType } : {}),
      config: { mediaType: tagScheme ? TYPES.oci.config : 'application/vnd.oci.empty.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: payload.digest, size: payload.size }],
      ...(tagScheme ? {} : { subject: { mediaType: TYPES.oci.manifest, digest: subject, size: 1 } }) });
    const tags = tagScheme ? [`sha256-${subject.slice('sha256:'.length)}.${tagScheme}`] : [];
    return addManifest(repository, [...tags, sha256(body)], body, TYPES.oci.manifest);
  }

  return {
    state,
    registryUrl,
    blobHostUrl,
    addImage,
    addImageOfLayers,
    addReferrer,
    close: () => Promise.all([registry, blobHost].map((server) => new Promise((done) => server.close(done)))),
  };
}

module.exports = { startFakeRegistry, blob, generatedBlob, generatedLayer, sha256, manifestBytes };
