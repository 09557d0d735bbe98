'use strict';
// set before the first client: the AWS SDK's Node version warning stays off
const { captureStdout } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');

const { ECRClient } = require('@aws-sdk/client-ecr');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/credential-validator/index.js';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ecr-pullthroughcache/docker-hub-AbCdEf';

let ecr;
let handler;
let lines;

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  process.env.METRICS_CACHE = 'Stack/Cache';
  handler = require(HANDLER).createHandler({ ecr: new ECRClient({ maxAttempts: 5 }) });
});
after(() => ecr.close());
beforeEach(() => {
  ecr.state.rules.clear();
  ecr.state.responses = [];
  ecr.state.throttle = 0;
  lines = [];
  ecr.state.rules.set('docker-hub', { upstreamRegistryUrl: 'registry-1.docker.io', credentialArn: SECRET, isValid: true });
  ecr.state.rules.set('github', { upstreamRegistryUrl: 'ghcr.io', credentialArn: SECRET.replace('docker-hub', 'github'),
    isValid: false, failure: 'Unable to authenticate with the upstream registry. Verify the credentials stored in the secret' });
});

async function capturing(work) {
  const restore = captureStdout(lines);
  try {
    return await work();
  } finally {
    restore();
  }
}

const metricOf = (rule) => lines.map((line) => { try { return JSON.parse(line); } catch (e) { return null; } })
  .find((document) => document && document._aws && document.Rule === rule);

test('a valid and an invalid credential publish 1 and 0 for their rule, with ECR\'s failure in the log', async () => {
  const result = await capturing(() => handler({ Prefixes: ['docker-hub', 'github'] }, {}));

  assert.deepEqual(result.results.map((r) => [r.prefix, r.valid]), [['docker-hub', true], ['github', false]]);
  assert.match(result.results[1].failure, /Unable to authenticate/);
  const valid = metricOf('docker-hub');
  assert.equal(valid.CredentialValid, 1);
  assert.equal(valid.Cache, 'Stack/Cache');
  assert.deepEqual(valid._aws.CloudWatchMetrics[0].Dimensions, [['Cache', 'Rule']]);
  assert.deepEqual(valid._aws.CloudWatchMetrics[0].Metrics, [{ Name: 'CredentialValid', Unit: 'Count' }]);
  assert.equal(metricOf('github').CredentialValid, 0);
  assert.ok(lines.some((line) => line.includes('"invalid":"github"')));
  assert.ok(!lines.some((line) => line.includes('accessToken')));
});

test('a rule that no longer exists counts as not working, and the others are still checked', async () => {
  const result = await capturing(() => handler({ Prefixes: ['gone', 'docker-hub'] }, {}));

  assert.equal(result.results[0].valid, false);
  assert.match(result.results[0].failure, /PullThroughCacheRuleNotFoundException/);
  assert.equal(metricOf('gone').CredentialValid, 0);
  assert.equal(metricOf('docker-hub').CredentialValid, 1);
});

test('throttled calls are retried before a rule is called invalid', async (t) => {
  // the SDK's backoff for throttling waits Math.random() * 2^attempt * 500 ms: its jitter at zero, not its attempts
  t.mock.method(Math, 'random', () => 0);
  ecr.state.throttle = 2;

  const result = await capturing(() => handler({ Prefixes: ['docker-hub'] }, {}));

  assert.equal(result.results[0].valid, true);
});

test('at deployment it checks once and answers SUCCESS even for a credential that does not work', async () => {
  const event = cfnEvent(ecr, 'Create', { LogicalResourceId: 'Check', ResourceType: 'Custom::EcrCredentialCheck' },
    { Owner: 'Ptc1a2b3c4d', Prefixes: ['docker-hub', 'github'] });

  await capturing(() => handler(event, { getRemainingTimeInMillis: () => 60000 }));

  const [response] = ecr.state.responses;
  assert.equal(response.Status, 'SUCCESS');
  assert.equal(response.Data.Invalid, 'github');
  assert.equal(metricOf('github').CredentialValid, 0);
});

test('on delete it checks nothing', async () => {
  const event = cfnEvent(ecr, 'Delete', { LogicalResourceId: 'Check', ResourceType: 'Custom::EcrCredentialCheck' },
    { Owner: 'Ptc1a2b3c4d', Prefixes: ['docker-hub'] }, undefined, 'Check-Ptc1a2b3c4d');

  await capturing(() => handler(event, { getRemainingTimeInMillis: () => 60000 }));

  assert.equal(ecr.state.responses[0].Status, 'SUCCESS');
  assert.equal(metricOf('docker-hub'), undefined);
});

test('a deployment event it cannot read is answered FAILED on one line, with no data', async () => {
  const event = cfnEvent(ecr, 'Create', { LogicalResourceId: 'Check', ResourceType: 'Custom::EcrCredentialCheck' },
    { Owner: 'Ptc1a2b3c4d', Prefixes: ['docker-hub'] });
  delete event.ResourceProperties;

  await capturing(() => handler(event, { getRemainingTimeInMillis: () => 60000 }));

  const [response] = ecr.state.responses;
  assert.equal(response.Status, 'FAILED');
  assert.doesNotMatch(response.Reason, /\n/);
  assert.deepEqual(response.Data, {});
});
