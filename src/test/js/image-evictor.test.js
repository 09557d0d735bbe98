'use strict';
// set before the first client: the AWS SDK's Node version warning stays off
const { captureStdout } = require('./handler-log');
const { test, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');

const { ECRClient } = require('@aws-sdk/client-ecr');

// what a test does not capture itself (metrics, the report) is kept from the test output too
let restoreOutput;
beforeEach(() => { restoreOutput = captureStdout([]); });
afterEach(() => restoreOutput());
const { startFakeEcr, useFake, addRepository, INDEX_TYPES } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/image-evictor/index.js';
const DAY = 24 * 60 * 60;
const NOW = Date.UTC(2026, 11, 1) / 1000;
const digest = (n) => `sha256:${String(n).padStart(64, '0')}`;
const context = (remainingMs = 900000) => ({ getRemainingTimeInMillis: () => remainingMs });

let ecr;
let handler;
let lines;

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  process.env.METRICS_CACHE = 'Stack/Cache';
  handler = require(HANDLER).createHandler({ ecr: new ECRClient({ maxAttempts: 5 }), now: () => NOW * 1000 });
});
after(() => ecr.close());
beforeEach(() => {
  ecr.state.repositories.clear();
  ecr.state.calls = [];
  ecr.state.pageSize = 100;
  ecr.state.onCall = null;
  ecr.state.throttle = 0;
  lines = [];
});

/** Runs the handler, keeping what it writes to standard output (the EMF lines among it). */
async function run(input, remainingMs) {
  const restore = captureStdout(lines);
  try {
    return await handler({ Prefixes: ['ecr-public', 'quay'], MaxAgeDays: 30, ...input }, context(remainingMs));
  } finally {
    restore();
  }
}

const metrics = () => lines.map((line) => { try { return JSON.parse(line); } catch (e) { return null; } })
  .filter((document) => document && document._aws);
const left = (name) => (ecr.state.repositories.get(name) || { images: [] }).images.map((image) => image.imageDigest);

test('an image last pulled before the cutoff goes, one pulled since stays, and a never-pulled one counts from its push', async () => {
  addRepository(ecr, 'ecr-public/nginx/nginx', [
    { imageDigest: digest(1), imageTags: ['1.25'], imageSizeInBytes: 1000, imagePushedAt: NOW - 200 * DAY, lastRecordedPullTime: NOW - 31 * DAY },
    { imageDigest: digest(2), imageTags: ['1.26'], imageSizeInBytes: 2000, imagePushedAt: NOW - 200 * DAY, lastRecordedPullTime: NOW - 29 * DAY },
    // cached 40 days ago and never pulled since: no lastRecordedPullTime
    { imageDigest: digest(3), imageTags: ['1.24'], imageSizeInBytes: 4000, imagePushedAt: NOW - 40 * DAY },
    // cached 10 days ago, never pulled: young
    { imageDigest: digest(4), imageTags: ['1.27'], imageSizeInBytes: 8000, imagePushedAt: NOW - 10 * DAY },
  ]);

  const report = await run({});

  assert.deepEqual(left('ecr-public/nginx/nginx'), [digest(2), digest(4)]);
  assert.equal(report.imagesEvicted, 2);
  assert.equal(report.bytesFreed, 5000);
  const [emf] = metrics();
  assert.equal(emf.Cache, 'Stack/Cache');
  assert.equal(emf.ImagesEvicted, 2);
  assert.equal(emf.BytesFreed, 5000);
  assert.deepEqual(emf._aws.CloudWatchMetrics[0].Metrics, [{ Name: 'ImagesEvicted', Unit: 'Count' },
    { Name: 'BytesFreed', Unit: 'Bytes' }, { Name: 'RepositoriesDeleted', Unit: 'Count' }]);
  assert.deepEqual(emf._aws.CloudWatchMetrics[0].Dimensions, [['Cache']]);
  assert.equal(emf._aws.CloudWatchMetrics[0].Namespace, 'PullThroughCache');
});

test('an image exactly at the eviction age stays; one a second older goes, pulled or only pushed', async () => {
  addRepository(ecr, 'quay/edge/app', [
    { imageDigest: digest(1), imageTags: ['pulled-at-age'], imageSizeInBytes: 10, imagePushedAt: NOW - 90 * DAY, lastRecordedPullTime: NOW - 30 * DAY },
    { imageDigest: digest(2), imageTags: ['pulled-past-age'], imageSizeInBytes: 20, imagePushedAt: NOW - 90 * DAY, lastRecordedPullTime: NOW - 30 * DAY - 1 },
    { imageDigest: digest(3), imageTags: ['pushed-at-age'], imageSizeInBytes: 40, imagePushedAt: NOW - 30 * DAY },
    { imageDigest: digest(4), imageTags: ['pushed-past-age'], imageSizeInBytes: 80, imagePushedAt: NOW - 30 * DAY - 1 },
  ]);

  const report = await run({});

  assert.deepEqual(left('quay/edge/app'), [digest(1), digest(3)]);
  assert.equal(report.imagesEvicted, 2);
  assert.equal(report.bytesFreed, 100);
});

