'use strict';
// The cache warmer's benchmark (mvn -Pbenchmark test-compile exec:java runs it after the synthesis benchmark):
// the handler against the loopback fakes, the blob host's link throttled to a fixed bandwidth, as a CDN serves
// one client. It warms the same list one image at a time (the warmer's old, sequential path) and several at a
// time, then once more with an invocation deadline too short for the list, the rest handed on to new invocations
// as at deployment. Wall time and images warmed are printed; nothing is asserted on time.
const crypto = require('node:crypto');
const { startFakeEcr, useFake, cfnEvent } = require('../../test/js/fake-ecr');
const { startFakeRegistry, blob } = require('../../test/js/fake-registry');
const { startFakeSsm } = require('../../test/js/fake-ssm');
const { startFakeLambda } = require('../../test/js/fake-lambda');

const MB = 1024 * 1024;
const IMAGES = Number(process.env.BENCHMARK_IMAGES || 200);
const IMAGE_MB = 20;
const LAYERS = 4;
const RATES = { perConnection: 10 * MB, total: 160 * MB };
const RESERVE_MS = 60000;
const INVOCATION_MS = 8000;
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:Benchmark-Warmer';

async function main() {
  const ecr = await startFakeEcr();
  useFake(ecr.url);
  const registry = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`, { rates: RATES });
  const ssm = await startFakeSsm();
  const lambda = await startFakeLambda();
  lambda.state.functions.add(FUNCTION_ARN);
  process.env.REGISTRY_URL = registry.registryUrl;
  process.env.DEFERRED_PARAMETER = '/pull-through-cache/Benchmark/PtcBenchmark/deferred';
  const handler = require('../../main/resources/io/github/pullthroughcache/handlers/cache-warmer/index.js')
    .createHandler({ retryDelayMs: 10, reserveMs: RESERVE_MS });

  // the images share their layers, so that the list needs 20 MB of memory, not 4 GB; each is pulled in full
  const layers = Array.from({ length: LAYERS }, () => blob(crypto.randomBytes((IMAGE_MB / LAYERS) * MB)));
  const images = Array.from({ length: IMAGES }, (_, i) => {
    const repository = `ecr-public/benchmark/image${i}`;
    registry.addImageOfLayers(repository, 'v1', layers);
    return { image: `public.ecr.aws/benchmark/image${i}:v1`, repository, reference: 'v1' };
  });
  const context = (remainingMs) => ({ getRemainingTimeInMillis: () => remainingMs, invokedFunctionArn: FUNCTION_ARN });
  const megabytes = (IMAGES * IMAGE_MB);
  console.log(`cache warmer: ${IMAGES} images of ${IMAGE_MB} MB (${LAYERS} layers), blob host link ${RATES.total / MB} MB/s, `
    + `${RATES.perConnection / MB} MB/s per connection`);

  const timed = async (label, run) => {
    ssm.state.parameters.clear();
    // the handler's log lines (one per image) would bury the figures
    const log = console.log;
    console.log = () => {};
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await run();
    } finally {
      console.log = log;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`  ${label.padEnd(58)} ${String(result.warmed).padStart(4)} of ${IMAGES} warmed in `
      + `${seconds.toFixed(1).padStart(6)} s (${(megabytes / seconds).toFixed(0)} MB/s)${result.note || ''}`);
    return result;
  };
  const warmed = (report) => report.filter((entry) => entry.status === 'warmed').length;

  const sequential = await timed('one image at a time (the old path; 4 blobs at a time)', async () => {
    const result = await handler({ Images: images, ImageConcurrency: '1', Concurrency: '4' }, context(15 * 60000));
    return { warmed: warmed(result.report) };
  });
  const parallel = await timed('4 images at a time, 4 blobs each', async () => {
    const result = await handler({ Images: images, ImageConcurrency: '4', Concurrency: '4' }, context(15 * 60000));
    return { warmed: warmed(result.report) };
  });
  const continued = await timed(`at deployment, ${INVOCATION_MS / 1000} s per invocation`, async () => {
    lambda.state.invocations = [];
    const responses = ecr.state.responses.length;
    await handler(cfnEvent(ecr, 'Create', { LogicalResourceId: 'Warmer', ResourceType: 'Custom::EcrCacheWarmer' },
      { Owner: 'PtcBenchmark', Images: images, ImageConcurrency: '4', Concurrency: '4' }), context(RESERVE_MS + INVOCATION_MS));
    for (let played = 0; played < lambda.state.invocations.length; played++) {
      await handler(lambda.state.invocations[played].payload, context(RESERVE_MS + INVOCATION_MS));
    }
    const answers = ecr.state.responses.slice(responses);
    const answer = answers[answers.length - 1];
    return { warmed: answer.Data.Warmed, note: `, ${lambda.state.invocations.length + 1} invocations, `
      + `${answers.length} answer: ${answer.Status} ${JSON.stringify(answer.Data)}` };
  });

  await Promise.all([ecr.close(), registry.close(), ssm.close(), lambda.close()]);
  if (sequential.warmed !== IMAGES || parallel.warmed !== IMAGES || continued.warmed !== IMAGES) {
    console.error('not every image was warmed');
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
