'use strict';
// Runs an Amazon States Language definition as Step Functions would, for the states the image runs use (Pass, Task on
// a Lambda function ARN, Choice, Map inline and distributed, Fail, Succeed), offline: each Task's Lambda invocation
// goes to a handler of ours, in this process. Semantics from the States Language specification
// (https://states-language.net/spec.html) and the Step Functions guide: Retry (IntervalSeconds 1, MaxAttempts 3,
// BackoffRate 2 by default), Catch with ResultPath, a Node.js function's error name as the error matched, its
// { errorMessage, errorType } as the cause; an execution past TimeoutSeconds ends TIMED_OUT and, as every execution
// that ends other than SUCCEEDED, raises the EventBridge event "Step Functions Execution Status Change"
// (https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html).
// Time is virtual for waits between attempts (options.secondMs real milliseconds per second); the execution's
// timeout is measured in real time at that scale.
// Every state's input (after Parameters) and output, and every execution's input, is held to the 256 KiB of
// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: past it the state fails with
// States.DataLimitExceeded, which no Catch (not even States.ALL) catches
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html). A distributed Map reads its
// items with ItemReader (a JSON array in S3) and writes its results with ResultWriter: a manifest and result files
// under <Prefix>/<map run id>/, its output then only { MapRunArn, ResultWriterDetails: { Bucket, Key } }
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html), through options.s3.

const fs = require('node:fs');
const crypto = require('node:crypto');

/** The most bytes (UTF-8) of a state's input or output and of an execution's input. */
const PAYLOAD_LIMIT = 256 * 1024;

/** The definition of the state machine whose logical id starts with `prefix`, its references made ARNs. */
function definitionFrom(templatePath, prefix) {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  const [logicalId, machine] = Object.entries(template.Resources)
    .find(([id, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith(prefix)) || [];
  if (!machine) throw new Error(`no state machine ${prefix}* in ${templatePath}`);
  const render = (part) => {
    if (typeof part === 'string') return part;
    if (part.Ref) return part.Ref;
    if (part['Fn::GetAtt']) return `arn:aws:lambda:eu-west-1:111111111111:function:${part['Fn::GetAtt'][0]}`;
    if (part['Fn::Join']) return part['Fn::Join'][1].map(render).join(part['Fn::Join'][0]);
    throw new Error(`cannot render ${JSON.stringify(part)}`);
  };
  return { logicalId, template, definition: JSON.parse(render(machine.Properties.DefinitionString)) };
}

function pathGet(path, input, context) {
  if (path === '$') return input;
  if (path === '$$') return context;
  const [root, rest] = path.startsWith('$$.') ? [context, path.slice(3)] : [input, path.slice(2)];
  let value = root;
  for (const key of rest.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw Object.assign(new Error(`Invalid path '${path}': no such field`), { name: 'States.Runtime' });
    }
    value = value[key];
  }
  return value;
}

const isPresent = (path, input) => {
  try {
    pathGet(path, input, {});
    return true;
  } catch (missing) {
    return false;
  }
};

function pathSet(path, input, value) {
  if (path === null) return input;
  if (path === undefined || path === '$') return value;
  const copy = JSON.parse(JSON.stringify(input));
  const keys = path.slice(2).split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] = target[key] || {};
  target[keys[keys.length - 1]] = value;
  return copy;
}

function intrinsic(text, input, context) {
  const match = /^States\.ArrayLength\((.+)\)$/.exec(text);
  if (match) return pathGet(match[1], input, context).length;
  throw new Error(`intrinsic not known to the driver: ${text}`);
}

function evaluate(template, input, context) {
  if (Array.isArray(template)) return template.map((item) => evaluate(item, input, context));
  if (template === null || typeof template !== 'object') return template;
  const result = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      result[key.slice(0, -2)] = value.startsWith('States.') ? intrinsic(value, input, context) : pathGet(value, input, context);
    } else {
      result[key] = evaluate(value, input, context);
    }
  }
  return result;
}

const matches = (names, error) => names.some((name) => name === error
  || name === 'States.ALL' || (name === 'States.TaskFailed' && error !== 'States.Timeout'));