test('only repositories under the prefixes are touched: not a look-alike name, not another prefix', async () => {
  const old = [{ imageDigest: digest(1), imageTags: ['v1'], imageSizeInBytes: 10, imagePushedAt: NOW - 100 * DAY }];
  addRepository(ecr, 'quay/prometheus/prometheus', old);
  addRepository(ecr, 'quayside/app', old);
  addRepository(ecr, 'my-team/app', old);
  addRepository(ecr, 'ecr-public', old);

  await run({});

  assert.deepEqual(left('quay/prometheus/prometheus'), []);
  for (const name of ['quayside/app', 'my-team/app', 'ecr-public']) assert.deepEqual(left(name), [digest(1)], name);
  const touched = ecr.state.calls.filter((call) => call !== 'DescribeRepositories');
  assert.ok(touched.length > 0);
});

test('the images in use are kept by tag or digest, however old', async () => {
  addRepository(ecr, 'ecr-public/nginx/nginx', [
    { imageDigest: digest(1), imageTags: ['1.27'], imageSizeInBytes: 1, imagePushedAt: NOW - 400 * DAY },
    { imageDigest: digest(2), imageSizeInBytes: 1, imagePushedAt: NOW - 400 * DAY },
    { imageDigest: digest(3), imageTags: ['1.20'], imageSizeInBytes: 1, imagePushedAt: NOW - 400 * DAY },
  ]);

  const report = await run({ InUse: { 'ecr-public/nginx/nginx': ['1.27', digest(2)] } });

  assert.deepEqual(left('ecr-public/nginx/nginx'), [digest(1), digest(2)]);
  assert.equal(report.imagesKept, 2);
});

test('every page of repositories and of images is read', async () => {
  ecr.state.pageSize = 2;
  for (let r = 0; r < 5; r++) {
    addRepository(ecr, `quay/org/image${r}`, Array.from({ length: 5 }, (_, i) => ({ imageDigest: digest(r * 10 + i),
      imageTags: [`v${i}`], imageSizeInBytes: 100, imagePushedAt: NOW - 60 * DAY })));
  }

  const report = await run({});

  assert.equal(report.repositoriesScanned, 5);
  assert.equal(report.imagesEvicted, 25);
  assert.equal(report.bytesFreed, 2500);
  assert.equal(ecr.state.calls.filter((call) => call === 'DescribeRepositories').length, 3, 'DescribeRepositories paged');
  // 3 pages of 2 images for each of the 5 repositories, and a last look for each batch
  assert.equal(ecr.state.calls.filter((call) => call === 'DescribeImages').length, 5 * 3 + 5);
  for (let r = 0; r < 5; r++) assert.deepEqual(left(`quay/org/image${r}`), []);
});

test('throttled calls are retried', async (t) => {
  // the SDK's backoff for throttling waits Math.random() * 2^attempt * 500 ms: its jitter at zero, not its attempts
  t.mock.method(Math, 'random', () => 0);
  addRepository(ecr, 'quay/a/b', [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY }]);
  ecr.state.throttle = 2;

  const report = await run({});

  assert.equal(ecr.state.throttled >= 2, true);
  assert.equal(report.imagesEvicted, 1);
  assert.deepEqual(left('quay/a/b'), []);
});

test('an image deleted meanwhile (ImageNotFoundException on the last look) is skipped, the rest of its batch goes', async () => {
  addRepository(ecr, 'quay/a/b', [
    { imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY },
    { imageDigest: digest(2), imageTags: ['y'], imageSizeInBytes: 9, imagePushedAt: NOW - 60 * DAY },
  ]);
  // someone deletes image 1 after the listing, before the evictor's last look
  ecr.state.onCall = (operation, request, state) => {
    if (operation === 'DescribeImages' && request.imageIds) {
      const repository = state.repositories.get('quay/a/b');
      repository.images = repository.images.filter((image) => image.imageDigest !== digest(1));
    }
  };

  const report = await run({});

  assert.equal(report.imagesEvicted, 1);
  assert.equal(report.bytesFreed, 9);
  assert.equal(report.imagesGone, 1);
  assert.deepEqual(left('quay/a/b'), []);
});

test('an image pulled between the listing and the deletion is kept', async () => {
  addRepository(ecr, 'quay/a/b', [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7,
    imagePushedAt: NOW - 90 * DAY, lastRecordedPullTime: NOW - 60 * DAY }]);
  ecr.state.onCall = (operation, request, state) => {
    if (operation === 'DescribeImages' && request.imageIds) state.repositories.get('quay/a/b').images[0].lastRecordedPullTime = NOW;
  };

  const report = await run({});

  assert.equal(report.imagesEvicted, 0);
  assert.deepEqual(left('quay/a/b'), [digest(1)]);
  assert.equal(ecr.state.calls.includes('BatchDeleteImage'), false);
});

