'use strict';
// The image copier between two real registries (ImageCopierRegistryTest, in a network namespace of its own, started
// by copy-between-registries.sh): it pushes images and a cosign signature to the source registry (TLS, htpasswd),
// copies them with the handler at ImageConcurrency 4, one invocation per image driven by the Copied example's state
// machine (image-run-harness.js), the credential read from a fake Secrets Manager, into the target registry, which ECR's GetAuthorizationToken (the fake ECR) names with its Basic credential, as ECR names
// itself; then reads both registries and prints one line per thing compared:
//   REPORT <json of the handler's report>
//   MANIFEST <repository> <reference> <source digest> <target digest> <bytes equal: true|false>
//   REFERRERS_API <present|absent>
// usage: node copy-between-registries.js <source URL> <source user> <source password> <target URL> <target password>
const crypto = require('node:crypto');
const { startFakeEcr, useFake } = require('./fake-ecr');
const { startFakeSecretsManager } = require('./fake-secrets-manager');
const { generatedBlob, blob, manifestBytes } = require('./fake-registry');
const { startImageRun } = require('./image-run-harness');

const [sourceUrl, user, password, targetUrl, targetPassword] = process.argv.slice(2);
const MiB = 1024 * 1024;
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/upstream-AbCdEf';
const OCI = { index: 'application/vnd.oci.image.index.v1+json', manifest: 'application/vnd.oci.image.manifest.v1+json' };
const basic = (name, secret) => `Basic ${Buffer.from(`${name}:${secret}`).toString('base64')}`;
const sha256 = (bytes) => `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

/** A request to a registry with its credential; fails on an unexpected status. */
async function call(base, authorization, method, path, options = {}, expected = [200, 201, 202]) {
  const response = await fetch(new URL(path, base), { method, ...options, headers: { authorization, ...options.headers } });
  if (!expected.includes(response.status)) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** Pushes a blob with the monolithic upload (POST, PUT ?digest=). */
async function pushBlob(repository, content) {
  const auth = basic(user, password);
  const started = await call(sourceUrl, auth, 'POST', `/v2/${repository}/blobs/uploads/`);
  const location = new URL(started.headers.get('location'), sourceUrl);
  location.searchParams.set('digest', content.digest);
  const body = content.chunks ? Buffer.concat([...content.chunks()]) : content.content;
  await call(sourceUrl, auth, 'PUT', location.toString(), { body, headers: { 'content-type': 'application/octet-stream' } });
}

async function pushManifest(repository, reference, document) {
  const body = manifestBytes(document);
  await call(sourceUrl, basic(user, password), 'PUT', `/v2/${repository}/manifests/${reference}`,
    { body, headers: { 'content-type': document.mediaType } });
  return { digest: sha256(body), size: body.length, body };
}

/** An image manifest of a config and layers (sizes in bytes), pushed by digest (and tag, when given). */
async function pushImage(repository, tag, layerSizes, seed) {
  const config = blob(`{"config of":"${repository} ${seed}"}`);
  const layers = layerSizes.map((size, i) => generatedBlob(size, seed * 10 + i));
  for (const each of [config, ...layers]) await pushBlob(repository, each);
  const document = { schemaVersion: 2, mediaType: OCI.manifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest, size: layer.size })) };
  const pushed = await pushManifest(repository, tag || 'untagged', document);
  return pushed;
}

async function main() {
  // the source: four repositories; the first an index of two platforms, signed with cosign's tag scheme; one layer
  // of 12 MiB, which goes up in two chunks: 5 MiB, then the rest
  const images = [];
  const amd64 = await pushImage('team/multi', null, [12 * MiB + 5, 3000], 1);
  const arm64 = await pushImage('team/multi', null, [2 * MiB, 4000], 2);
  const index = await pushManifest('team/multi', 'v1', { schemaVersion: 2, mediaType: OCI.index, manifests: [
    { mediaType: OCI.manifest, digest: amd64.digest, size: amd64.size, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: OCI.manifest, digest: arm64.digest, size: arm64.size, platform: { os: 'linux', architecture: 'arm64' } }] });
  const payload = blob(`{"critical":{"image":{"docker-manifest-digest":"${index.digest}"}}}`);
  const sigConfig = blob('{"architecture":"","os":""}');
  for (const each of [payload, sigConfig]) await pushBlob('team/multi', each);
  const sigTag = `sha256-${index.digest.slice('sha256:'.length)}.sig`;
  await pushManifest('team/multi', sigTag, { schemaVersion: 2, mediaType: OCI.manifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sigConfig.digest, size: sigConfig.size },
    layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: payload.digest, size: payload.size,
      annotations: { 'dev.cosignproject.cosign/signature': 'MEUCIQ-fake' } }] });
  images.push(['team/multi', 'v1', [amd64.digest, arm64.digest, sigTag]]);
  for (const [i, name] of ['team/two', 'team/three', 'team/four'].entries()) {
    await pushImage(name, 'v1', [MiB + i, 5000 + i], 10 + i);
    images.push([name, 'v1', []]);
  }
  const referrers = await fetch(new URL(`/v2/team/multi/referrers/${index.digest}`, sourceUrl),
    { headers: { authorization: basic(user, password) } });
  console.log(`REFERRERS_API ${referrers.status === 200 ? 'present' : 'absent'}`);

  // ECR: its token names the target registry; the credential of the source in Secrets Manager
  const ecr = await startFakeEcr();
  ecr.state.proxyEndpoint = targetUrl;
  ecr.state.authorizationToken = Buffer.from(`AWS:${targetPassword}`).toString('base64');
  useFake(ecr.url);
  const secrets = await startFakeSecretsManager();
  secrets.state.secrets.set(SECRET, JSON.stringify({ username: user, accessToken: password }));
  const { createHandler } = require('../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js');
  // one part first (no floor rate), so that the 12 MiB layer goes up in two chunks: a PATCH that goes on an upload
  const handler = createHandler({ retryDelayMs: 10, partSize: 5 * MiB, floorRate: 0 });
  const context = () => ({ getRemainingTimeInMillis: () => 900000 });
  const run = await startImageRun({ handler, template: 'PullThroughCacheCopied.template.json', prefix: 'CacheCopierRun',
    context, secondMs: 10 });
  // ImageConcurrency is the Map's MaxConcurrency, set at synthesis
  run.definition.States.Images.MaxConcurrency = 4;
  const host = new URL(sourceUrl).host;
  const result = await run.run({ Images: images.map(([name, tag]) => ({ image: `${host}/${name}:${tag}`,
    upstream: sourceUrl, sourceRepository: name, reference: tag, repository: `copied/${name}`, credential: SECRET })) },
  context());
  console.log(`REPORT ${JSON.stringify(result.report)}`);

  const accept = [OCI.index, OCI.manifest, 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
  for (const [name, tag, more] of images) {
    for (const reference of [tag, ...more]) {
      const read = async (base, repository, authorization) => Buffer.from(await (await call(base, authorization, 'GET',
        `/v2/${repository}/manifests/${reference}`, { headers: { accept } }, [200, 404])).arrayBuffer());
      const source = await read(sourceUrl, name, basic(user, password));
      const target = await read(targetUrl, `copied/${name}`, basic('AWS', targetPassword));
      console.log(`MANIFEST ${name} ${reference} ${sha256(source)} ${sha256(target)} ${source.equals(target)}`);
    }
  }
  await Promise.all([ecr.close(), secrets.close(), run.close()]);
}

main().catch((error) => {
  console.error(`FAILED ${error.stack}`);
  process.exit(1);
});
