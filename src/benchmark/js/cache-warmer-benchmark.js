'use strict';
// The cache warmer's benchmark (mvn -Pbenchmark test-compile exec:java runs it after the synthesis benchmark): 200
// images warmed at deployment, before and after issue 33, in one run, against the same loopback fakes, the blob
// host's link throttled to a fixed bandwidth as a CDN serves one client:
// - before: the self-invoking function of commit BEFORE (its handlers taken from git), with an invocation deadline of
//   8 s standing for Lambda's 15 minutes: each invocation hands the rest to the next, the last one answers;
// - after: this tree's handler driven by the state machine of the Warmed example (test-snapshots/), one invocation
//   per image, 4 at a time (the Map's MaxConcurrency), then one for the answer.
// It prints the time from CloudFormation's event to its answer, the Lambda invocations, the state transitions, the
// Lambda GB-seconds (512 MB times each invocation's time) and the cost of one run at public prices; it fails when an
// image is not warmed, never on time.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startFakeEcr, useFake, cfnEvent } = require('../../test/js/fake-ecr');
const { startFakeRegistry, blob } = require('../../test/js/fake-registry');
const { startFakeSsm } = require('../../test/js/fake-ssm');
const { startFakeLambda } = require('../../test/js/fake-lambda');
const { startImageRun } = require('../../test/js/image-run-harness');

/** The last commit whose warmer invoked itself, with its deferred images in an SSM parameter. */
const BEFORE = '5317aa9';
const ROOT = path.join(__dirname, '..', '..', '..');
const HANDLERS = 'src/main/resources/io/github/pullthroughcache/handlers';
const MB = 1024 * 1024;
const IMAGES = Number(process.env.BENCHMARK_IMAGES || 200);
const IMAGE_MB = 20;
const LAYERS = 4;
const RATES = { perConnection: 10 * MB, total: 160 * MB };
const RESERVE_MS = 60000;
const INVOCATION_MS = 8000;
const MEMORY_GB = 512 / 1024;
// public prices, us-east-1 and eu-west-1: Lambda $0.20 per million requests and $0.0000166667 per GB-second (x86)
// (https://aws.amazon.com/lambda/pricing/); Step Functions standard workflows $0.025 per 1,000 state transitions
// (https://aws.amazon.com/step-functions/pricing/); free tiers left out
const PRICE = { request: 0.2 / 1e6, gbSecond: 0.0000166667, transition: 0.025 / 1000 };
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:111111111111:function:Benchmark-Warmer';

