'use strict';
// ECR's registry API for pushes (the OCI distribution API, as docker and skopeo push to ECR) on 127.0.0.1, strict
// where the spec and ECR are, its unkind parts included
// (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push):
// - every request carries the Basic credential the fake ECR's GetAuthorizationToken gives (401 otherwise), whose
//   proxyEndpoint names this registry;
// - HEAD of a blob: 200 with its size when the repository has it, else 404;
// - POST /blobs/uploads/ opens an upload (202, Location); the Location carries a state (_state, as CNCF distribution
//   writes it) that changes with each chunk, and a request with an old one is refused (BLOB_UPLOAD_INVALID);
// - PATCH takes a chunk with Content-Range and Content-Length, whose first byte follows the last one received (416
//   otherwise); a chunk after one smaller than 5 MiB is refused, as ECR refuses layer parts under 5 MiB but the last
//   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html); an unknown upload is
//   BLOB_UPLOAD_UNKNOWN (404);
// - PUT ?digest= checks the digest of what was received (DIGEST_INVALID); a blob the repository has already (another
//   copy completed it first) is success, as ECR answers a push of a layer it has;
// - PUT of a manifest takes its bytes as sent: the digest it is put under must be theirs (DIGEST_INVALID), its blobs
//   (or an index's manifests) must be in the repository (MANIFEST_BLOB_UNKNOWN), a moved tag in a repository of
//   immutable tags is refused with ECR's message (TAG_INVALID), a PUT that changes nothing is answered 201 and changes
//   nothing;
// - a push to a repository that does not exist creates it when a creation template applied for CREATE_ON_PUSH covers
//   its name (createOnPush prefixes), else NAME_UNKNOWN.
// Blobs are hashed as they arrive and never kept: a multi-GB layer costs the fake nothing.
const http = require('node:http');
const crypto = require('node:crypto');

const MiB = 1024 * 1024;
const MIN_PART = 5 * MiB;
const sha256 = (buffer) => `sha256:${crypto.createHash('sha256').update(buffer).digest('hex')}`;
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json']);

const errorBody = (code, message) => `${JSON.stringify({ errors: [{ code, message, detail: null }] })}\n`;

/**
 * @param fakeEcr the fake ECR (startFakeEcr), whose GetAuthorizationToken then names this registry
 * @returns { url, reset(options) -> the push state of a test, close }; options { createOnPush: prefixes whose
 *   templates apply for CREATE_ON_PUSH; immutable: prefixes whose repositories have immutable tags }
 */
