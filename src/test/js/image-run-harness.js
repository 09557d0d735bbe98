'use strict';
// An image run's handler driven as the deployed stack drives it: the state machine of an example stack's snapshot
// (test-snapshots/), run by the offline driver, invoking the handler per image and for the answer; CloudFormation's
// events reach the handler, whose StartExecution goes to the loopback fake of Step Functions.
const path = require('node:path');
const { definitionFrom, runExecution } = require('./state-machine-driver');
const { startFakeStepFunctions } = require('./fake-step-functions');

const SNAPSHOTS = path.join(__dirname, '..', '..', '..', 'test-snapshots');

/**
 * @param options { handler, template (a snapshot's file name), prefix (the state machine's logical id prefix),
 *   context() (the Lambda context of an invocation), secondMs (real milliseconds per state machine second) }
 */
async function startImageRun(options) {
  const { definition, template } = definitionFrom(path.join(SNAPSHOTS, options.template), options.prefix);
  const stateMachineArn = `arn:aws:states:eu-west-1:111111111111:stateMachine:${options.prefix}`;
  const harness = { definition, template, stateMachineArn, context: options.context(), invocations: [] };
  const machine = {
    definition,
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
    close: () => sfn.close(),
  });
  return harness;
}

module.exports = { startImageRun };
