'use strict';
// The handlers' runtime (shared/): one retry helper, one JSON-lines logger, one SDK-client factory, one custom
// resource entry; and every shared module a handler requires is in the asset the Java side builds.
const { captureLog } = require('./handler-log');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ECRClient } = require('@aws-sdk/client-ecr');
const { startFakeEcr, cfnEvent, RESPONSE_SIGNATURE } = require('./fake-ecr');

const HANDLERS = path.join(__dirname, '../../main/resources/io/github/pullthroughcache/handlers');
const { backoff, waitToRetry, withRetries } = require(`${HANDLERS}/shared/retry`);
const { createLogger, MASK } = require(`${HANDLERS}/shared/log`);
const { awsClient, CLIENT_CONFIG } = require(`${HANDLERS}/shared/aws-clients`);
const { customResource } = require(`${HANDLERS}/shared/cloudformation`);

const log = captureLog();
let fake;
before(async () => {
  fake = await startFakeEcr();
});
after(() => fake.close());

/** A clock that moves only when slept on: the tests never wait. */
function fakeClock(start = 1000) {
  const clock = { time: start, waits: [] };
  clock.now = () => clock.time;
  clock.sleep = async (ms) => {
    clock.waits.push(ms);
    clock.time += ms;
  };
  return clock;
}

test('backoff doubles from the first delay, stays between half of its bound and all of it, and is capped', () => {
  const options = { firstDelayMs: 100, maxDelayMs: 500 };
  assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => backoff(attempt, { ...options, random: () => 0 })), [50, 100, 200, 250, 250]);
  assert.deepEqual([1, 2, 3, 4, 5].map((attempt) => backoff(attempt, { ...options, random: () => 0.999999 }))
    .map(Math.round), [100, 200, 400, 500, 500]);
  for (let i = 0; i < 100; i++) {
    const delay = backoff(3, { firstDelayMs: 100 });
    assert.ok(delay >= 200 && delay <= 400, `${delay} within [200, 400]`);
  }
  assert.ok(Number.isFinite(backoff(2000, { firstDelayMs: 1000, random: () => 0 })), 'no overflow to Infinity');
});

test('withRetries tries again what is retryable, with the backoff on the given clock, and returns the result', async () => {
  const clock = fakeClock();
  const seen = [];
  const result = await withRetries(async (attempt) => {
    if (attempt < 3) throw Object.assign(new Error(`busy ${attempt}`), { busy: true });
    return 'done';
  }, { firstDelayMs: 100, random: () => 0, clock, retryable: (error) => error.busy,
    onRetry: (error, attempt, delay) => seen.push([error.message, attempt, delay]) });

  assert.equal(result, 'done');
  assert.deepEqual(clock.waits, [50, 100]);
  assert.deepEqual(seen, [['busy 1', 1, 50], ['busy 2', 2, 100]]);
});

test('withRetries throws at once what is not retryable, and exhausted() when attempts or time run out', async () => {
  const clock = fakeClock();
  const final = new Error('refused');
  await assert.rejects(withRetries(async () => { throw final; }, { firstDelayMs: 1, clock, retryable: () => false }),
    (error) => error === final);
  assert.deepEqual(clock.waits, []);

  let tries = 0;
  await assert.rejects(withRetries(async () => { tries++; throw new Error('busy'); }, { firstDelayMs: 10, attempts: 4,
    random: () => 0, clock, exhausted: (error, attempt) => new Error(`gave up after ${attempt}: ${error.message}`) }),
  /^Error: gave up after 4: busy$/);
  assert.equal(tries, 4);
  assert.deepEqual(clock.waits, [5, 10, 20]);

  // the next wait would end at the deadline: no wait, no further try
  const timed = fakeClock(0);
  tries = 0;
  await assert.rejects(withRetries(async () => { tries++; throw new Error('busy'); }, { firstDelayMs: 100,
    random: () => 0, clock: timed, until: 150 }), /^Error: busy$/);
  assert.equal(tries, 2);
  assert.deepEqual(timed.waits, [50]);
});

test('withRetries waits what the failure names (a Retry-After) instead of the backoff', async () => {
  const clock = fakeClock();
  await withRetries(async (attempt) => {
    if (attempt === 1) throw Object.assign(new Error('429'), { retryAfterMs: 3000 });
  }, { firstDelayMs: 1, clock, delayOf: (error) => error.retryAfterMs });
  assert.deepEqual(clock.waits, [3000]);
});

test('waitToRetry waits the backoff and says false, waiting nothing, when the wait would pass the deadline', async () => {
  const clock = fakeClock(0);
  const logged = [];
  assert.equal(await waitToRetry(3, { firstDelayMs: 100, maxDelayMs: 150, random: () => 0, clock, until: 1000,
    onWait: (delay) => logged.push(delay) }), true);
  assert.deepEqual(clock.waits, [75]);
  assert.deepEqual(logged, [75]);
  assert.equal(await waitToRetry(1, { firstDelayMs: 2000, random: () => 0, clock, until: 1000 }), false);
  assert.deepEqual(clock.waits, [75]);
});

