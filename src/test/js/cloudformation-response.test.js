'use strict';
const { captureLog } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFakeEcr, cfnEvent, RESPONSE_SIGNATURE } = require('./fake-ecr');

const SHARED = '../../main/resources/io/github/pullthroughcache/handlers/shared/cloudformation.js';
const { customResource, CREATE_FAILED } = require(SHARED);

const log = captureLog();
let fake;
before(async () => {
  fake = await startFakeEcr();
});
after(() => fake.close());
beforeEach(() => Object.assign(fake.state, { responses: [], refuseAnswers: [], answerAttempts: 0 }));

const RESOURCE = { LogicalResourceId: 'Thing', ResourceType: 'Custom::Thing' };
const event = (requestType, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE, { Owner: 'Ptc1a2b3c4d' },
  undefined, physicalResourceId);
const context = (remainingMs = 300000) => ({ getRemainingTimeInMillis: () => remainingMs });
const lastResponse = () => fake.state.responses[fake.state.responses.length - 1];

function assertUrlNeverLogged() {
  assert.ok(!log.text().includes(RESPONSE_SIGNATURE), 'the signature is not logged');
  assert.ok(!log.text().includes('/cfn-response'), 'the URL is not logged');
  assert.ok(!log.text().includes(fake.url), 'the host is not logged');
}

test('an answer the response URL refuses twice (503, then a dropped connection) is sent again and delivered once', async () => {
  fake.state.refuseAnswers = [503, 'reset'];
  const handler = customResource(async () => ({ Value: 'done' }), { responseRetryDelayMs: 1 });
  await handler(event('Create'), context());

  assert.equal(fake.state.answerAttempts, 3);
  assert.equal(fake.state.responses.length, 1);
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(lastResponse().Data, { Value: 'done' });
  assert.equal(lastResponse().PhysicalResourceId, 'Thing-Ptc1a2b3c4d');
  assert.deepEqual(log.records().filter((record) => 'notDelivered' in record), [
    { answer: 'SUCCESS', notDelivered: 'HTTP 503', nextAttempt: 2 },
    { answer: 'SUCCESS', notDelivered: 'UND_ERR_SOCKET', nextAttempt: 3 },
  ]);
  assertUrlNeverLogged();
});

test('a FAILED answer is sent again too', async () => {
  fake.state.refuseAnswers = [500, 503];
  const handler = customResource(async () => { throw new Error('the work went wrong'); }, { responseRetryDelayMs: 1 });
  await handler(event('Update', 'Thing-Ptc1a2b3c4d'), context());

  assert.equal(fake.state.answerAttempts, 3);
  assert.equal(lastResponse().Status, 'FAILED');
  assert.equal(lastResponse().Reason, 'the work went wrong');
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data (the delivery options once landed there)');
  assert.equal(lastResponse().PhysicalResourceId, 'Thing-Ptc1a2b3c4d', 'an Update that fails keeps its id');
  assert.deepEqual(log.values('failed'), ['the work went wrong']);
  assertUrlNeverLogged();
});

test('a 403 (an expired URL) is not sent again: the invocation fails, for Lambda to try again', async () => {
  fake.state.refuseAnswers = [403];
  const handler = customResource(async () => ({}), { responseRetryDelayMs: 1 });
  await assert.rejects(handler(event('Create'), context()), /CloudFormation refused the SUCCESS answer: HTTP 403/);

  assert.equal(fake.state.answerAttempts, 1);
  assert.equal(fake.state.responses.length, 0);
  assertUrlNeverLogged();
});

test('an answer refused until the function\'s time runs out stops trying before the function is stopped', async () => {
  fake.state.refuseAnswers = Array(1000).fill(503);
  const handler = customResource(async () => ({}), { responseRetryDelayMs: 100, reserveMs: 0 });
  const started = Date.now();
  await assert.rejects(handler(event('Create'), context(2000)), /The SUCCESS answer did not reach CloudFormation in \d+ attempts: HTTP 503/);

  assert.ok(Date.now() - started < 2000, `stopped after ${Date.now() - started} ms`);
  assert.ok(fake.state.answerAttempts > 1);
  assertUrlNeverLogged();
});

test('a Delete of CREATE_FAILED does no work and succeeds', async () => {
  let worked = false;
  const handler = customResource(async () => { worked = true; }, { marksFailedCreate: true });
  await handler(event('Delete', CREATE_FAILED), context());

  assert.equal(worked, false);
  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
});

test('a Create that fails is answered CREATE_FAILED only when it wrote nothing, and only for handlers that mark it', async () => {
  const failing = (writes) => async (_, { wrote, refused }) => {
    for (const outcome of writes) {
      wrote();
      if (outcome === 'refused') refused();
    }
    throw new Error('then it failed');
  };
  await customResource(failing(['refused']), { marksFailedCreate: true })(event('Create'), context());
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED, 'a write the service refused wrote nothing');
  await customResource(failing(['refused', 'done']), { marksFailedCreate: true })(event('Create'), context());
  assert.equal(lastResponse().PhysicalResourceId, 'Thing-Ptc1a2b3c4d', 'it may have written: its Delete removes it');
  await customResource(failing([]))(event('Create'), context());
  assert.equal(lastResponse().PhysicalResourceId, 'Thing-Ptc1a2b3c4d', 'a handler that does not mark keeps its id');
  assert.equal(lastResponse().Status, 'FAILED');
});

test('a FAILED answer is delivered by the same deadline and first delay as a SUCCESS one', async () => {
  // the function has 1 s left: its answer's deadline is now, so one refusal ends the delivery at once
  fake.state.refuseAnswers = [503, 503, 503];
  const handler = customResource(async () => { throw new Error('the work went wrong'); }, { responseRetryDelayMs: 1 });
  await assert.rejects(handler(event('Update', 'Thing-Ptc1a2b3c4d'), context(1000)),
    /The FAILED answer did not reach CloudFormation in 1 attempts: HTTP 503/);
  assert.equal(fake.state.answerAttempts, 1);
});

test('a FAILED reason is one line: a message that spans lines (a JSON error body and its newline) is joined', async () => {
  const body = '{\n   "errors": [\n      {"code": "DENIED", "message": "requested access to the resource is denied"}\n   ]\n}\n';
  const handler = customResource(async () => { throw new Error(`GET /v2/team/app/manifests/v1: HTTP 403 ${body}`); });
  await handler(event('Update', 'Thing-Ptc1a2b3c4d'), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.equal(lastResponse().Reason, 'GET /v2/team/app/manifests/v1: HTTP 403 { "errors": [ {"code": "DENIED", '
    + '"message": "requested access to the resource is denied"} ] }');
  assert.deepEqual(lastResponse().Data, {});
});
