'use strict';
// The image copier's benchmark (mvn -Pbenchmark test-compile exec:java runs it after the cache warmer's): the handler
// against the loopback fakes, the upstream's blob host throttled to a fixed bandwidth as a CDN serves one client, and
// ECR's push API as the fake ECR answers it (JSON, each layer part base64-encoded, as the SDK sends it). It copies a
// list of images one at a time and several at a time, copies it again (nothing to upload), then copies one image
// whose single layer of 2 GB is made on the fly, in a process of its own with a small heap, and prints that
// process's peak resident memory. Wall time, throughput and memory are printed; nothing is asserted on time. The
// fake ECR decodes and hashes every part in this process, and the SDK encodes each in JavaScript: on one machine the
// figures are a lower bound of what a function reaches against ECR itself.
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startFakeEcr, useFake } = require('../../test/js/fake-ecr');
const { addPushApi } = require('../../test/js/fake-ecr-push');
const { startImageRun } = require('../../test/js/image-run-harness');
const { startFakeRegistry, generatedBlob } = require('../../test/js/fake-registry');

const MB = 1024 * 1024;
const IMAGES = Number(process.env.BENCHMARK_COPY_IMAGES || 8);
const LAYERS = 4;
const LAYER_MB = 8;
const RATES = { perConnection: 10 * MB, total: 160 * MB };
const BIG_LAYER_MB = Number(process.env.BENCHMARK_BIG_LAYER_MB || 2048);
const CHILD_HEAP_MB = 128;

function copyInChild(event) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`,
      path.join(__dirname, '../../test/js/copy-in-child.js')], { env: process.env,
      stdio: ['pipe', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').pop()))
      : reject(new Error(`the copy's process ${child.pid} exited ${code}`))));
    child.stdin.end(JSON.stringify(event));
  });
}

async function main() {
  const ecr = await startFakeEcr();
  useFake(ecr.url);
  let push = addPushApi(ecr, { createOnPush: ['mcr'] });
  const registry = await startFakeRegistry(null, { auth: { type: 'bearer', anonymous: true }, rates: RATES });
  const handler = require('../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js')
    .createHandler({ retryDelayMs: 10, reserveMs: 60000 });

  // each image its own layers: ECR keeps layers per repository, so every one is uploaded
  const images = Array.from({ length: IMAGES }, (_, i) => {
    const sourceRepository = `benchmark/image${i}`;
    registry.addImageOfLayers(sourceRepository, 'v1',
      Array.from({ length: LAYERS }, (__, l) => generatedBlob(LAYER_MB * MB, i * LAYERS + l + 1)));
    return { image: `mcr.microsoft.com/${sourceRepository}:v1`, upstream: registry.registryUrl, sourceRepository,
      reference: 'v1', repository: `mcr/${sourceRepository}` };
  });
  const megabytes = IMAGES * LAYERS * LAYER_MB;
  const context = { getRemainingTimeInMillis: () => 15 * 60000 };
  console.log(`image copier: ${IMAGES} images of ${LAYERS * LAYER_MB} MB (${LAYERS} layers), upstream blob host link `
    + `${RATES.total / MB} MB/s, ${RATES.perConnection / MB} MB/s per connection; ECR's push API on loopback`);

  const timed = async (label, run) => {
    // the handlers' log lines (one per image, JSON on standard output) would bury the figures
    const write = process.stdout.write;
    process.stdout.write = (chunk, ...rest) => (typeof chunk === 'string' ? true : write.call(process.stdout, chunk, ...rest));
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await run();
    } finally {
      process.stdout.write = write;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const copied = result.report.filter((entry) => entry.status === 'copied').length;
    const uploaded = result.report.reduce((sum, entry) => sum + (entry.bytesUploaded || 0), 0) / MB;
    console.log(`  ${label.padEnd(44)} ${String(copied).padStart(3)} of ${IMAGES} copied in ${seconds.toFixed(1).padStart(6)} s, `
      + `${uploaded.toFixed(0)} MB uploaded (${(uploaded / seconds).toFixed(1)} MB/s)`);
    return copied;
  };
  // the copier's state machine, as the Copied example synthesizes it, with the Map's MaxConcurrency (the copier's
  // imageConcurrency, a synthesis-time setting) set for each run
  // 100 ms a state machine second: its 3000 s timeout lasts 300 s, past each run
  const copier = await startImageRun({ handler, template: 'PullThroughCacheCopied.template.json',
    prefix: 'CacheCopierRun', context: () => context, secondMs: 100 });
  const run = (imageConcurrency, concurrency) => () => {
    copier.definition.States.Images.MaxConcurrency = imageConcurrency;
    return copier.run({ Images: images, Concurrency: String(concurrency) }, context);
  };

  const counts = [];
  counts.push(await timed('one image, one blob at a time', run(1, 1)));
  counts.push(await timed('again: copied already, nothing to upload', run(4, 4)));
  push = addPushApi(ecr, { createOnPush: ['mcr'] });
  counts.push(await timed('4 images at a time, 4 blobs each', run(4, 4)));
  push = addPushApi(ecr, { createOnPush: ['mcr'] });
  counts.push(await timed('4 images at a time, 8 blobs each', run(4, 8)));

  push = addPushApi(ecr, { createOnPush: ['mcr'] });
  const started = Date.now();
  const big = generatedBlob(BIG_LAYER_MB * MB, 2048);
  registry.addImageOfLayers('benchmark/big', 'v1', [big]);
  console.log(`  a layer of ${BIG_LAYER_MB} MB, made on the fly (its digest took ${((Date.now() - started) / 1000).toFixed(1)} s), `
    + `copied by a process of ${CHILD_HEAP_MB} MB of heap:`);
  const result = await copyInChild({ Images: [{ image: 'mcr.microsoft.com/benchmark/big:v1', upstream: registry.registryUrl,
    sourceRepository: 'benchmark/big', reference: 'v1', repository: 'mcr/benchmark/big' }] });
  const stored = push.repositories.get('mcr/benchmark/big');
  const same = stored && stored.layers.get(big.digest) === big.size;
  console.log(`    ${result.report[0].status} in ${result.seconds.toFixed(1)} s (${(BIG_LAYER_MB / result.seconds).toFixed(1)} MB/s), `
    + `${push.counts.parts} parts of at most ${push.mostPartBytes / MB} MB (config included), peak RSS ${(result.maxRssBytes / MB).toFixed(0)} MB, `
    + `digest in ECR ${same ? 'equal to' : 'NOT'} the upstream's`);

  await Promise.all([ecr.close(), registry.close(), copier.close()]);
  if (counts.some((count) => count !== IMAGES) || !same) {
    console.error('not every image was copied');
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