test('the logger writes one JSON object per line, and never a credential, a pre-signed URL\'s query or a token', () => {
  const lines = [];
  const write = createLogger((line) => lines.push(line));
  write({ removed: 'quay/app', count: 2 });
  write({ failed: 'quay/app:v1', message: 'GET https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=abc123&X-Amz-Credential=AKIA1 failed\nthen more' });
  write({ answer: 'FAILED', ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/x?sig=1',
    authorization: 'Basic dXNlcjpwYXNz', headers: { Authorization: 'Bearer eyJhbGciOi.x.y' }, token: 'ghp_secret' });
  write({ failed: new TypeError('token exchange sent Bearer eyJ0eXAi.abc.def') });

  assert.equal(lines.length, 4);
  assert.ok(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1), 'one line each');
  const records = lines.map((line) => JSON.parse(line));
  assert.deepEqual(records[0], { removed: 'quay/app', count: 2 });
  assert.equal(records[1].message, `GET https://bucket.s3.amazonaws.com/blob?${MASK} failed\nthen more`);
  assert.deepEqual(records[2], { answer: 'FAILED', ResponseURL: MASK, authorization: MASK, headers: { Authorization: MASK },
    token: MASK });
  assert.equal(records[3].failed, `TypeError: token exchange sent Bearer ${MASK}`);
  const text = lines.join('');
  for (const secret of ['abc123', 'AKIA1', 'dXNlcjpwYXNz', 'eyJhbGciOi', 'ghp_secret', 'eyJ0eXAi']) {
    assert.ok(!text.includes(secret), secret);
  }
});

test('every SDK client is built with the standard retry mode and 8 attempts; a test\'s client is used as it is', async () => {
  assert.deepEqual({ ...CLIENT_CONFIG }, { maxAttempts: 8, retryMode: 'standard' });
  const built = awsClient(ECRClient, undefined);
  assert.equal(await built.config.maxAttempts(), 8);
  assert.equal((await built.config.retryStrategy()).mode, 'standard');
  const given = new ECRClient({ maxAttempts: 2 });
  assert.equal(awsClient(ECRClient, given), given);
});

const context = (remainingMs = 300000) => ({ getRemainingTimeInMillis: () => remainingMs });
const RESOURCE = { LogicalResourceId: 'Thing', ResourceType: 'Custom::Thing' };

test('the custom resource entry hands other events to otherwise, and refuses them without it', async () => {
  const handler = customResource(async () => ({}), { otherwise: async (event) => ({ scheduled: event.Prefixes }) });
  assert.deepEqual(await handler({ Prefixes: ['quay'] }, context()), { scheduled: ['quay'] });
  await assert.rejects(customResource(async () => ({}))({ Prefixes: ['quay'] }, context()),
    /invoked with an event that is not a custom resource's: \["Prefixes"\]/);
});

test('the entry logs the request as JSON, and the answer\'s first retry waits half a second at least by default', async () => {
  Object.assign(fake.state, { responses: [], refuseAnswers: [503], answerAttempts: 0 });
  const handler = customResource(async () => ({ Value: 'done' }));
  const started = Date.now();
  await handler(cfnEvent(fake, 'Create', RESOURCE, { Owner: 'Ptc1a2b3c4d' }), context());

  assert.equal(fake.state.answerAttempts, 2);
  assert.ok(Date.now() - started >= 500, `waited ${Date.now() - started} ms: the default first delay is 1 s`);
  assert.deepEqual(log.records().slice(0, 2), [{ request: 'Create', resource: 'Thing' },
    { answer: 'SUCCESS', notDelivered: 'HTTP 503', nextAttempt: 2 }]);
  assert.ok(!log.text().includes(RESPONSE_SIGNATURE), 'the signature is not logged');
});

test('every module a handler requires from shared/ is in the asset HandlerCode builds', () => {
  const java = fs.readFileSync(path.join(__dirname,
    '../../main/java/io/github/pullthroughcache/internal/HandlerCode.java'), 'utf8');
  const listed = new Set([.../SHARED = List\.of\(([^)]*)\)/s.exec(java)[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  const required = new Set();
  const files = [...fs.readdirSync(HANDLERS).filter((name) => name !== 'shared').map((name) => `${name}/index.js`),
    ...fs.readdirSync(`${HANDLERS}/shared`).map((name) => `shared/${name}`)];
  for (const file of files) {
    const text = fs.readFileSync(`${HANDLERS}/${file}`, 'utf8');
    for (const [, name] of text.matchAll(/require\('(?:\.\.\/shared|\.)\/([a-z-]+)'\)/g)) required.add(`${name}.js`);
  }
  assert.ok(required.size >= 9, [...required].join(', '));
  assert.deepEqual([...required].filter((name) => !listed.has(name)), []);
  assert.deepEqual(fs.readdirSync(`${HANDLERS}/shared`).filter((name) => !listed.has(name)), [], 'no shared file left out');
});