function choose(choice, input) {
  const test = (rule) => {
    if (rule.And) return rule.And.every(test);
    if (rule.Or) return rule.Or.some(test);
    if (rule.Not) return !test(rule.Not);
    if ('IsPresent' in rule) return isPresent(rule.Variable, input) === rule.IsPresent;
    const value = isPresent(rule.Variable, input) ? pathGet(rule.Variable, input, {}) : undefined;
    if ('NumericGreaterThan' in rule) return typeof value === 'number' && value > rule.NumericGreaterThan;
    if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
    if ('StringEquals' in rule) return value === rule.StringEquals;
    throw new Error(`choice rule not known to the driver: ${JSON.stringify(rule)}`);
  };
  const found = (choice.Choices || []).find(test);
  if (found) return found.Next;
  if (choice.Default) return choice.Default;
  throw Object.assign(new Error('no choice matched'), { name: 'States.NoChoiceMatched' });
}

/** A failure as a state reports it: { Error, Cause }; a terminal one no Catch or Retry matches. */
class StateError extends Error {
  constructor(error, cause, terminal = false) {
    super(`${error}: ${cause}`);
    this.error = error;
    this.cause = cause;
    this.terminal = terminal;
  }
}

/** States.DataLimitExceeded when the JSON of what is more than PAYLOAD_LIMIT bytes. */
function checkSize(what, value) {
  const bytes = Buffer.byteLength(JSON.stringify(value === undefined ? null : value), 'utf8');
  if (bytes > PAYLOAD_LIMIT) {
    throw new StateError('States.DataLimitExceeded', `The ${what} of ${bytes} bytes exceeds the maximum number of bytes `
      + `service limit (${PAYLOAD_LIMIT}).`, true);
  }
}

async function pool(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit || items.length, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(workers);
  return results;
}

/**
 * Runs the definition on the input.
 * @param options { invoke(functionArn, payload) → the function's result (throwing its error), secondMs (default 1),
 *   executionArn, onStopped(event) (the EventBridge target of an execution that did not succeed) }
 * @returns { status, output, error, cause, transitions, invocations, mapRuns, history }
 */
