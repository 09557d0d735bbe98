'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ECRClient } = require('@aws-sdk/client-ecr');
const { ConfiguredRetryStrategy } = require('@smithy/core/retry');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');
const { startPushRegistry } = require('./fake-ecr-push');
const { startFakeRegistry, generatedBlob, sha256 } = require('./fake-registry');
const { startImageRun } = require('./image-run-harness');
const { startFakeSecretsManager } = require('./fake-secrets-manager');
const { captureLog, captureStdout } = require('./handler-log');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js';
const { nextChunk } = require(HANDLER);
const { copyInChild } = require('./copy-in-child');
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/nvcr-AbCdEf';
const USER = 'copier';
const PASSWORD = 'upstream-access-token-never-logged';
const MiB = 1024 * 1024;

let ecr;
let registry; // ECR's registry API, where the copier pushes
let push;
let run;
let secrets;
let bearer; // Docker Hub's way: a token exchange at a realm on another host, with the credential
let anonymous; // a token exchange without a credential, as mcr.microsoft.com or Docker Hub's anonymous pulls
let basic; // Basic authentication, as many self-hosted registries
let handler;
const log = captureLog();
const context = (remainingMs = 900000) => ({ getRemainingTimeInMillis: () => remainingMs });
const handlerSettings = (settings = {}) => ({ retryDelayMs: 1, reserveMs: 60000, responseRetryDelayMs: 1,
  ecr: new ECRClient({ maxAttempts: 8, retryStrategy: new ConfiguredRetryStrategy(8, (attempt) => attempt) }), ...settings });

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  registry = await startPushRegistry(ecr);
  secrets = await startFakeSecretsManager();
  bearer = await startFakeRegistry(null, { auth: { type: 'bearer', username: USER, password: PASSWORD } });
  anonymous = await startFakeRegistry(null, { auth: { type: 'bearer', anonymous: true } });
  basic = await startFakeRegistry(null, { auth: { type: 'basic', username: USER, password: PASSWORD } });
  // the SDK's waits between attempts of ECR's calls (for throttling: 1 s doubling, up to 20 s) are the test's: 1 ms,
  // 2 ms, ...
  handler = require(HANDLER).createHandler(handlerSettings());
  // 10 ms a second: the state machine's waits between attempts
  run = await startImageRun({ handler, template: 'PullThroughCacheCopied.template.json', prefix: 'CacheCopierRun',
    context, secondMs: 10 });
});
after(() => Promise.all([ecr, registry, run, secrets, bearer, anonymous, basic].map((each) => each.close())));
// a scheduled run; a deployment (each request named anew) to its answer
const copy = (input, invocationContext) => run.run(input, invocationContext);
// a failed image's result: the function's error message is in the cause the state machine caught
const messageOf = (entry) => JSON.parse(entry.cause).errorMessage;
let requests = 0;
const deploy = (event, invocationContext) => run.deploy({ ...event, RequestId: `${event.RequestId}-${++requests}`,
  ResourceProperties: { StateMachine: run.stateMachineArn, ...event.ResourceProperties } }, invocationContext);
/** The run of a copier made with other settings (see the handler's DEFAULTS), to close when done. */
const runOf = (settings, wrap = (each) => each) => startImageRun({ context, secondMs: 10,
  handler: wrap(require(HANDLER).createHandler(handlerSettings(settings))),
  template: 'PullThroughCacheCopied.template.json', prefix: 'CacheCopierRun' });
beforeEach(() => {
  push = registry.reset({ createOnPush: ['nvcr', 'mcr', 'registry'], immutable: ['registry/immutable'] });
  for (const registry of [bearer, anonymous, basic]) {
    registry.state.requests = [];
    registry.state.blobHostRequests = [];
    registry.state.tokenRequests = [];
  }
  secrets.state.secrets.set(SECRET, JSON.stringify({ username: USER, accessToken: PASSWORD }));
  secrets.state.calls = [];
  ecr.state.responses = [];
  ecr.state.throttle = 0;
  ecr.state.throttled = 0;
});

