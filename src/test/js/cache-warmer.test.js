'use strict';
const { captureLog, captureStdout } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');
const { startFakeRegistry, blob } = require('./fake-registry');
const { startFakeSsm, STANDARD_LIMIT } = require('./fake-ssm');
const { startFakeLambda } = require('./fake-lambda');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/cache-warmer/index.js';
const PASSWORD = 'fake-registry-password-never-logged';

const log = captureLog();
let ecr;
let registry;
let ssm;
let lambda;
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:Stack-CacheWarmerHandler0B95F6A2-AbCdEf';
const PARAMETER = '/pull-through-cache/Ptc1a2b3c4d/deferred';
let handler;
const context = (remainingMs = 900000) => ({ getRemainingTimeInMillis: () => remainingMs });

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  registry = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`);
  ssm = await startFakeSsm();
  lambda = await startFakeLambda();
  lambda.state.functions.add(FUNCTION_ARN);
  process.env.REGISTRY_URL = registry.registryUrl;
  process.env.DEFERRED_PARAMETER = PARAMETER;
  handler = require(HANDLER).createHandler({ retryDelayMs: 1, reserveMs: 60000 });
});
after(() => Promise.all([ecr.close(), registry.close(), ssm.close(), lambda.close()]));
beforeEach(() => {
  registry.state.requests = [];
  registry.state.blobHostRequests = [];
  registry.state.downloadMs = 0;
  registry.state.mostDownloading = 0;
  ssm.state.parameters.clear();
  ssm.state.calls = [];
  lambda.state.invocations = [];
  ecr.state.responses = [];
  ecr.state.authorizationToken = Buffer.from(`AWS:${PASSWORD}`).toString('base64');
});

// CloudFormation hands every scalar over as a string
const event = (requestType, properties) => cfnEvent(ecr, requestType,
  { LogicalResourceId: 'Warmer', ResourceType: 'Custom::EcrCacheWarmer' },
  { Owner: 'Ptc1a2b3c4d', Concurrency: '3', ...properties });

const image = (repository, reference) => ({ image: `${repository}:${reference}`, repository, reference });
const lastResponse = () => ecr.state.responses[ecr.state.responses.length - 1];
const manifestRequests = (repository) => registry.state.requests
  .filter((r) => r.url.startsWith(`/v2/${repository}/manifests/`)).map((r) => decodeURIComponent(r.url.split('/').pop()));

test('an image index is followed to the chosen platforms only, and every blob of theirs is pulled', async () => {
  const { index, entries } = registry.addImage('ecr-public/nginx/nginx', '1.27',
    ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'unknown/unknown']);
  const result = await handler({ Images: [image('ecr-public/nginx/nginx', '1.27')] }, context());

  assert.equal(result.report[0].status, 'warmed', JSON.stringify(result.report[0]));
  assert.equal(result.report[0].digest, index);
  assert.ok(result.report[0].bytes > 0);
  assert.equal(typeof result.report[0].seconds, 'number');
  const wanted = entries.filter((e) => ['amd64', 'arm64'].includes(e.platform.architecture));
  assert.deepEqual(manifestRequests('ecr-public/nginx/nginx'), ['1.27', ...wanted.map((e) => e.digest)]);
  const pulled = new Set(registry.state.blobHostRequests.map((r) => r.digest));
  for (const entry of entries) {
    for (const layer of entry.layers) {
      assert.equal(pulled.has(layer.digest), wanted.includes(entry), `layer of ${entry.platform.architecture}`);
    }
  }
  const accept = registry.state.requests.find((r) => r.url.includes('/manifests/')).accept;
  for (const type of ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']) {
    assert.ok(accept.includes(type), `Accept has ${type}`);
  }
});

test('images warm in parallel, never more at once than ImageConcurrency times Concurrency, reported in order', async () => {
  const images = Array.from({ length: 8 }, (_, i) => image(`quay/parallel/image${i}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 40;
  const result = await handler({ Images: images, ImageConcurrency: '3', Concurrency: '2' }, context());

  assert.deepEqual(result.report.map((entry) => entry.status), Array(8).fill('warmed'));
  assert.deepEqual(result.report.map((entry) => entry.image), images.map((each) => each.image));
  assert.ok(registry.state.mostDownloading > 2, `more than one image at once (${registry.state.mostDownloading} blobs)`);
  assert.ok(registry.state.mostDownloading <= 6, `at most 3 images of 2 blobs (${registry.state.mostDownloading})`);
});