async function runExecution(definition, input, options) {
  const secondMs = options.secondMs === undefined ? 1 : options.secondMs;
  const executionArn = options.executionArn || 'arn:aws:states:eu-west-1:111111111111:execution:Run:test';
  const stats = { transitions: 0, invocations: 0, mapRuns: 0, history: [] };
  const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * secondMs));

  async function task(state, stateInput, context) {
    const payload = state.Parameters ? evaluate(state.Parameters, stateInput, context).Payload
      ?? evaluate(state.Parameters, stateInput, context) : stateInput;
    checkSize('input of the task', payload);
    for (let attempt = 0; ; attempt++) {
      try {
        stats.invocations++;
        return await options.invoke(state.Resource, payload);
      } catch (thrown) {
        const error = thrown.name && thrown.name !== 'Error' ? thrown.name : 'Error';
        const failure = new StateError(error, JSON.stringify({ errorType: error, errorMessage: thrown.message }));
        const retrier = (state.Retry || []).find((rule) => matches(rule.ErrorEquals, error));
        if (!retrier || attempt >= (retrier.MaxAttempts ?? 3)) throw failure;
        stats.transitions++;
        stats.history.push({ retried: state.Resource, error, attempt: attempt + 1 });
        await sleep((retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt);
      }
    }
  }

  /** The items of a Map: its ItemsPath, or the JSON array its ItemReader reads from S3. */
  function itemsOf(state, stateInput, context) {
    if (!state.ItemReader) return pathGet(state.ItemsPath || '$', stateInput, context);
    const reader = state.ItemReader;
    if (!/:s3:getObject$/.test(reader.Resource) || (reader.ReaderConfig || {}).InputType !== 'JSON') {
      throw new Error(`item reader not known to the driver: ${JSON.stringify(reader)}`);
    }
    const { Bucket, Key } = evaluate(reader.Parameters, stateInput, context);
    let items;
    try {
      items = JSON.parse(options.s3.getObject(Bucket, Key).body.toString('utf8'));
    } catch (error) {
      throw new StateError('States.ItemReaderFailed', `${error.name}: ${error.message} (s3://${Bucket}/${Key})`);
    }
    if (!Array.isArray(items)) throw new StateError('States.ItemReaderFailed', 'Attempting to map over non-iterable node.');
    return items;
  }

  /** The results of a distributed Map written to S3 as ResultWriter does: the Map's output is their manifest. */
  function writeResults(name, state, stateInput, context, results) {
    const { Bucket, Prefix } = evaluate(state.ResultWriter.Parameters, stateInput, context);
    const config = state.ResultWriter.WriterConfig || { Transformation: 'NONE', OutputType: 'JSON' };
    if (config.Transformation !== 'COMPACT') throw new Error(`transformation not known to the driver: ${config.Transformation}`);
    const mapRunId = crypto.randomUUID();
    const mapRunArn = `${executionArn.replace(':execution:', ':mapRun:').replace(/:[^:]*$/, '')}/${state.Label || name}:${mapRunId}`;
    const folder = `${Prefix ? `${Prefix}/` : ''}${mapRunId}`;
    const body = config.OutputType === 'JSONL' ? results.map((each) => JSON.stringify(each)).join('\n')
      : JSON.stringify(results);
    const resultKey = `${folder}/SUCCEEDED_0.json`;
    options.s3.putObject(Bucket, resultKey, body, 'application/json');
    const manifest = { DestinationBucket: Bucket, MapRunArn: mapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: resultKey, Size: Buffer.byteLength(body) }] } };
    options.s3.putObject(Bucket, `${folder}/manifest.json`, JSON.stringify(manifest), 'application/json');
    stats.history.push({ resultsWritten: `s3://${Bucket}/${folder}/manifest.json` });
    return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: `${folder}/manifest.json` } };
  }

  async function map(name, state, stateInput, context) {
    const items = itemsOf(state, stateInput, context);
    const processor = state.ItemProcessor || state.Iterator;
    const distributed = processor.ProcessorConfig && processor.ProcessorConfig.Mode === 'DISTRIBUTED';
    if (distributed) stats.mapRuns++;
    const results = await pool(items, state.MaxConcurrency, async (item, index) => {
      const itemContext = { ...context, Map: { Item: { Index: index, Value: item } } };
      const itemInput = state.ItemSelector ? evaluate(state.ItemSelector, stateInput, itemContext) : item;
      // a distributed Map's iteration is a child execution, whose input has the execution's limit
      if (distributed) checkSize('input of the child execution', itemInput);
      return runStates(processor, itemInput, context);
    });
    return state.ResultWriter ? writeResults(name, state, stateInput, context, results) : results;
  }

  async function runStates(machine, machineInput, context) {
    let name = machine.StartAt;
    let current = machineInput;
    for (;;) {
      const state = machine.States[name];
      stats.transitions++;
      stats.history.push({ entered: name });
      try {
        checkSize(`input of state ${name}`, current);
        let effective = state.InputPath ? pathGet(state.InputPath, current, context) : current;
        if (state.Type === 'Succeed') return effective;
        if (state.Type === 'Fail') {
          throw new StateError(state.Error, state.CausePath ? pathGet(state.CausePath, current, context) : state.Cause);
        }
        if (state.Type === 'Choice') {
          name = choose(state, effective);
          continue;
        }
        let result;
        if (state.Type === 'Pass') result = state.Parameters ? evaluate(state.Parameters, effective, context) : effective;
        else if (state.Type === 'Task') result = await task(state, effective, context);
        else if (state.Type === 'Map') result = await map(name, state, effective, context);
        else throw new Error(`state type not known to the driver: ${state.Type}`);
        checkSize(`result of state ${name}`, result);
        current = pathSet(state.ResultPath, current, result);
        if (state.OutputPath) current = pathGet(state.OutputPath, current, context);
        checkSize(`output of state ${name}`, current);
      } catch (thrown) {
        if (!(thrown instanceof StateError) || thrown.terminal) throw thrown;
        const catcher = (state.Catch || []).find((rule) => matches(rule.ErrorEquals, thrown.error));
        if (!catcher) throw thrown;
        current = pathSet(catcher.ResultPath, current, { Error: thrown.error, Cause: thrown.cause });
        name = catcher.Next;
        continue;
      }
      if (state.End) return current;
      name = state.Next;
    }
  }

  const context = { Execution: { Id: executionArn, Input: input, Name: executionArn.split(':').pop() } };
  let timer;
  const timeout = new Promise((resolve) => {
    if (definition.TimeoutSeconds) {
      timer = setTimeout(() => resolve({ status: 'TIMED_OUT', error: 'States.Timeout' }), definition.TimeoutSeconds * secondMs);
    }
  });
  let outcome;
  try {
    outcome = await Promise.race([runStates(definition, input, context)
      .then((output) => ({ status: 'SUCCEEDED', output }))
      .catch((thrown) => {
        if (thrown instanceof StateError) return { status: 'FAILED', error: thrown.error, cause: thrown.cause };
        throw thrown;
      }), timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (outcome.status !== 'SUCCEEDED' && options.onStopped) {
    await options.onStopped({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { executionArn, status: outcome.status, input: JSON.stringify(input), error: outcome.error,
        cause: outcome.cause },
    });
  }
  return { ...outcome, ...stats };
}

module.exports = { definitionFrom, runExecution, PAYLOAD_LIMIT };
