'use strict';
const { captureLog, captureStdout } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');
const { startFakeRegistry, blob } = require('./fake-registry');
const { startImageRun } = require('./image-run-harness');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/cache-warmer/index.js';
const PASSWORD = 'fake-registry-password-never-logged';

const log = captureLog();
let ecr;
let registry;
let run;
let handler;
const context = (remainingMs = 900000) => ({ getRemainingTimeInMillis: () => remainingMs });

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  registry = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`);
  process.env.REGISTRY_URL = registry.registryUrl;
  handler = require(HANDLER).createHandler({ retryDelayMs: 1, reserveMs: 60000, responseRetryDelayMs: 1 });
  run = await startImageRun({ handler, template: 'PullThroughCacheWarmed.template.json', prefix: 'WarmerRun',
    context });
});
after(() => Promise.all([ecr.close(), registry.close(), run.close()]));
beforeEach(() => {
  registry.state.requests = [];
  registry.state.blobHostRequests = [];
  registry.state.downloadMs = 0;
  registry.state.mostDownloading = 0;
  run.invocations.length = 0;
  ecr.state.responses = [];
  ecr.state.authorizationToken = Buffer.from(`AWS:${PASSWORD}`).toString('base64');
});

// CloudFormation hands every scalar over as a string, and names each request anew
let requests = 0;
const event = (requestType, properties, oldProperties, physicalResourceId) => ({ ...cfnEvent(ecr, requestType,
  { LogicalResourceId: 'Warmer', ResourceType: 'Custom::EcrCacheWarmer' },
  { Owner: 'Ptc1a2b3c4d', Concurrency: '3', StateMachine: run.stateMachineArn, ...properties }, oldProperties,
  physicalResourceId), RequestId: `request-${requestType}-${++requests}` });
// a scheduled run, and a deployment to its answer
const warm = (input, invocationContext) => run.run(input, invocationContext);
const deploy = (cfn, invocationContext) => run.deploy(cfn, invocationContext);

const image = (repository, reference) => ({ image: `${repository}:${reference}`, repository, reference });
const lastResponse = () => ecr.state.responses[ecr.state.responses.length - 1];
const manifestRequests = (repository) => registry.state.requests
  .filter((r) => r.url.startsWith(`/v2/${repository}/manifests/`)).map((r) => decodeURIComponent(r.url.split('/').pop()));

test('an image index is followed to the chosen platforms only, and every blob of theirs is pulled', async () => {
  const { index, entries } = registry.addImage('ecr-public/nginx/nginx', '1.27',
    ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'unknown/unknown']);
  const result = await warm({ Images: [image('ecr-public/nginx/nginx', '1.27')] }, context());

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
  const result = await warm({ Images: images, Concurrency: '2' }, context());

  assert.deepEqual(result.report.map((entry) => entry.status), Array(8).fill('warmed'));
  assert.deepEqual(result.report.map((entry) => entry.image), images.map((each) => each.image));
  // the Map's MaxConcurrency (ImageConcurrency at synthesis, 4 in the example) times Concurrency
  assert.equal(run.definition.States.Images.MaxConcurrency, 4);
  assert.ok(registry.state.mostDownloading > 2, `more than one image at once (${registry.state.mostDownloading} blobs)`);
  assert.ok(registry.state.mostDownloading <= 8, `at most 4 images of 2 blobs (${registry.state.mostDownloading})`);
});

test('one blob of an image at a time when Concurrency is 1', async () => {
  const images = [image('quay/serial/image0', 'v1')];
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  registry.state.downloadMs = 20;
  await warm({ Images: images, Concurrency: '1' }, context());

  assert.equal(registry.state.mostDownloading, 1);
});

test('the registry gets the token and the redirected blob host never does', async () => {
  registry.addImage('quay/prometheus/prometheus', 'v3.0.0', null);
  await warm({ Images: [image('quay/prometheus/prometheus', 'v3.0.0')] }, context());

  assert.ok(registry.state.blobHostRequests.length >= 3, 'config and layers fetched from the blob host after a 307');
  assert.ok(registry.state.blobHostRequests.every((r) => r.authorization === undefined));
});

test('an image of a rule in another registry is pulled from that registry, with the same token', async () => {
  const central = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`);
  try {
    central.addImage('quay/central/only', 'v1', null);
    const result = await warm({ Images: [{ ...image('quay/central/only', 'v1'), registryUrl: `${central.registryUrl}/` }] },
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
    await deploy(event('Create', { Images: [fromCentral('ecr-public/nginx/nginx', '1.27'),
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
  const result = await warm({ Images: [image('k8s/pause', '3.10')] }, context());

  assert.equal(result.report[0].status, 'warmed', JSON.stringify(result.report[0]));
  const asked = registry.state.requests.filter((r) => r.url.endsWith(manifest.layers[0].digest));
  assert.equal(asked.length, 2, 'asked twice: 429, then 307');
  // tried again by the state machine's Retry, not by the handler
  assert.deepEqual(result.history.filter((entry) => entry.retried).map((entry) => entry.error), ['RegistryThrottled']);
  assert.equal(run.invocations.filter((each) => each.payload.Action === 'image').length, 2);
});

test('a corrupt blob fails its digest check; the other images still warm and the deployment goes on', async () => {
  registry.addImage('docker-hub/library/redis', '7', null, { corrupt: true });
  registry.addImage('docker-hub/library/busybox', '1.37', null);
  await deploy(event('Create', { Images: [image('docker-hub/library/redis', '7'), image('docker-hub/library/busybox', '1.37')],
    FailOnError: 'false' }), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(lastResponse().Data, { Warmed: 1, Failed: 1, Deferred: 0 });
});

test('with FailOnError a failed image fails the deployment, naming the image and why', async () => {
  registry.addImage('docker-hub/library/redis', '7', null, { corrupt: true });
  const update = event('Update', { Images: [image('docker-hub/library/redis', '7')], FailOnError: 'true' });
  const { execution } = await deploy(update, context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /^1 of 1 images were not warmed \(execution [^)]+\): docker-hub\/library\/redis:7: digest mismatch: expected sha256:/);
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data');
  assert.match(log.text(), /^\{"failed":"docker-hub\/library\/redis:7","error":"ImageFailed","message":"digest mismatch: expected sha256:/m);
  // the execution fails too (ExecutionsFailed counts it), and its status change is not answered a second time
  assert.equal(execution.status, 'FAILED');
  assert.equal(execution.error, 'ImagesFailed');
  assert.equal(ecr.state.responses.filter((r) => r.RequestId === update.RequestId).length, 1);
});

test('an image that does not exist is reported with the registry answer', async () => {
  const result = await warm({ Images: [image('quay/nobody/nothing', 'v1')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.equal(result.report[0].error, 'ImageFailed');
  assert.match(JSON.parse(result.report[0].cause).errorMessage, /HTTP 404/);
});

test('each image\'s invocation publishes it as warmed, failed or deferred and the bytes pulled, in embedded metric format', async () => {
  registry.addImage('quay/metrics/one', 'v1', null);
  process.env.METRICS_CACHE = 'Stack/Cache';
  const lines = [];
  const restore = captureStdout(lines);
  let result;
  try {
    result = await warm({ Images: [image('quay/metrics/one', 'v1'), image('quay/nobody/nothing', 'v1')] }, context());
  } finally {
    restore();
    delete process.env.METRICS_CACHE;
  }

  const emf = lines.map((line) => { try { return JSON.parse(line); } catch (e) { return null; } }).filter((d) => d && d._aws);
  assert.equal(emf.length, 2, 'one per image');
  const sum = (name) => emf.reduce((total, each) => total + each[name], 0);
  assert.ok(emf.every((each) => each.Cache === 'Stack/Cache'));
  assert.equal(sum('ImagesWarmed'), 1);
  assert.equal(sum('ImagesFailed'), 1);
  assert.equal(sum('ImagesDeferred'), 0);
  assert.equal(sum('BytesWarmed'), result.report[0].bytes);
  assert.ok(sum('BytesWarmed') > 0);
  assert.deepEqual(emf[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => `${m.Name}:${m.Unit}`),
    ['ImagesWarmed:Count', 'ImagesFailed:Count', 'ImagesDeferred:Count', 'BytesWarmed:Bytes']);

  // without a cache that shows them (no METRICS_CACHE), no metric is published: each is billed
  lines.length = 0;
  process.stdout.write = (chunk, ...rest) => {
    lines.push(String(chunk));
    return true;
  };
  try {
    await warm({ Images: [image('quay/metrics/one', 'v1')] }, context());
  } finally {
    restore();
  }
  assert.equal(lines.filter((line) => line.includes('"_aws"')).length, 0);
});

test('an index without the chosen platforms fails and lists what it has', async () => {
  registry.addImage('ecr-public/windows/only', 'ltsc', ['windows/amd64']);
  const result = await warm({ Images: [image('ecr-public/windows/only', 'ltsc')], Platforms: ['linux/amd64'] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(result.report[0].cause, /no manifest for linux\/amd64 \(the index has windows\/amd64\)/);
});

test('past the deadline the images are deferred to the next run, not failed', async () => {
  registry.addImage('quay/deferred/one', 'v1', null);
  await deploy(event('Create', { Images: [image('quay/deferred/one', 'v1'), image('quay/deferred/one', 'v1')] }), context(0));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 0, Failed: 0, Deferred: 2,
    NotWarmed: 'quay/deferred/one:v1,quay/deferred/one:v1' });
  assert.equal(registry.state.requests.length, 0);
});

test('a wrong token is refused by the registry and reported', async () => {
  ecr.state.authorizationToken = Buffer.from('AWS:wrong').toString('base64');
  registry.addImage('quay/auth/check', 'v1', null);
  const result = await warm({ Images: [image('quay/auth/check', 'v1')] }, context());

  assert.equal(result.report[0].status, 'failed');
  assert.match(result.report[0].cause, /HTTP 401/);
});

test('delete pulls nothing', async () => {
  await deploy(event('Delete', { Images: [image('quay/prometheus/prometheus', 'v3.0.0')] }), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(registry.state.requests.length, 0);
});

test('the token is never logged', async () => {
  registry.addImage('ecr-public/logged/not', 'v1', ['linux/amd64']);
  await deploy(event('Create', { Images: [image('ecr-public/logged/not', 'v1'), image('quay/missing/image', 'v1')] }), context());
  const output = log.text();
  assert.ok(output.includes('ecr-public/logged/not:v1'), 'the report is logged');
  assert.ok(!output.includes(PASSWORD), 'no password');
  assert.ok(!output.includes(ecr.state.authorizationToken), 'no token');
  assert.ok(!output.includes('cfn-response'), 'no response URL');
});

const started = () => run.sfn.state.calls.filter((call) => call.operation === 'StartExecution');

test('a deployment runs one invocation per image and one for the answer; no invocation starts another', async () => {
  const images = ['a', 'b', 'c', 'd'].map((name) => image(`quay/flow/${name}`, 'v1'));
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  const responses = ecr.state.responses.length;
  const calls = started().length;
  const { result, execution } = await deploy(event('Create', { Images: images, ImageConcurrency: '2' }));

  assert.match(result.started, /^arn:aws:states:eu-west-1:111111111111:execution:WarmerRun:request-Create-\d+$/);
  assert.equal(started().length, calls + 1);
  assert.deepEqual(JSON.parse(started()[calls].input.input).Settings, { Concurrency: '3', ImageConcurrency: '2' });
  assert.equal(execution.status, 'SUCCEEDED');
  assert.equal(ecr.state.responses.length, responses + 1, 'answered once, by the execution');
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'Warmer-Ptc1a2b3c4d');
  assert.deepEqual(lastResponse().Data, { Warmed: 4, Failed: 0, Deferred: 0 });
  assert.deepEqual(run.invocations.map((each) => each.payload.Action), ['image', 'image', 'image', 'image', 'answer']);
  assert.deepEqual(run.invocations.slice(0, 4).map((each) => each.payload.Image.image).sort(), images.map((each) => each.image));
});

test('an image failing with FailOnError false: the deployment succeeds, the result names the image and why', async () => {
  registry.addImage('quay/flow/good', 'v1', null);
  const { execution } = await deploy(event('Create', { Images: [image('quay/flow/good', 'v1'), image('quay/flow/gone', 'v1')],
    FailOnError: 'false' }));

  assert.equal(execution.status, 'SUCCEEDED');
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 1, Failed: 1, Deferred: 0 });
  const failed = execution.output.Results[1];
  assert.deepEqual({ ...failed, cause: undefined }, { image: 'quay/flow/gone:v1', status: 'failed', error: 'ImageFailed',
    cause: undefined });
  assert.match(JSON.parse(failed.cause).errorMessage, /HTTP 404/);
});

test('an execution that times out is answered FAILED through EventBridge\'s status change', async () => {
  registry.addImage('quay/flow/slow', 'v1', null);
  registry.state.downloadMs = 3500;
  const responses = ecr.state.responses.length;
  // 3000 s of the state machine's timeout at 1 ms a second: 3 s
  const { execution } = await deploy(event('Create', { Images: [image('quay/flow/slow', 'v1')] }));

  assert.equal(execution.status, 'TIMED_OUT');
  assert.equal(ecr.state.responses.length, responses + 1);
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /^The cache warmer's run timed out before it answered \(execution arn:aws:states:eu-west-1:111111111111:execution:WarmerRun:request-Create-\d+\): States\.Timeout/);
  // the image's invocation, which the timeout did not stop, ends before the next test
  await new Promise((resolve) => setTimeout(resolve, 4000));
});

test('an aborted execution is answered FAILED; one that failed after its answer is not answered again', async () => {
  const stopped = (status, error) => ({ source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change',
    detail: { executionArn: 'arn:aws:states:eu-west-1:111111111111:execution:WarmerRun:request-Update', status, error,
      input: JSON.stringify({ Images: [], Settings: {}, Request: { ...event('Update', {}), PhysicalResourceId: 'Warmer-Ptc1a2b3c4d' } }) } });
  const responses = ecr.state.responses.length;
  assert.deepEqual(await handler(stopped('FAILED', 'ImagesFailed'), context()), { answered: 'before' });
  assert.equal(ecr.state.responses.length, responses);

  assert.deepEqual(await handler(stopped('ABORTED'), context()), { answered: 'FAILED' });
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().RequestId, /^request-Update-\d+$/);
  assert.match(lastResponse().Reason, /run was stopped before it answered/);
  // a scheduled run has no one to answer
  const scheduled = stopped('TIMED_OUT');
  scheduled.detail.input = JSON.stringify({ Images: [], Settings: {}, Request: {} });
  assert.deepEqual(await handler(scheduled, context()), { answered: 'nothing to answer' });
});

test('a Delete and an Update that changes nothing of the run are answered at once, and start nothing', async () => {
  const calls = started().length;
  const images = [image('quay/flow/same', 'v1')];
  await deploy(event('Update', { Images: images, StateMachine: 'arn:aws:states:eu-west-1:111111111111:stateMachine:New' },
    { Owner: 'Ptc1a2b3c4d', Concurrency: '3', Images: images, StateMachine: run.stateMachineArn }, 'Warmer-Ptc1a2b3c4d'));
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'Warmer-Ptc1a2b3c4d');
  assert.deepEqual(lastResponse().Data, { Warmed: 0, Failed: 0, Deferred: 0 });

  await deploy(event('Delete', { Images: images }, undefined, 'Warmer-Ptc1a2b3c4d'));
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(started().length, calls);
  assert.equal(registry.state.requests.length, 0);
});

test('a run that cannot start is answered FAILED at once, saying why', async () => {
  await deploy(event('Create', { Images: [image('quay/flow/any', 'v1')],
    StateMachine: 'arn:aws:states:eu-west-1:111111111111:stateMachine:Gone' }));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /^The cache warmer's run did not start: State Machine Does Not Exist/);
});

test('a download the deadline cuts in the middle of its body is deferred, not failed', async () => {
  const slow = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`, { rates: { perConnection: 1024 * 1024, total: 1024 * 1024 } });
  try {
    slow.addImageOfLayers('quay/slow/big', 'v1', [blob(Buffer.alloc(2 * 1024 * 1024, 1))]);
    const result = await warm({ Images: [{ ...image('quay/slow/big', 'v1'), registryUrl: slow.registryUrl }] },
      context(60000 + 500));

    assert.equal(result.report[0].status, 'deferred', JSON.stringify(result.report[0]));
    assert.ok(slow.state.blobHostRequests.length >= 1, 'the download had begun');
  } finally {
    await slow.close();
  }
});

// A run of thousands of images: above DISTRIBUTED_ABOVE (400) the handler writes the list to the run's bucket and the
// distributed Map reads it (ItemReader) and writes its results there (ResultWriter), so that no state's input or
// output, nor StartExecution's input, passes 256 KiB (the driver and the fake of Step Functions refuse more).
const many = (count, run) => Array.from({ length: count }, (_, index) => image(`quay/${run}/image-${index}`, 'v1'));
async function deployMany(images, failOnError) {
  const secondMs = run.machine.secondMs;
  run.machine.secondMs = 100;
  try {
    return await deploy(event('Create', { Images: images, ImageConcurrency: '8', FailOnError: String(failOnError) }));
  } finally {
    run.machine.secondMs = secondMs;
  }
}

test('2,000 images, one of them gone, FailOnError false: the run is distributed over S3 and succeeds, counting each', async () => {
  const images = many(2000, 'many');
  images.filter((each, index) => index !== 1234).forEach((each) => registry.addImage(each.repository, 'v1', null));
  const calls = started().length;
  const { execution } = await deployMany(images, false);

  assert.equal(execution.status, 'SUCCEEDED', `${execution.error}: ${execution.cause}`);
  const input = started()[calls].input.input;
  assert.ok(Buffer.byteLength(input) < 4096, `StartExecution's input is ${Buffer.byteLength(input)} bytes`);
  assert.equal(JSON.parse(input).Images, undefined);
  assert.equal(execution.mapRuns, 1);
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Warmed: 1999, Failed: 1, Deferred: 0 });
  // where an operator finds the failed image: the manifest the Map's output names, and its result files
  const { Bucket, Key } = execution.output.Results.ResultWriterDetails;
  assert.match(Key, /^runs\/results\/[0-9a-f-]{36}\/manifest\.json$/);
  const manifest = JSON.parse(run.s3.getObject(Bucket, Key).body);
  const results = manifest.ResultFiles.SUCCEEDED.flatMap((file) => JSON.parse(run.s3.getObject(Bucket, file.Key).body));
  assert.equal(results.length, 2000);
  const failed = results.filter((entry) => entry.status === 'failed');
  assert.deepEqual(failed.map((entry) => entry.image), ['quay/many/image-1234:v1']);
  assert.match(JSON.parse(failed[0].cause).errorMessage, /HTTP 404/);
});

test('2,000 images, one of them gone, FailOnError true: the deployment fails naming the image and why', async () => {
  const images = many(2000, 'strict');
  images.filter((each, index) => index !== 7).forEach((each) => registry.addImage(each.repository, 'v1', null));
  const { execution } = await deployMany(images, true);

  assert.equal(execution.status, 'FAILED');
  assert.equal(execution.error, 'ImagesFailed');
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /^1 of 2000 images were not warmed \(execution arn:aws:states:eu-west-1:111111111111:execution:WarmerRun:request-Create-\d+\): quay\/strict\/image-7:v1: .*HTTP 404/);
});

test('a schedule\'s list of more than 400 images is written to the bucket by the state machine, then distributed', async () => {
  const images = many(450, 'scheduled');
  images.forEach((each) => registry.addImage(each.repository, 'v1', null));
  const secondMs = run.machine.secondMs;
  run.machine.secondMs = 100;
  let result;
  try {
    result = await run.run({ Images: images, ImageConcurrency: '8' });
  } finally {
    run.machine.secondMs = secondMs;
  }

  assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
  assert.equal(result.mapRuns, 1);
  const list = run.invocations.find((each) => each.payload.Action === 'list');
  assert.equal(list.payload.Images.length, 450);
  const { Bucket, Key } = result.output.ImageList;
  assert.match(Key, /^runs\/images\/test\.json$/);
  assert.deepEqual(JSON.parse(run.s3.getObject(Bucket, Key).body), images);
  assert.deepEqual({ ...result.counts, Reason: undefined }, { Warmed: 450, Failed: 0, Deferred: 0, Succeeded: true,
    Reason: undefined });
});

test('the fake S3 answers as S3 does: NoSuchKey for a key never put, NoSuchBucket for a bucket that does not exist', async () => {
  const { S3Client, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
  const client = run.s3.client(S3Client);
  const bucket = process.env.RUN_BUCKET;
  await assert.rejects(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'runs/results/none/manifest.json' })),
    (error) => error.name === 'NoSuchKey' && error.$metadata.httpStatusCode === 404);
  await assert.rejects(client.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: '[]' })),
    (error) => error.name === 'NoSuchBucket');
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'runs/images/x.json', Body: '[1]' }));
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'runs/images/x.json' }));
  assert.equal(await got.Body.transformToString(), '[1]');
});
