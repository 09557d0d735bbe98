'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-policy/index.js';

// Written by hand as another team would: key order and spacing of their own.
const FOREIGN = [
  { Sid: 'TeamAReplication', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' },
    Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/*' },
  { Effect: 'Allow', Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/team-b/*',
    Principal: { AWS: ['arn:aws:iam::111111111111:role/TeamB'] }, Action: 'ecr:BatchImportUpstreamImage',
    Sid: 'TeamBPullThroughCache', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'b' } } },
];
const FOREIGN_TEXT = FOREIGN.map((statement) => JSON.stringify(statement));

const ours = (sid, prefix) => ({
  Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/Puller' },
  Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
  Resource: `arn:aws:ecr:eu-west-1:111111111111:repository/${prefix}/*`,
});

let fake;
let handler;
before(async () => {
  fake = await startFakeEcr();
  useFake(fake.url);
  handler = require(HANDLER).handler;
});
after(() => fake.close());
beforeEach(() => {
  fake.state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN }, null, 2);
  fake.state.calls = [];
  fake.state.responses = [];
  fake.state.beforeGet = null;
  fake.state.failPut = null;
});

const RESOURCE = { LogicalResourceId: 'RegistryPolicyStatements', ResourceType: 'Custom::EcrRegistryPolicyStatements' };
const event = (requestType, statements, oldStatements, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(statements) },
  oldStatements && { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(oldStatements) }, physicalResourceId);

const policy = () => JSON.parse(fake.state.policyText);
const statementTexts = () => policy().Statement.map((statement) => JSON.stringify(statement));
const lastResponse = () => fake.state.responses[fake.state.responses.length - 1];

function assertForeignIntact() {
  const texts = statementTexts();
  for (const text of FOREIGN_TEXT) assert.ok(texts.includes(text), `foreign statement changed or lost: ${text}`);
}

test('create adds the owned statements and keeps the foreign ones byte for byte', async () => {
  await handler(event('Create', [ours('PtcQuay', 'quay'), ours('PtcK8s', 'k8s')]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'RegistryPolicyStatements-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(policy().Statement.map((s) => s.Sid), ['TeamAReplication', 'TeamBPullThroughCache', 'PtcQuay', 'PtcK8s']);
  assert.equal(policy().Version, '2012-10-17');
});

test('update removes the Sids no longer declared and adds the new ones', async () => {
  const first = [ours('PtcQuay', 'quay'), ours('PtcK8s', 'k8s')];
  await handler(event('Create', first));
  const second = [ours('PtcQuay', 'quay'), ours('PtcGithub', 'github')];
  await handler(event('Update', second, first, 'RegistryPolicyStatements-Ptc1a2b3c4d'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'RegistryPolicyStatements-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(policy().Statement.map((s) => s.Sid), ['TeamAReplication', 'TeamBPullThroughCache', 'PtcQuay', 'PtcGithub']);
});

test('update replaces a changed statement under the same Sid', async () => {
  await handler(event('Create', [ours('PtcQuay', 'quay')]));
  await handler(event('Update', [ours('PtcQuay', 'quay-mirror')], [ours('PtcQuay', 'quay')], 'id'));

  assertForeignIntact();
  const quay = policy().Statement.filter((s) => s.Sid === 'PtcQuay');
  assert.equal(quay.length, 1);
  assert.match(quay[0].Resource, /repository\/quay-mirror\/\*$/);
});

test('delete removes only the owned statements', async () => {
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements));
  await handler(event('Delete', statements, undefined, 'id'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(statementTexts(), FOREIGN_TEXT);
});

test('delete removes the policy when nothing else remains', async () => {
  fake.state.policyText = null;
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements));
  assert.equal(policy().Statement.length, 1);

  await handler(event('Delete', statements, undefined, 'id'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(fake.state.policyText, null);
  assert.ok(fake.state.calls.includes('DeleteRegistryPolicy'));
});

test('a repeated event changes nothing the second time', async () => {
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements));
  const once = fake.state.policyText;
  fake.state.calls = [];
  await handler(event('Create', statements));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(fake.state.policyText, once);
  assert.ok(!fake.state.calls.includes('PutRegistryPolicy'), 'nothing to write');
  await handler(event('Delete', statements, undefined, 'id'));
  await handler(event('Delete', statements, undefined, 'id'));
  assert.deepEqual(statementTexts(), FOREIGN_TEXT);
});

test('another writer changing the policy between read and write is merged, not lost', async () => {
  fake.state.beforeGet = (state, call) => {
    if (call === 2) {
      const document = JSON.parse(state.policyText);
      document.Statement.push({ Sid: 'LateWriter', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' },
        Action: 'ecr:ReplicateImage', Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/*' });
      state.policyText = JSON.stringify(document);
    }
  };
  await handler(event('Create', [ours('PtcQuay', 'quay')]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assertForeignIntact();
  assert.deepEqual(policy().Statement.map((s) => s.Sid), ['TeamAReplication', 'TeamBPullThroughCache', 'LateWriter', 'PtcQuay']);
});

test('another writer overwriting ours right after the write is merged again', async () => {
  fake.state.beforeGet = (state, call) => {
    if (call === 3) state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN });
  };
  await handler(event('Create', [ours('PtcQuay', 'quay')]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.ok(policy().Statement.some((s) => s.Sid === 'PtcQuay'));
  assertForeignIntact();
});

test('a write that fails midway leaves the previous policy', async () => {
  const previous = fake.state.policyText;
  fake.state.failPut = 'Invalid registry policy provided';
  await handler(event('Create', [ours('PtcQuay', 'quay')]));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /Invalid registry policy provided/);
  assert.equal(fake.state.policyText, previous);
});

test('a malformed existing policy fails clearly and nothing is written', async () => {
  fake.state.policyText = '{"Version": "2012-10-17", "Statement": [';
  await handler(event('Create', [ours('PtcQuay', 'quay')]));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /existing registry policy is not valid JSON, so it was left as it is/);
  assert.ok(!fake.state.calls.includes('PutRegistryPolicy'));
  assert.ok(!fake.state.calls.includes('DeleteRegistryPolicy'));
  assert.equal(fake.state.policyText, '{"Version": "2012-10-17", "Statement": [');
});

test('a policy whose Statement is a single object is read as one statement', async () => {
  fake.state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN[0] });
  await handler(event('Create', [ours('PtcQuay', 'quay')]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(statementTexts(), [FOREIGN_TEXT[0], JSON.stringify(ours('PtcQuay', 'quay'))]);
});

test('an owned statement without a Sid is refused before anything is written', async () => {
  const previous = fake.state.policyText;
  const { Sid, ...withoutSid } = ours('PtcQuay', 'quay');
  await handler(event('Create', [withoutSid]));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /every owned statement needs a Sid/);
  assert.equal(fake.state.policyText, previous);
});