/** An image of the copier's list: where it comes from and the repository it goes to in ECR. */
const image = (registry, sourceRepository, reference, prefix, credential) => ({
  image: `${new URL(registry.registryUrl).host}/${sourceRepository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`,
  upstream: registry.registryUrl,
  sourceRepository,
  reference,
  repository: `${prefix}/${sourceRepository}`,
  ...(credential ? { credential } : {}),
});
const repository = (name) => push.repositories.get(name);
const lastResponse = () => ecr.state.responses[ecr.state.responses.length - 1];

/** Asserts that ECR holds exactly the upstream's manifest bytes under each digest, and every blob they name. */
function assertSameDigests(registry, sourceRepository, target, digests) {
  for (const digest of digests) {
    const upstream = registry.state.manifests.get(`${sourceRepository}@${digest}`);
    const copied = repository(target).manifests.get(digest);
    assert.ok(copied, `ECR has ${digest}`);
    assert.equal(sha256(copied.body), digest, 'the bytes in ECR hash to the upstream digest');
    assert.ok(copied.body.equals(upstream.body), 'the manifest is pushed unchanged');
    assert.equal(copied.type, upstream.type, 'with its media type');
    const document = JSON.parse(copied.body);
    for (const blob of [document.config, ...(document.layers || [])].filter(Boolean)) {
      assert.equal(repository(target).layers.get(blob.digest), blob.size, `blob ${blob.digest}`);
    }
  }
}

test('an OCI index behind Docker Hub\'s token exchange is copied whole: the same digests in ECR as upstream', async () => {
  const { index, entries } = bearer.addImage('nvidia/cuda', '12.6', ['linux/amd64', 'linux/arm64/v8', 'unknown/unknown']);
  const result = await copy({ Images: [image(bearer, 'nvidia/cuda', '12.6', 'nvcr', SECRET)] }, context());

  const entry = result.report[0];
  assert.equal(entry.status, 'copied', JSON.stringify(entry));
  assert.equal(entry.digest, index);
  assert.equal(entry.manifests, 4);
  assert.match(bearer.state.manifests.get(`nvidia/cuda@${index}`).body.toString(), /^\{\n {3}"schemaVersion": 2,[^]*\n\}\n$/,
    'the upstream serves its manifests as registries do: indented, with a trailing newline');
  assert.equal(repository('nvcr/nvidia/cuda').tags.get('12.6'), index, 'the tag names the upstream index');
  assert.ok(repository('nvcr/nvidia/cuda').createdOnPush, 'the repository was created by the push');
  assertSameDigests(bearer, 'nvidia/cuda', 'nvcr/nvidia/cuda', [index, ...entries.map((e) => e.digest)]);
  // the token exchange: at the realm, for the repository's pull scope, with the secret's credential
  assert.deepEqual(bearer.state.tokenRequests[0], { scope: 'repository:nvidia/cuda:pull', service: 'registry.fake', authenticated: true });
  assert.ok(bearer.state.requests.filter((r) => r.authorization).every((r) => r.authorization.startsWith('Bearer ')));
  assert.ok(bearer.state.blobHostRequests.length > 0 && bearer.state.blobHostRequests.every((r) => !r.authorization),
    'the redirected blob host never gets the token');
});

