'use strict';
// A loopback fake of Step Functions' StartExecution (AWS JSON 1.0, x-amz-target AWSStepFunctions.StartExecution) that
// runs each execution it starts with the offline driver (state-machine-driver.js), in the background, as the service
// does: the call returns the execution's ARN at once. As the service: an unknown state machine is
// StateMachineDoesNotExist (400); a name of more than 80 characters or other than letters, digits, - and _ is
// InvalidName; a name used already with the same input returns that execution (idempotent), with another input
// ExecutionAlreadyExists; an input of more than 256 KiB is refused (ValidationException, the API's length constraint
// on input). https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
const { startAwsJsonServer } = require('./aws-json-server');
const { runExecution, PAYLOAD_LIMIT } = require('./state-machine-driver');

/**
 * @param machines { [stateMachineArn]: { definition, invoke(functionArn, payload), onStopped(event), secondMs } }
 * @returns a promise of { state, url, close, settled() }: state.executions holds { arn, name, input, outcome }
 */
async function startFakeStepFunctions(machines) {
  const state = { executions: [], calls: [] };
  const server = await startAwsJsonServer((request, body, operation, reply) => {
    const error = (type, message) => reply(400, { __type: type, message });
    const input = JSON.parse(body || '{}');
    state.calls.push({ operation, input });
    if (operation !== 'StartExecution') return error('UnknownOperationException', operation);
    const machine = machines[input.stateMachineArn];
    if (!machine) return error('StateMachineDoesNotExist', `State Machine Does Not Exist: '${input.stateMachineArn}'`);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(input.name || '')) return error('InvalidName', `Invalid Name: '${input.name}'`);
    if (Buffer.byteLength(input.input || '', 'utf8') > PAYLOAD_LIMIT) {
      return error('ValidationException', "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        + `Member must have length less than or equal to ${PAYLOAD_LIMIT}`);
    }
    const arn = `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`;
    const existing = state.executions.find((execution) => execution.arn === arn);
    if (existing) {
      if (existing.input !== input.input) return error('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      return reply(200, { executionArn: arn, startDate: existing.startDate });
    }
    const execution = { arn, name: input.name, input: input.input, startDate: Date.now() / 1000 };
    execution.outcome = runExecution(machine.definition, JSON.parse(input.input), { ...machine, executionArn: arn });
    state.executions.push(execution);
    return reply(200, { executionArn: arn, startDate: execution.startDate });
  });
  process.env.AWS_ENDPOINT_URL_SFN = server.url;
  return { state, url: server.url, close: server.close,
    settled: () => Promise.all(state.executions.map((execution) => execution.outcome)) };
}

module.exports = { startFakeStepFunctions };