test('an old index goes before its platform manifests; a kept index keeps its manifests (ImageReferencedByManifestList)', async () => {
  const children = [{ imageDigest: digest(11), imageSizeInBytes: 500, imagePushedAt: NOW - 60 * DAY },
    { imageDigest: digest(12), imageSizeInBytes: 600, imagePushedAt: NOW - 60 * DAY }];
  addRepository(ecr, 'quay/old/index', [...children, { imageDigest: digest(10), imageTags: ['v1'], imageSizeInBytes: 600,
    imagePushedAt: NOW - 60 * DAY, imageManifestMediaType: [...INDEX_TYPES][0], manifests: [digest(11), digest(12)] }]);
  addRepository(ecr, 'quay/used/index', [...children.map((child) => ({ ...child })), { imageDigest: digest(10), imageTags: ['v1'],
    imageSizeInBytes: 600, imagePushedAt: NOW - 60 * DAY, imageManifestMediaType: [...INDEX_TYPES][0], manifests: [digest(11), digest(12)] }]);

  const report = await run({ InUse: { 'quay/used/index': ['v1'] } });

  assert.deepEqual(left('quay/old/index'), []);
  assert.deepEqual(left('quay/used/index').sort(), [digest(10), digest(11), digest(12)]);
  assert.equal(report.failures.length, 0);
});

test('a repository it emptied is deleted only when asked, and never one that a pull filled again', async () => {
  const old = () => [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY }];
  addRepository(ecr, 'quay/gone/one', old());
  addRepository(ecr, 'quay/refilled/one', old());
  addRepository(ecr, 'quay/kept/one', [...old(), { imageDigest: digest(2), imageTags: ['new'], imageSizeInBytes: 1, imagePushedAt: NOW }]);
  ecr.state.onCall = (operation, request, state) => {
    if (operation === 'DeleteRepository' && request.repositoryName === 'quay/refilled/one') {
      state.repositories.get('quay/refilled/one').images.push({ imageDigest: digest(3), imageTags: ['x'], imagePushedAt: NOW });
    }
  };

  const report = await run({ DeleteEmptyRepositories: 'true' });

  assert.equal(ecr.state.repositories.has('quay/gone/one'), false);
  assert.equal(ecr.state.repositories.has('quay/refilled/one'), true);
  assert.deepEqual(left('quay/kept/one'), [digest(2)]);
  assert.equal(report.repositoriesDeleted, 1);
  assert.equal(metrics()[0].RepositoriesDeleted, 1);
});

test('without DeleteEmptyRepositories an emptied repository stays', async () => {
  addRepository(ecr, 'quay/a/b', [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY }]);

  await run({});

  assert.equal(ecr.state.repositories.has('quay/a/b'), true);
  assert.equal(ecr.state.calls.includes('DeleteRepository'), false);
});

test('an archived image is left to its lifecycle rule', async () => {
  addRepository(ecr, 'quay/a/b', [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 300 * DAY,
    imageStatus: 'ARCHIVED' }]);

  const report = await run({});

  assert.equal(report.imagesEvicted, 0);
  assert.deepEqual(left('quay/a/b'), [digest(1)]);
});

test('out of time, the repositories left are reported unfinished and the metrics still published', async () => {
  addRepository(ecr, 'quay/a/b', [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY }]);

  const report = await run({}, 1000);

  assert.deepEqual(report.unfinished, ['quay/a/b']);
  assert.deepEqual(left('quay/a/b'), [digest(1)]);
  assert.equal(metrics().length, 1);
});

test('a run starts at another repository each day, so that a run too short for all still reaches each', async () => {
  for (const name of ['quay/a/one', 'quay/b/two', 'quay/c/three']) {
    addRepository(ecr, name, [{ imageDigest: digest(1), imageTags: ['x'], imageSizeInBytes: 7, imagePushedAt: NOW - 60 * DAY }]);
  }
  const firsts = new Set();
  for (let day = 0; day < 3; day++) {
    const dayHandler = require(HANDLER).createHandler({ ecr: new ECRClient({ maxAttempts: 5 }), now: () => (NOW + day * DAY) * 1000 });
    const report = await dayHandler({ Prefixes: ['quay'], MaxAgeDays: 30 }, context(1000));
    firsts.add(report.unfinished[0]);
  }
  assert.equal(firsts.size, 3);
});

test('input that would scope it to the whole registry is refused', async () => {
  await assert.rejects(() => handler({ Prefixes: ['ROOT'], MaxAgeDays: 30 }, context()), /never ROOT/);
  await assert.rejects(() => handler({ Prefixes: [], MaxAgeDays: 30 }, context()), /Prefixes/);
  await assert.rejects(() => handler({ Prefixes: ['quay'], MaxAgeDays: 0 }, context()), /MaxAgeDays/);
});