async function startPushRegistry(fakeEcr) {
  let push = null;
  const under = (name, prefixes) => prefixes.some((prefix) => name.startsWith(`${prefix}/`));
  const repositoryOf = (name, create) => {
    if (!push.repositories.has(name) && create && under(name, push.createOnPush)) {
      push.repositories.set(name, { layers: new Map(), manifests: new Map(), tags: new Map(),
        immutable: under(name, push.immutable), createdOnPush: true });
    }
    return push.repositories.get(name);
  };
  const stateOf = (upload) => crypto.createHash('sha256').update(`${upload.id} ${upload.next}`).digest('hex').slice(0, 16);
  const locationOf = (name, upload) => `/v2/${name}/blobs/uploads/${upload.id}?_state=${stateOf(upload)}`;

  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://registry.fake');
    const fail = (status, code, message) => {
      request.resume();
      response.writeHead(status, { 'content-type': 'application/json' }).end(request.method === 'HEAD' ? undefined : errorBody(code, message));
    };
    push.requests.push({ method: request.method, path: url.pathname });
    if (request.headers.authorization !== `Basic ${fakeEcr.state.authorizationToken}`) {
      response.setHeader('www-authenticate', `Basic realm="${fakeEcr.state.proxyEndpoint}/",service="ecr.amazonaws.com"`);
      return fail(401, 'DENIED', 'Not Authorized');
    }
    if (push.throttle > 0 && request.method !== 'PATCH') {
      push.throttle--;
      push.throttled++;
      return fail(429, 'TOOMANYREQUESTS', 'Rate exceeded');
    }
    const blob = url.pathname.match(/^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/);
    if (blob && request.method === 'HEAD') {
      const size = repositoryOf(blob[1], false)?.layers.get(blob[2]);
      if (size === undefined) return fail(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
      return response.writeHead(200, { 'content-length': size, 'docker-content-digest': blob[2] }).end();
    }
    const start = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/$/);
    if (start && request.method === 'POST') {
      request.resume();
      if (!repositoryOf(start[1], true)) {
        return fail(404, 'NAME_UNKNOWN', `The repository with name '${start[1]}' does not exist in the registry with id '111111111111'`);
      }
      const upload = { id: crypto.randomUUID(), repository: start[1], hash: crypto.createHash('sha256'), next: 0, lastPart: null };
      push.uploads.set(upload.id, upload);
      push.counts.initiated++;
      return response.writeHead(202, { location: locationOf(start[1], upload), 'docker-upload-uuid': upload.id,
        range: '0-0', 'content-length': 0 }).end();
    }
    const uploadPath = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/);
    if (uploadPath && ['PATCH', 'PUT'].includes(request.method)) {
      const upload = push.uploads.get(uploadPath[2]);
      if (!upload || upload.repository !== uploadPath[1]) return fail(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
      if (url.searchParams.get('_state') !== stateOf(upload)) return fail(400, 'BLOB_UPLOAD_INVALID', 'blob upload invalid: stale state');
      if (request.method === 'PATCH') return receiveChunk(request, response, upload, uploadPath[1], fail);
      return complete(request, response, upload, uploadPath[1], url.searchParams.get('digest'), fail);
    }
    const manifestPath = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    if (manifestPath && request.method === 'PUT') {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      return request.on('end', () => putManifest(response, manifestPath[1], manifestPath[2], request.headers['content-type'],
        Buffer.concat(chunks), fail));
    }
    return fail(405, 'UNSUPPORTED', `${request.method} ${url.pathname} is not what a push sends`);
  });

  function receiveChunk(request, response, upload, name, fail) {
    const range = /^(\d+)-(\d+)$/.exec(request.headers['content-range'] || '');
    const length = Number(request.headers['content-length']);
    if (!range || !Number.isSafeInteger(length)) return fail(400, 'BLOB_UPLOAD_INVALID', 'a chunk needs Content-Range and Content-Length');
    if (Number(range[1]) !== upload.next) {
      response.setHeader('range', `0-${upload.next - 1}`);
      return fail(416, 'BLOB_UPLOAD_INVALID', 'the chunk does not begin where the upload is');
    }
    if (Number(range[2]) - Number(range[1]) + 1 !== length) return fail(400, 'BLOB_UPLOAD_INVALID', 'Content-Range and Content-Length differ');
    if (upload.lastPart !== null && upload.lastPart < MIN_PART) {
      return fail(400, 'BLOB_UPLOAD_INVALID', 'Layer parts must be at least 5 MiB in size.');
    }
    const hash = upload.hash.copy();
    let received = 0;
    request.on('data', (chunk) => {
      hash.update(chunk);
      received += chunk.length;
    });
    request.on('end', () => {
      if (received !== length) return fail(400, 'BLOB_UPLOAD_INVALID', 'the chunk is not as long as it said');
      upload.hash = hash;
      upload.next += received;
      upload.lastPart = received;
      push.counts.parts++;
      push.counts.bytes += received;
      push.mostPartBytes = Math.max(push.mostPartBytes, received);
      return response.writeHead(202, { location: locationOf(name, upload), range: `0-${upload.next - 1}`,
        'docker-upload-uuid': upload.id, 'content-length': 0 }).end();
    });
    return undefined;
  }

  function complete(request, response, upload, name, digest, fail) {
    request.resume();
    request.on('end', () => {
      if (push.beforeComplete) push.beforeComplete({ repositoryName: name, layerDigests: [digest] });
      const repository = repositoryOf(name, false);
      push.uploads.delete(upload.id);
      const created = () => response.writeHead(201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest,
        'content-length': 0 }).end();
      // ECR answers the push of a layer it has as a success (CompleteLayerUpload's LayerAlreadyExistsException)
      if (repository.layers.has(digest)) return created();
      const received = `sha256:${upload.hash.digest('hex')}`;
      if (received !== digest) return fail(400, 'DIGEST_INVALID', `provided digest did not match uploaded content (${received})`);
      repository.layers.set(digest, upload.next);
      push.counts.completed++;
      return created();
    });
  }

  function putManifest(response, name, reference, type, body, fail) {
    push.counts.putImage++;
    if (!MANIFEST_TYPES.has(type)) return fail(400, 'MANIFEST_INVALID', `manifest invalid: media type ${type}`);
    const repository = repositoryOf(name, true);
    if (!repository) return fail(404, 'NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '111111111111'`);
    const digest = sha256(body);
    if (reference.startsWith('sha256:') && reference !== digest) return fail(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    const document = JSON.parse(body.toString('utf8'));
    const missing = Array.isArray(document.manifests)
      ? document.manifests.some((entry) => !repository.manifests.has(entry.digest))
      : [document.config, ...(document.layers || [])].some((each) => !repository.layers.has(each.digest));
    if (missing) return fail(400, 'MANIFEST_BLOB_UNKNOWN', 'manifest blob unknown: blob unknown to registry');
    const tag = reference.startsWith('sha256:') ? null : reference;
    const unchanged = repository.manifests.has(digest) && (!tag || repository.tags.get(tag) === digest);
    if (!unchanged && tag && repository.tags.has(tag) && repository.immutable) {
      return fail(400, 'TAG_INVALID', `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`);
    }
    if (!unchanged) {
      repository.manifests.set(digest, { body, type });
      if (tag) repository.tags.set(tag, digest);
      push.counts.imagesPushed++;
    }
    return response.writeHead(201, { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest,
      'content-length': 0 }).end();
  }

  const url = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
  fakeEcr.state.proxyEndpoint = url;
  return {
    url,
    reset(options = {}) {
      push = {
        repositories: new Map(), // name -> { layers: Map digest -> size, manifests: Map digest -> { body, type }, tags: Map }
        uploads: new Map(),
        createOnPush: options.createOnPush || [],
        immutable: options.immutable || [],
        counts: { initiated: 0, parts: 0, bytes: 0, completed: 0, putImage: 0, imagesPushed: 0 },
        requests: [],
        throttle: 0, // requests (but chunks) answered 429 TOOMANYREQUESTS before the next is served
        throttled: 0,
        // a hook a test sets: called before an upload is completed, with { repositoryName, layerDigests }
        beforeComplete: null,
        mostPartBytes: 0,
      };
      return push;
    },
    close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
  };
}

module.exports = { startPushRegistry, MIN_PART };
