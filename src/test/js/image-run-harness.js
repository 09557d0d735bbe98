'use strict';
// An image run's handler driven as the deployed stack drives it: the state machine of an example stack's snapshot
// (test-snapshots/), run by the offline driver, invoking the handler per image and for the answer; CloudFormation's
// events reach the handler, whose StartExecution goes to the loopback fake of Step Functions; the run's bucket (the
// template's AWS::S3::Bucket under the prefix, named as the definition's Ref renders it) is in the loopback fake of
// S3, which the handler (RUN_BUCKET, as its function's environment names it) and the driver both use.
const path = require('node:path');
const { definitionFrom, runExecution } = require('./state-machine-driver');
const { startFakeStepFunctions } = require('./fake-step-functions');
const { startFakeS3 } = require('./fake-s3');

const SNAPSHOTS = path.join(__dirname, '..', '..', '..', 'test-snapshots');

/**
 * @param options { handler, template (a snapshot's file name), prefix (the state machine's logical id prefix),
 *   context() (the Lambda context of an invocation), secondMs (real milliseconds per state machine second) }
 */
async function startImageRun(options) {
  const { definition, template } = definitionFrom(path.join(SNAPSHOTS, options.template), options.prefix);
  const stateMachineArn = `arn:aws:states:eu-west-1:111111111111:stateMachine:${options.prefix}`;
  const harness = { definition, template, stateMachineArn, context: options.context(), invocations: [] };
  const buckets = Object.entries(template.Resources)
    .filter(([id, resource]) => resource.Type === 'AWS::S3::Bucket' && id.startsWith(options.prefix)).map(([id]) => id);
  const s3 = await startFakeS3(buckets);
  process.env.AWS_ENDPOINT_URL_S3 = s3.url;
  if (buckets.length > 0) process.env.RUN_BUCKET = buckets[0];
  const machine = {
    definition,
    s3,
    secondMs: options.secondMs === undefined ? 1 : options.secondMs,
    invoke: (functionArn, payload) => {
      harness.invocations.push({ functionArn, payload });
      return options.handler(payload, harness.context);
    },
    // the rule Stopped: EventBridge invokes the function with the execution's status change
    onStopped: (event) => options.handler(event, harness.context),
  };
  const sfn = await startFakeStepFunctions({ [stateMachineArn]: machine });
  Object.assign(harness, {
    sfn,
    s3,
    machine,
    /** A scheduled run ({ Images, ...settings }): the execution's outcome, its results as report. */
    run: async (input, context) => {
      const { Images, ...settings } = input;
      harness.context = context || options.context();
      const outcome = await runExecution(definition, { Images, Settings: settings, Request: {} }, machine);
      return { ...outcome, report: outcome.output && outcome.output.Results, counts: outcome.output && outcome.output.Outcome };
    },
    /** A CloudFormation event, and the execution it started, if any, to its end. */
    deploy: async (event, context) => {
      harness.context = context || options.context();
      const started = sfn.state.executions.length;
      const result = await options.handler(event, harness.context);
      const outcomes = await sfn.settled();
      return { result, execution: outcomes[started] };
    },
    close: () => Promise.all([sfn.close(), s3.close()]),
  });
  return harness;
}

module.exports = { startImageRun };