/** The handlers of commit BEFORE, under target/ so that they find this tree's node_modules. */
function handlersBefore() {
  const into = path.join(ROOT, 'target', 'benchmark-before');
  fs.rmSync(into, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  const archive = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', BEFORE, HANDLERS]);
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  return path.join(into, HANDLERS);
}

const cost = ({ invocations, gbSeconds, transitions }) => invocations * PRICE.request + gbSeconds * PRICE.gbSecond
  + transitions * PRICE.transition;

async function main() {
  const ecr = await startFakeEcr();
  useFake(ecr.url);
  const registry = await startFakeRegistry(`Basic ${ecr.state.authorizationToken}`, { rates: RATES });
  const ssm = await startFakeSsm();
  const lambda = await startFakeLambda();
  lambda.state.functions.add(FUNCTION_ARN);
  process.env.REGISTRY_URL = registry.registryUrl;

  // the images share their layers, so that the list needs 20 MB of memory, not 4 GB; each is pulled in full
  const layers = Array.from({ length: LAYERS }, () => blob(crypto.randomBytes((IMAGE_MB / LAYERS) * MB)));
  const images = Array.from({ length: IMAGES }, (_, i) => {
    const repository = `ecr-public/benchmark/image${i}`;
    registry.addImageOfLayers(repository, 'v1', layers);
    return { image: `public.ecr.aws/benchmark/image${i}:v1`, repository, reference: 'v1' };
  });
  console.log(`cache warmer at deployment: ${IMAGES} images of ${IMAGE_MB} MB (${LAYERS} layers), blob host link `
    + `${RATES.total / MB} MB/s, ${RATES.perConnection / MB} MB/s per connection`);

  const measured = async (label, run) => {
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
    const answer = ecr.state.responses[ecr.state.responses.length - 1];
    const figures = { ...result, seconds, warmed: answer.Data.Warmed };
    console.log(`  ${label.padEnd(44)} ${answer.Status} ${JSON.stringify({ ...answer.Data, NotWarmed: undefined })} `
      + `after ${seconds.toFixed(1)} s; `
      + `${figures.invocations} Lambda invocations, ${figures.transitions} state transitions, `
      + `${figures.gbSeconds.toFixed(1)} GB-s: $${cost(figures).toFixed(5)} a run`);
    return figures;
  };
  const timedInvocation = async (invoke) => {
    const started = process.hrtime.bigint();
    try {
      return await invoke();
    } finally {
      timedInvocation.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    }
  };

  const before = await measured(`before (${BEFORE}): self-invoking, ${INVOCATION_MS / 1000} s per invocation`, async () => {
    process.env.DEFERRED_PARAMETER = '/pull-through-cache/Benchmark/PtcBenchmark/deferred';
    const handler = require(path.join(handlersBefore(), 'cache-warmer', 'index.js'))
      .createHandler({ retryDelayMs: 10, reserveMs: RESERVE_MS });
    const context = { getRemainingTimeInMillis: () => RESERVE_MS + INVOCATION_MS, invokedFunctionArn: FUNCTION_ARN };
    timedInvocation.seconds = 0;
    await timedInvocation(() => handler(cfnEvent(ecr, 'Create', { LogicalResourceId: 'Warmer',
      ResourceType: 'Custom::EcrCacheWarmer' }, { Owner: 'PtcBenchmark', Images: images, ImageConcurrency: '4',
      Concurrency: '4' }), context));
    for (let played = 0; played < lambda.state.invocations.length; played++) {
      await timedInvocation(() => handler(lambda.state.invocations[played].payload, context));
    }
    delete process.env.DEFERRED_PARAMETER;
    return { invocations: lambda.state.invocations.length + 1, transitions: 0,
      gbSeconds: timedInvocation.seconds * MEMORY_GB };
  });

  const after = await measured('after: a state machine, one invocation per image', async () => {
    const handler = require('../../main/resources/io/github/pullthroughcache/handlers/cache-warmer/index.js')
      .createHandler({ retryDelayMs: 10, reserveMs: RESERVE_MS });
    let seconds = 0;
    const timed = async (event, context) => {
      const started = process.hrtime.bigint();
      try {
        return await handler(event, context);
      } finally {
        seconds += Number(process.hrtime.bigint() - started) / 1e9;
      }
    };
    const run = await startImageRun({ handler: timed, template: 'PullThroughCacheWarmed.template.json',
      // 100 ms a state machine second: its 3000 s timeout lasts 300 s, past the run
      prefix: 'WarmerRun', context: () => ({ getRemainingTimeInMillis: () => 15 * 60000 }), secondMs: 100 });
    try {
      const { execution } = await run.deploy(cfnEvent(ecr, 'Create', { LogicalResourceId: 'Warmer',
        ResourceType: 'Custom::EcrCacheWarmer' }, { Owner: 'PtcBenchmark', Images: images, Concurrency: '4',
        StateMachine: run.stateMachineArn }));
      return { invocations: execution.invocations + 1, transitions: execution.transitions, gbSeconds: seconds * MEMORY_GB };
    } finally {
      await run.close();
    }
  });

  await Promise.all([ecr.close(), registry.close(), ssm.close(), lambda.close()]);
  // the old path may not fit the list in its four invocations: that is its figure, not a failure
  if (after.warmed !== IMAGES) {
    console.error(`the state machine warmed ${after.warmed} of ${IMAGES} images (before: ${before.warmed})`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