test('one image at a time when ImageConcurrency is 1', async () => {
  const images = Array.from({ length: 3 }, (_, i) => image(`quay/serial/image${i}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 20;
  await handler({ Images: images, ImageConcurrency: '1', Concurrency: '1' }, context());

  assert.equal(registry.state.mostDownloading, 1);
});

test('the registry gets the token and the redirected blob host never does', async () => {
  registry.addImage('quay/prometheus/prometheus', 'v3.0.0', null);
  await handler({ Images: [image('quay/prometheus/prometheus', 'v3.0.0')] }, context());

  assert.ok(registry.state.blobHostRequests.length >= 3, 'config and layers fetched from the blob host after a 307');
  assert.ok(registry.state.blobHostRequests.every((r) => r.authorization === undefined));
});

test('an image of a rule in another registry is pulled from that registry, with the same token', async () => {
  const central = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`);
  try {
    central.addImage('quay/central/only', 'v1', null);
    const result = await handler({ Images: [{ ...image('quay/central/only', 'v1'), registryUrl: `${central.registryUrl}/` }] },
      context());

    assert.equal(result.report[0].status, 'warmed', JSON.stringify(result.report[0]));
    assert.deepEqual(central.state.requests.map((r) => r.url)[0], '/v2/quay/central/only/manifests/v1');
    assert.equal(registry.state.requests.length, 0, 'the registry of the stack was not asked');
  } finally {
    await central.close();
  }
});

test('a consumer warms every image through the central registry, the consumer\'s own registry never asked', async () => {
  // the Images a PullThroughCacheConsumer's warmer gets: each with the central registry's URL
  const central = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`);
  try {
    central.addImage('ecr-public/nginx/nginx', '1.27', ['linux/amd64', 'linux/arm64/v8']);
    central.addImage('quay/prometheus/prometheus', 'v3.0.0', null);
    const fromCentral = (repository, reference) => ({ ...image(repository, reference), registryUrl: central.registryUrl });
    await handler(event('Create', { Images: [fromCentral('ecr-public/nginx/nginx', '1.27'),
      fromCentral('quay/prometheus/prometheus', 'v3.0.0')] }), context());

    assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
    assert.deepEqual(lastResponse().Data, { Warmed: 2, Failed: 0, Deferred: 0 });
    const manifests = central.state.requests.map((r) => r.url).filter((url) => url.includes('/manifests/'));
    assert.ok(manifests.includes('/v2/ecr-public/nginx/nginx/manifests/1.27'), manifests.join(', '));
    assert.ok(manifests.includes('/v2/quay/prometheus/prometheus/manifests/v3.0.0'), manifests.join(', '));
    assert.ok(central.state.blobHostRequests.length >= 5, 'the configs and layers of both images came from the central registry');
    assert.equal(registry.state.requests.length, 0, 'the consumer\'s own registry was not asked');
  } finally {
    await central.close();
  }
});

test('a 429 is retried and the image still warms', async () => {
  const digest = registry.addImage('k8s/pause', '3.10', null);
  const manifest = JSON.parse(registry.state.manifests.get(`k8s/pause@${digest}`).body);
  registry.state.throttleOnce.add(manifest.layers[0].digest);
  const result = await handler({ Images: [image('k8s/pause', '3.10')] }, context());

  assert.equal(result.report[0].status, 'warmed', JSON.stringify(result.report[0]));
  const asked = registry.state.requests.filter((r) => r.url.endsWith(manifest.layers[0].digest));
  assert.equal(asked.length, 2, 'asked twice: 429, then 307');
});

test('a corrupt blob fails its digest check; the other images still warm and the deployment goes on', async () => {
  registry.addImage('docker-hub/library/redis', '7', null, { corrupt: true });
  registry.addImage('docker-hub/library/busybox', '1.37', null);
  await handler(event('Create', { Images: [image('docker-hub/library/redis', '7'), image('docker-hub/library/busybox', '1.37')],
    FailOnError: 'false' }), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 1, Failed: 1, Deferred: 0 });
});

test('with FailOnError a failed image fails the deployment, naming the image and why', async () => {
  registry.addImage('docker-hub/library/redis', '7', null, { corrupt: true });
  await handler(event('Update', { Images: [image('docker-hub/library/redis', '7')], FailOnError: 'true' }), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /1 of 1 images were not warmed: docker-hub\/library\/redis:7: digest mismatch: expected sha256:/);
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data');
  assert.match(log.text(), /^\{"failed":"docker-hub\/library\/redis:7","error":"digest mismatch: expected sha256:/m);
  assert.match(log.text(), /^failed: 1 of 1 images were not warmed: docker-hub\/library\/redis:7/m);
});

test('an image that does not exist is reported with the registry answer', async () => {
  const result = await handler({ Images: [image('quay/nobody/nothing', 'v1')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(result.report[0].error, /HTTP 404/);
});

test('each invocation publishes images warmed, failed and deferred and the bytes pulled, in embedded metric format', async () => {
  registry.addImage('quay/metrics/one', 'v1', null);
  process.env.METRICS_CACHE = 'Stack/Cache';
  const lines = [];
  const restore = captureStdout(lines);
  let result;
  try {
    result = await handler({ Images: [image('quay/metrics/one', 'v1'), image('quay/nobody/nothing', 'v1')] }, context());
  } finally {
    restore();
    delete process.env.METRICS_CACHE;
  }

  const emf = lines.map((line) => { try { return JSON.parse(line); } catch (e) { return null; } }).filter((d) => d && d._aws);
  assert.equal(emf.length, 1);
  assert.equal(emf[0].Cache, 'Stack/Cache');
  assert.equal(emf[0].ImagesWarmed, 1);
  assert.equal(emf[0].ImagesFailed, 1);
  assert.equal(emf[0].ImagesDeferred, 0);
  assert.equal(emf[0].BytesWarmed, result.report[0].bytes);
  assert.ok(emf[0].BytesWarmed > 0);
  assert.deepEqual(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => `${m.Name}:${m.Unit}`),
    ['ImagesWarmed:Count', 'ImagesFailed:Count', 'ImagesDeferred:Count', 'BytesWarmed:Bytes']);

  // without a cache that shows them (no METRICS_CACHE), no metric is published: each is billed
  lines.length = 0;
  process.stdout.write = (chunk, ...rest) => {
    lines.push(String(chunk));
    return true;
  };
  try {
    await handler({ Images: [image('quay/metrics/one', 'v1')] }, context());
  } finally {
    restore();
  }
  assert.equal(lines.filter((line) => line.includes('"_aws"')).length, 0);
});

test('an index without the chosen platforms fails and lists what it has', async () => {
  registry.addImage('ecr-public/windows/only', 'ltsc', ['windows/amd64']);
  const result = await handler({ Images: [image('ecr-public/windows/only', 'ltsc')], Platforms: ['linux/amd64'] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(result.report[0].error, /no manifest for linux\/amd64 \(the index has windows\/amd64\)/);
});

test('past the deadline the images are deferred to the next run, not failed', async () => {
  registry.addImage('quay/deferred/one', 'v1', null);
  await handler(event('Create', { Images: [image('quay/deferred/one', 'v1'), image('quay/deferred/one', 'v1')] }), context(0));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 0, Failed: 0, Deferred: 2,
    NotWarmed: 'quay/deferred/one:v1,quay/deferred/one:v1' });
  assert.equal(registry.state.requests.length, 0);
});

test('a wrong token is refused by the registry and reported', async () => {
  ecr.state.authorizationToken = Buffer.from('AWS:wrong').toString('base64');
  registry.addImage('quay/auth/check', 'v1', null);
  const result = await handler({ Images: [image('quay/auth/check', 'v1')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(result.report[0].error, /HTTP 401/);
});

test('delete pulls nothing', async () => {
  await handler(event('Delete', { Images: [image('quay/prometheus/prometheus', 'v3.0.0')] }), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(registry.state.requests.length, 0);
});

test('the token is never logged', async () => {
  registry.addImage('ecr-public/logged/not', 'v1', ['linux/amd64']);
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  try {
    await handler(event('Create', { Images: [image('ecr-public/logged/not', 'v1'), image('quay/missing/image', 'v1')] }), context());
  } finally {
    console.log = original;
  }
  const output = lines.join('\n');
  assert.ok(output.includes('ecr-public/logged/not:v1'), 'the report is logged');
  assert.ok(!output.includes(PASSWORD), 'no password');
  assert.ok(!output.includes(ecr.state.authorizationToken), 'no token');
  assert.ok(!output.includes('cfn-response'), 'no response URL');
});

const firstManifests = () => registry.state.requests.filter((r) => /\/manifests\/v1$/.test(r.url))
  .map((r) => r.url.split('/')[4]);

test('what the deadline stops is deferred, kept, and goes first in the next run; the report keeps the order given', async () => {
  const images = ['a', 'b', 'c', 'd'].map((name) => image(`quay/fair/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 500;
  // 1 s to work in: the first image (3 blobs at once, 0.5 s) is warmed, the second stopped during its download
  const first = await handler({ Images: images, ImageConcurrency: '1', Concurrency: '3' }, context(60000 + 1000));

  assert.deepEqual(first.report.map((entry) => entry.status), ['warmed', 'deferred', 'deferred', 'deferred']);
  assert.equal(JSON.parse(ssm.state.parameters.get(PARAMETER)).length, 3);

  registry.state.requests = [];
  registry.state.downloadMs = 0;
  const second = await handler({ Images: images, ImageConcurrency: '1', Concurrency: '3' }, context());

  assert.deepEqual(firstManifests(), ['b', 'c', 'd', 'a']);
  assert.deepEqual(second.report.map((entry) => entry.image), images.map((each) => each.image));
  assert.deepEqual(second.report.map((entry) => entry.status), Array(4).fill('warmed'));
  assert.deepEqual(JSON.parse(ssm.state.parameters.get(PARAMETER)), []);
});

test('a scheduled run takes the deferred first too, and a throttled read is retried', async () => {
  const images = ['e', 'f', 'g'].map((name) => image(`quay/fair/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  await handler({ Images: [images[2], images[1]] }, context(0));
  ssm.state.throttle = 1;
  registry.state.requests = [];
  await handler({ Images: images, ImageConcurrency: '1' }, context());

  assert.deepEqual(firstManifests(), ['f', 'g', 'e']);
});

test('a list deferred past the parameter\'s 4 KB keeps its head and the run still answers', async () => {
  const images = Array.from({ length: 400 }, (_, i) => image(`quay/many/image${i}`, 'v1'));
  await handler(event('Create', { Images: images }), context(0));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual({ ...lastResponse().Data, NotWarmed: undefined }, { Warmed: 0, Failed: 0, Deferred: 400, NotWarmed: undefined });
  assert.ok(lastResponse().Data.NotWarmed.startsWith('quay/many/image0:v1,quay/many/image1:v1,'));
  const kept = ssm.state.parameters.get(PARAMETER);
  assert.ok(kept.length <= STANDARD_LIMIT, `${kept.length} characters`);
  assert.ok(JSON.parse(kept).length > 200, 'most of the list is kept');
});

test('deleting the warmer deletes what it kept, and deleting it twice is not an error', async () => {
  ssm.state.parameters.set(PARAMETER, '["0123456789ab"]');
  await handler(event('Delete', { Images: [] }), context());
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(ssm.state.parameters.has(PARAMETER), false);

  await handler(event('Delete', { Images: [] }), context());
  assert.equal(lastResponse().Status, 'SUCCESS');
});

// an invocation of the deployed function: it knows its own ARN
const invocation = (remainingMs) => ({ ...context(remainingMs), invokedFunctionArn: FUNCTION_ARN });

/** Plays the asynchronous invocations the handler asked for, one after another, as Lambda would. */
async function playContinuations(remainingMs) {
  let played = 0;
  while (lambda.state.invocations.length > played) {
    const next = lambda.state.invocations[played++];
    assert.equal(next.type, 'Event');
    await handler(next.payload, invocation(remainingMs));
  }
  return played;
}

test('a deployment longer than one invocation goes on in the next ones, and the last answers once with every image', async () => {
  const images = ['a', 'b', 'c', 'd'].map((name) => image(`quay/long/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 250;
  // half a second each: one image per invocation
  await handler(event('Create', { Images: images, ImageConcurrency: '1', Concurrency: '3' }), invocation(60000 + 500));
  assert.equal(ecr.state.responses.length, 0, 'CloudFormation is not answered while images remain');
  assert.equal(lambda.state.invocations[0].payload.WarmerProgress.continuation, 1);
  assert.equal(lambda.state.invocations[0].payload.RequestType, 'Create');

  const continued = await playContinuations(60000 + 500);
  assert.equal(continued, 3);
  assert.equal(ecr.state.responses.length, 1, 'answered once');
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 4, Failed: 0, Deferred: 0 });
  // a continuation takes what is still deferred only: the first image is pulled once
  assert.equal(firstManifests().filter((name) => name === 'a').length, 1);
  assert.deepEqual([...new Set(firstManifests())], ['a', 'b', 'c', 'd']);
});

test('what does not fit in the deployment\'s hour is named, and with FailOnError fails it', async () => {
  const images = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => image(`quay/toolong/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 250;
  await handler(event('Update', { Images: images, ImageConcurrency: '1', Concurrency: '3', FailOnError: 'true' }),
    invocation(60000 + 500));
  assert.equal(await playContinuations(60000 + 500), 3, 'four invocations in all, as many as fit in the hour');

  assert.equal(ecr.state.responses.length, 1);
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /^2 of 6 images were not warmed: quay\/toolong\/e:v1: not reached in time; quay\/toolong\/f:v1: not reached in time$/);
});

test('a run that makes no progress does not go on, and answers with what it could not warm', async () => {
  await handler(event('Create', { Images: [image('quay/stuck/one', 'v1')] }), invocation(0));

  assert.equal(lambda.state.invocations.length, 0);
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().Data.NotWarmed, 'quay/stuck/one:v1');
});

test('a scheduled run longer than one invocation goes on too; when Lambda refuses, it stops and reports', async () => {
  const images = ['a', 'b'].map((name) => image(`quay/scheduled/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 250;
  const first = await handler({ Images: images, ImageConcurrency: '1', Concurrency: '3' }, invocation(60000 + 500));

  assert.equal(first.continued, true);
  assert.equal(lambda.state.invocations[0].payload.RequestType, undefined);
  assert.deepEqual(lambda.state.invocations[0].payload.Images, images);
  await playContinuations(60000 + 500);
  assert.deepEqual(JSON.parse(ssm.state.parameters.get(PARAMETER)), []);

  lambda.state.invocations = [];
  lambda.state.throttle = 10;
  ssm.state.parameters.clear();
  const refused = await handler({ Images: images, ImageConcurrency: '1', Concurrency: '3' }, invocation(60000 + 500));
  assert.equal(refused.continued, undefined);
  assert.equal(refused.counts.Deferred, 1);
});

test('a download the deadline cuts in the middle of its body is deferred, not failed', async () => {
  const slow = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`, { rates: { perConnection: 1024 * 1024, total: 1024 * 1024 } });
  try {
    slow.addImageOfLayers('quay/slow/big', 'v1', [blob(Buffer.alloc(2 * 1024 * 1024, 1))]);
    const result = await handler({ Images: [{ ...image('quay/slow/big', 'v1'), registryUrl: slow.registryUrl }] },
      context(60000 + 500));

    assert.equal(result.report[0].status, 'deferred', JSON.stringify(result.report[0]));
    assert.ok(slow.state.blobHostRequests.length >= 1, 'the download had begun');
  } finally {
    await slow.close();
  }
});

test('a continuation pulls exactly what the invocation before it left, whatever the parameter could hold', async () => {
  const images = ['a', 'b', 'c'].map((name) => image(`quay/left/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  const key = (each) => require('node:crypto').createHash('sha256').update(` ${each.repository}:${each.reference}`)
    .digest('hex').slice(0, 12);
  ssm.state.parameters.set(PARAMETER, JSON.stringify([key(images[0])]));
  const result = await handler({ Images: images, ImageConcurrency: '1',
    WarmerProgress: { continuation: 1, warmed: 1, failed: [], remaining: [key(images[1]), key(images[2])] } }, invocation());

  assert.deepEqual(firstManifests(), ['b', 'c']);
  assert.deepEqual(result.counts, { Warmed: 3, Failed: 0, Deferred: 0 });
});