test('a Docker manifest list from an anonymous registry keeps its Docker media types and digests', async () => {
  const { index, entries } = anonymous.addImage('dotnet/runtime', '8.0', ['linux/amd64', 'linux/arm/v7'], { docker: true });
  const result = await copy({ Images: [image(anonymous, 'dotnet/runtime', '8.0', 'mcr')] }, context());

  assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
  assertSameDigests(anonymous, 'dotnet/runtime', 'mcr/dotnet/runtime', [index, ...entries.map((e) => e.digest)]);
  assert.equal(repository('mcr/dotnet/runtime').manifests.get(index).type, 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.equal(anonymous.state.tokenRequests[0].authenticated, false, 'no credential: an anonymous token');
  assert.equal(secrets.state.calls.length, 0, 'no secret read');
});

test('several images of one password-protected registry at once are all copied (Basic)', async () => {
  const names = ['team/one', 'team/two', 'team/three', 'team/four'];
  const digests = names.map((name) => basic.addImage(name, 'v1', null));
  const result = await copy({ Images: names.map((name) => image(basic, name, 'v1', 'registry', SECRET)),
    ImageConcurrency: '4' }, context());

  assert.deepEqual(result.report.map((entry) => entry.status), ['copied', 'copied', 'copied', 'copied'],
    JSON.stringify(result.report.map((entry) => entry.error)));
  names.forEach((name, i) => assertSameDigests(basic, name, `registry/${name}`, [digests[i]]));
  // the four were asked at once, before the registry's first challenge came back
  assert.equal(basic.state.requests.filter((r) => !r.authorization).length, 4);
});

test('several images of one registry with a token exchange at once are all copied (Bearer)', async () => {
  const names = ['nvidia/one', 'nvidia/two', 'nvidia/three', 'nvidia/four'];
  const digests = names.map((name) => bearer.addImage(name, 'v1', null));
  const result = await copy({ Images: names.map((name) => image(bearer, name, 'v1', 'nvcr', SECRET)),
    ImageConcurrency: '4' }, context());

  assert.deepEqual(result.report.map((entry) => entry.status), ['copied', 'copied', 'copied', 'copied'],
    JSON.stringify(result.report.map((entry) => entry.error)));
  names.forEach((name, i) => assertSameDigests(bearer, name, `nvcr/${name}`, [digests[i]]));
});

test('a registry that asks for Basic gets the secret\'s username and access token', async () => {
  const digest = basic.addImage('team/app', 'v1', null);
  const result = await copy({ Images: [image(basic, 'team/app', 'v1', 'registry', SECRET)] }, context());

  assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
  assertSameDigests(basic, 'team/app', 'registry/team/app', [digest]);
  const sent = basic.state.requests.map((r) => r.authorization).filter(Boolean);
  assert.ok(sent.length > 0 && sent.every((a) => a === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`));
  assert.equal(basic.state.requests[0].authorization, undefined, 'nothing is sent before the registry asks');
  assert.deepEqual(secrets.state.calls.map((c) => c.input.SecretId), [SECRET], 'the secret is read once a run');
});

test('each image\'s invocation publishes it as copied or failed and the bytes uploaded, in embedded metric format', async () => {
  anonymous.addImage('metrics/one', '1.0', null);
  process.env.METRICS_CACHE = 'Stack/Cache';
  const lines = [];
  const restore = captureStdout(lines);
  let result;
  try {
    result = await copy({ Images: [image(anonymous, 'metrics/one', '1.0', 'mcr'),
      image(anonymous, 'metrics/nothing', '1.0', 'mcr')] }, context());
  } finally {
    restore();
    delete process.env.METRICS_CACHE;
  }

  const emf = lines.map((line) => { try { return JSON.parse(line); } catch (e) { return null; } }).filter((d) => d && d._aws);
  assert.equal(emf.length, 2, 'one per image');
  const sum = (name) => emf.reduce((total, each) => total + each[name], 0);
  assert.ok(emf.every((each) => each.Cache === 'Stack/Cache'));
  assert.equal(sum('ImagesCopied'), 1);
  assert.equal(sum('CopiesFailed'), 1);
  assert.equal(sum('BytesCopied'), result.report[0].bytesUploaded);
  assert.ok(sum('BytesCopied') > 0);
  assert.deepEqual(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => `${m.Name}:${m.Unit}`),
    ['ImagesCopied:Count', 'CopiesFailed:Count', 'BytesCopied:Bytes']);
});

test('a re-run uploads nothing and downloads no blob', async () => {
  anonymous.addImage('dotnet/aspnet', '8.0', ['linux/amd64', 'linux/arm64']);
  await copy({ Images: [image(anonymous, 'dotnet/aspnet', '8.0', 'mcr')] }, context());
  const counts = { ...push.counts };
  anonymous.state.blobHostRequests = [];

  const again = await copy({ Images: [image(anonymous, 'dotnet/aspnet', '8.0', 'mcr')] }, context());

  assert.equal(again.report[0].status, 'copied');
  assert.equal(again.report[0].blobsUploaded, 0);
  // a push cannot ask whether ECR has a manifest (that is ecr:BatchGetImage, a pull): each is PUT again, unchanged
  assert.equal(again.report[0].manifestsPushed, again.report[0].manifests);
  assert.equal(push.counts.initiated, counts.initiated, 'no upload begun');
  assert.equal(push.counts.parts, counts.parts);
  assert.equal(push.counts.imagesPushed, counts.imagesPushed);
  assert.equal(anonymous.state.blobHostRequests.length, 0, 'no blob downloaded');
});

test('a tag moved upstream is copied again on the next run, and only its new blobs', async () => {
  const first = anonymous.addImage('moving/app', 'latest', null);
  await copy({ Images: [image(anonymous, 'moving/app', 'latest', 'mcr')] }, context());
  const second = anonymous.addImage('moving/app', 'latest', null, { version: 2 });
  assert.notEqual(first, second);

  const result = await copy({ Images: [image(anonymous, 'moving/app', 'latest', 'mcr')] }, context());

  assert.equal(result.report[0].digest, second);
  assert.equal(result.report[0].blobsUploaded, 3, 'the new config and two new layers');
  assert.equal(repository('mcr/moving/app').tags.get('latest'), second);
  assertSameDigests(anonymous, 'moving/app', 'mcr/moving/app', [first, second]);
});

test('a digest-pinned reference is copied by digest, with no tag', async () => {
  const digest = anonymous.addImage('pinned/app', 'v1', null);
  const result = await copy({ Images: [image(anonymous, 'pinned/app', digest, 'mcr')] }, context());

  assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
  assert.equal(repository('mcr/pinned/app').tags.size, 0);
  assertSameDigests(anonymous, 'pinned/app', 'mcr/pinned/app', [digest]);
});

test('a layer another copy completed first (LayerAlreadyExistsException) is no failure', async () => {
  anonymous.addImage('race/app', 'v1', null);
  push.beforeComplete = (input) => {
    // another run of the copier, or a push by someone else, completed that layer in the meantime
    push.repositories.get(input.repositoryName).layers.set(input.layerDigests[0], 1);
  };
  const result = await copy({ Images: [image(anonymous, 'race/app', 'v1', 'mcr')] }, context());

  assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
  assert.equal(push.counts.completed, 0, 'every completion answered LayerAlreadyExistsException');
});

test('throttled ECR calls are retried and the copy goes through', async () => {
  const digest = anonymous.addImage('throttled/app', 'v1', null);
  ecr.state.throttle = 4;
  const result = await copy({ Images: [image(anonymous, 'throttled/app', 'v1', 'mcr')] }, context());

  assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
  assert.equal(ecr.state.throttled, 4);
  assertSameDigests(anonymous, 'throttled/app', 'mcr/throttled/app', [digest]);
});

test('a blob whose bytes are not its digest is never completed, and its image not pushed', async () => {
  anonymous.addImage('corrupt/app', 'v1', null, { corrupt: true });
  const result = await copy({ Images: [image(anonymous, 'corrupt/app', 'v1', 'mcr')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(messageOf(result.report[0]), /digest mismatch/);
  assert.equal(repository('mcr/corrupt/app').manifests.size, 0);
});

test('a moved tag in a repository of immutable tags fails, saying why', async () => {
  basic.addImage('immutable/app', 'v1', null);
  await copy({ Images: [image(basic, 'immutable/app', 'v1', 'registry', SECRET)] }, context());
  basic.addImage('immutable/app', 'v1', null, { version: 2 });
  const result = await copy({ Images: [image(basic, 'immutable/app', 'v1', 'registry', SECRET)] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(messageOf(result.report[0]), /tags are immutable: copied registries need MUTABLE tags/);
});

test('a repository outside every CREATE_ON_PUSH template is not created, and the error says so', async () => {
  anonymous.addImage('elsewhere/app', 'v1', null);
  const result = await copy({ Images: [image(anonymous, 'elsewhere/app', 'v1', 'other')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(messageOf(result.report[0]), /does not exist/);
});

test('a wrong credential fails at the token exchange, and neither it nor a token is logged', async () => {
  secrets.state.secrets.set(SECRET, JSON.stringify({ username: USER, accessToken: 'wrong-token-never-logged' }));
  bearer.addImage('nvidia/wrong', 'v1', null);
  anonymous.addImage('logged/not', 'v1', null);
  await deploy(cfnEvent(ecr, 'Create', { LogicalResourceId: 'Copier', ResourceType: 'Custom::EcrImageCopier' },
    { Owner: 'Cpr1a2b3c4d', Images: [image(bearer, 'nvidia/wrong', 'v1', 'nvcr', SECRET), image(anonymous, 'logged/not', 'v1', 'mcr')] }),
  context());
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Copied: 1, Failed: 1, Deferred: 0 });
  const output = log.text();
  assert.match(output, /token exchange at .*: HTTP 401 \(check the username and accessToken of the credential secret\)/);
  assert.ok(!output.includes('wrong-token-never-logged') && !output.includes(PASSWORD), 'no credential');
  for (const token of anonymous.state.tokensIssued) assert.ok(!output.includes(token), 'no token');
  assert.ok(!output.includes(ecr.state.authorizationToken), 'nor ECR\'s registry credential');
  assert.ok(!output.includes('cfn-response'), 'no response URL');
});

test('a secret without username and accessToken fails its images, naming the keys it needs', async () => {
  secrets.state.secrets.set(SECRET, JSON.stringify({ token: 'x' }));
  basic.addImage('team/keys', 'v1', null);
  const result = await copy({ Images: [image(basic, 'team/keys', 'v1', 'registry', SECRET)] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(messageOf(result.report[0]), /must hold the JSON keys "username" and "accessToken"/);
});

test('a token that expires during a run is exchanged again', async () => {
  const shortLived = await startFakeRegistry(null, { auth: { type: 'bearer', anonymous: true, tokenTtlMs: 150 } });
  try {
    shortLived.addImage('slow/app', 'v1', null);
    shortLived.state.downloadMs = 200;
    const result = await copy({ Images: [image(shortLived, 'slow/app', 'v1', 'mcr')], Concurrency: '1' }, context());

    assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
    assert.ok(shortLived.state.tokenRequests.length > 1, `${shortLived.state.tokenRequests.length} exchanges`);
  } finally {
    await shortLived.close();
  }
});

test('a blob goes up in one chunk when the time left carries it, in several from a chunk of its part size when not', async () => {
  const layer = generatedBlob(12 * MiB + 3, 7);
  anonymous.addImageOfLayers('parts/app', 'v1', [layer]);
  const copiedWith = async (settings) => {
    const copier = await runOf(settings);
    try {
      const result = await copier.run({ Images: [image(anonymous, 'parts/app', 'v1', 'mcr')] }, context());
      assert.equal(result.report[0].status, 'copied', JSON.stringify(result.report[0]));
      assert.equal(repository('mcr/parts/app').layers.get(layer.digest), layer.size);
    } finally {
      await copier.close();
    }
  };

  await copiedWith({ partSize: 5 * MiB });
  assert.equal(push.counts.parts, 1 + 1, 'the layer in one chunk (a quarter of an hour left carries 12 MiB at 1 MiB/s), the config in one');
  assert.equal(push.mostPartBytes, layer.size);

  // sized for no rate before the first: one part, then the rest at the rate of that part
  push = registry.reset({ createOnPush: ['nvcr', 'mcr', 'registry'], immutable: ['registry/immutable'] });
  await copiedWith({ partSize: 5 * MiB, floorRate: 0 });
  assert.equal(push.counts.parts, 2 + 1, 'two chunks of the layer (5 MiB, then the rest), one of the config');
  assert.equal(push.mostPartBytes, 7 * MiB + 3);
});

test('a chunk is as long as half the time left carries at the rate so far, in whole parts, at least one part', () => {
  // before the first chunk, the floor rate: 1 MiB/s and 60 s left, 30 MiB
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 0, 0, 60000, MiB), 30 * MiB, 'the first, at the floor rate');
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 0, 0, 60000, 0), 5 * MiB, 'the first, with no floor: one part');
  assert.equal(nextChunk(5 * MiB, 3 * MiB, 0, 0, 60000, MiB), 3 * MiB, 'the first, of a blob smaller than a part');
  // 10 MiB/s so far, 4 s left: 20 MiB in half of it
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 10 * MiB, 1000, 4000, MiB), 20 * MiB);
  // 7 s left: 35 MiB
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 10 * MiB, 1000, 7000, MiB), 35 * MiB);
  // 1 s left: less than a part, one part still
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 10 * MiB, 1000, 1000, MiB), 5 * MiB);
  // a quarter of an hour left: the rest of the blob
  assert.equal(nextChunk(5 * MiB, 100 * MiB, 10 * MiB, 1000, 900000, MiB), 100 * MiB);
});

test('with Platforms, only those are copied, under an index of their own whose digest the report names', async () => {
  const { index, entries } = anonymous.addImage('some/platforms', 'v1', ['linux/amd64', 'linux/arm64', 'windows/amd64']);
  const result = await copy({ Images: [image(anonymous, 'some/platforms', 'v1', 'mcr')], Platforms: ['linux/amd64'] }, context());

  const entry = result.report[0];
  assert.equal(entry.status, 'copied', JSON.stringify(entry));
  assert.equal(entry.upstreamDigest, index);
  assert.notEqual(entry.digest, index);
  assert.equal(repository('mcr/some/platforms').tags.get('v1'), entry.digest);
  assertSameDigests(anonymous, 'some/platforms', 'mcr/some/platforms', [entries[0].digest]);
  assert.equal(repository('mcr/some/platforms').manifests.has(entries[1].digest), false);

  const pinned = await copy({ Images: [image(anonymous, 'some/platforms', index, 'mcr')], Platforms: ['linux/amd64'] }, context());
  assert.equal(pinned.report[0].status, 'failed');
  assert.match(messageOf(pinned.report[0]), /names an index by digest, which a copy of some of its platforms cannot keep/);
});

test('with FailOnError a failed copy fails the deployment, naming the image', async () => {
  await deploy(cfnEvent(ecr, 'Update', { LogicalResourceId: 'Copier', ResourceType: 'Custom::EcrImageCopier' },
    { Owner: 'Cpr1a2b3c4d', FailOnError: 'true', Images: [image(anonymous, 'missing/app', 'v1', 'mcr')] }), context());

  assert.equal(lastResponse().Status, 'FAILED');
  // one status line, naming the image, the registry's status and its error code; not the body the registry sent
  assert.match(lastResponse().Reason, /^1 of 1 images were not copied \(execution [^)]+\): \S*missing\/app:v1: GET \/v2\/missing\/app\/manifests\/v1: HTTP 404 MANIFEST_UNKNOWN$/);
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data');
  assert.match(log.text(), /^\{"failed":".*missing\/app:v1","error":"ImageFailed"/m);
});

test('past the deadline the images are deferred and named', async () => {
  anonymous.addImage('deferred/app', 'v1', null);
  await deploy(cfnEvent(ecr, 'Create', { LogicalResourceId: 'Copier', ResourceType: 'Custom::EcrImageCopier' },
    { Owner: 'Cpr1a2b3c4d', Images: [image(anonymous, 'deferred/app', 'v1', 'mcr')] }), context(0));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().Data.Deferred, 1);
  assert.match(lastResponse().Data.NotCopied, /deferred\/app:v1/);
});

test('the referrers of the copied digest travel with it where the upstream serves the referrers API', async (t) => {
  anonymous.state.referrersApi = true;
  t.after(() => { anonymous.state.referrersApi = false; });
  const { index } = anonymous.addImage('signed/oci', 'v1', ['linux/amd64', 'linux/arm64']);
  const signature = anonymous.addReferrer('signed/oci', index);
  const result = await copy({ Images: [image(anonymous, 'signed/oci', 'v1', 'mcr')] }, context());

  const entry = result.report[0];
  assert.equal(entry.status, 'copied', JSON.stringify(entry));
  assert.equal(entry.referrers, 1);
  assert.equal(entry.referrersPushed, 1);
  assertSameDigests(anonymous, 'signed/oci', 'mcr/signed/oci', [index, signature]);
  assert.equal(JSON.parse(repository('mcr/signed/oci').manifests.get(signature).body).subject.digest, index,
    'its subject is the copied digest, as ECR\'s referrers API lists it');
  assert.ok(!anonymous.state.requests.some((r) => /\.sig$/.test(r.url)), 'no tag scheme where the API answers');
});

test('cosign\'s tag scheme travels with the image where the upstream has no referrers API', async () => {
  const digest = anonymous.addImage('signed/cosign', 'v1', null);
  const signature = anonymous.addReferrer('signed/cosign', digest, 'sig');
  const attestation = anonymous.addReferrer('signed/cosign', digest, 'att');
  const result = await copy({ Images: [image(anonymous, 'signed/cosign', 'v1', 'mcr')] }, context());

  const entry = result.report[0];
  assert.equal(entry.status, 'copied', JSON.stringify(entry));
  assert.equal(entry.referrers, 2);
  const hex = digest.slice('sha256:'.length);
  assert.equal(repository('mcr/signed/cosign').tags.get(`sha256-${hex}.sig`), signature);
  assert.equal(repository('mcr/signed/cosign').tags.get(`sha256-${hex}.att`), attestation);
  assert.equal(repository('mcr/signed/cosign').tags.has(`sha256-${hex}.sbom`), false, 'none upstream, none copied');
  assertSameDigests(anonymous, 'signed/cosign', 'mcr/signed/cosign', [digest, signature, attestation]);

  const counts = { ...push.counts };
  const again = await copy({ Images: [image(anonymous, 'signed/cosign', 'v1', 'mcr')] }, context());
  assert.equal(again.report[0].status, 'copied', JSON.stringify(again.report[0]));
  assert.equal(push.counts.imagesPushed, counts.imagesPushed, 'copied already: ECR changed nothing');
  assert.equal(push.counts.initiated, counts.initiated, 'and no blob went up again');
});

test('a layer that does not fit in the time left is deferred with where it stopped, and the state machine resumes it', async () => {
  // a link of 10 MiB/s: the 30 MiB layer takes 3 s, and each invocation has 2.5 s, its blobs stopping 1 s before
  const slow = await startFakeRegistry(null, { auth: { type: 'bearer', anonymous: true },
    rates: { perConnection: 10 * MiB, total: 10 * MiB } });
  // each invocation's result, and whether a manifest was pushed by then
  const results = [];
  const recorded = (each) => async (event, invocationContext) => {
    const result = await each(event, invocationContext);
    if (event.Action === 'image') results.push({ result, manifests: repository('mcr/large/layer').manifests.size });
    return result;
  };
  const quick = await runOf({ reserveMs: 0, pauseMarginMs: 1000, partSize: 5 * MiB }, recorded);
  try {
    const layer = generatedBlob(30 * MiB, 31);
    const digest = slow.addImageOfLayers('large/layer', 'v1', [layer]);
    const outcome = await quick.run({ Images: [image(slow, 'large/layer', 'v1', 'mcr')] }, context(2500));

    assert.equal(outcome.report[0].status, 'copied', JSON.stringify(outcome.report[0]));
    assert.equal(outcome.report[0].resume, undefined);
    assertSameDigests(slow, 'large/layer', 'mcr/large/layer', [digest]);
    const deferred = results[0].result;
    assert.equal(deferred.status, 'deferred', JSON.stringify(deferred));
    assert.equal(results[0].manifests, 0, 'no manifest before every blob is in');
    const where = deferred.resume.blobs[layer.digest];
    assert.ok(where.uploadId && where.nextByte > 0 && where.nextByte < layer.size, JSON.stringify(where));
    assert.equal(where.nextByte % (5 * MiB), 0, 'it stopped between two parts');
    // the state machine handed the result's resume to the next invocation, which went on from there
    const images = quick.invocations.filter((each) => each.payload.Action === 'image');
    assert.ok(images.length >= 2 && images.length === results.length, `${images.length} invocations`);
    assert.equal(images[0].payload.Resume, undefined);
    assert.deepEqual(images[1].payload.Resume, deferred.resume);
    assert.ok(slow.state.blobHostRequests.some((r) => r.digest === layer.digest && r.range === `bytes=${where.nextByte}-`),
      'the upstream was asked for the rest only');
    const configSize = JSON.parse(repository('mcr/large/layer').manifests.get(digest).body).config.size;
    assert.equal(push.counts.bytes, layer.size + configSize, 'no byte went up twice');
    assert.equal(push.counts.initiated, 2, 'one upload for the layer, across the invocations, and one for the config');
  } finally {
    await Promise.all([quick.close(), slow.close()]);
  }
});

test('a layer whose upload ECR no longer knows is copied again from its first byte', async () => {
  const layer = generatedBlob(12 * MiB, 32);
  const digest = anonymous.addImageOfLayers('expired/upload', 'v1', [layer]);
  const resume = { blobs: { [layer.digest]: { uploadId: 'an-upload-ecr-dropped', nextByte: 5 * MiB } } };
  // the invocation the state machine makes after a deferred one: the image, and the result's resume
  const result = await handler({ Action: 'image', Image: image(anonymous, 'expired/upload', 'v1', 'mcr'), Settings: {},
    Resume: resume }, context());

  assert.equal(result.status, 'copied', JSON.stringify(result));
  assertSameDigests(anonymous, 'expired/upload', 'mcr/expired/upload', [digest]);
  assert.deepEqual(anonymous.state.blobHostRequests.filter((r) => r.digest === layer.digest).map((r) => r.range),
    [`bytes=${5 * MiB}-`, undefined], 'the rest was asked for, then the whole');
});

/** Runs one copy in a child process of its own, whose heap is limited, and returns its report and peak memory. */
test('a layer larger than the function\'s memory is copied within a fixed memory bound', { timeout: 180000 }, async (t) => {
  const size = 384 * MiB;
  const layer = generatedBlob(size, 42);
  anonymous.addImageOfLayers('big/layer', 'v1', [layer]);
  // a child of 64 MB of heap copies a layer six times that: only parts are held, never the blob
  const { report, maxRssBytes } = await copyInChild({ Images: [image(anonymous, 'big/layer', 'v1', 'mcr')] }, 64);

  t.diagnostic(`peak RSS ${Math.round(maxRssBytes / MiB)} MiB for a ${size / MiB} MiB layer`);
  assert.equal(report[0].status, 'copied', JSON.stringify(report[0]));
  assert.equal(repository('mcr/big/layer').layers.get(layer.digest), size, 'ECR computed the upstream digest');
  assert.equal(push.counts.parts, 1 + 1, 'the layer in one chunk (the time left carries it at 1 MiB/s), the config in one');
  assert.ok(maxRssBytes < 256 * MiB, `peak RSS ${Math.round(maxRssBytes / MiB)} MiB for a ${size / MiB} MiB layer`);
});
