'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-replication/index.js';

// Written by others, in ECR's own spelling: a rule without filters has no repositoryFilters key.
const FOREIGN = [
  { destinations: [{ region: 'us-west-2', registryId: '111111111111' }] },
  { destinations: [{ region: 'eu-central-1', registryId: '333333333333' }, { region: 'ap-east-1', registryId: '111111111111' }],
    repositoryFilters: [{ filter: 'team-b', filterType: 'PREFIX_MATCH' }] },
];
const FOREIGN_TEXT = FOREIGN.map((rule) => JSON.stringify(rule));

const rule = (regions, filters) => ({
  destinations: regions.map((region) => ({ region, registryId: '111111111111' })),
  repositoryFilters: filters.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
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
  fake.state.replicationRules = JSON.parse(JSON.stringify(FOREIGN));
  fake.state.calls = [];
  fake.state.responses = [];
  fake.state.beforeDescribe = null;
  fake.state.failPut = null;
});

const RESOURCE = { LogicalResourceId: 'ReplicationRules', ResourceType: 'Custom::EcrReplicationRules' };
const event = (requestType, rules, oldRules, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(rules) },
  oldRules && { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(oldRules) }, physicalResourceId);

const lastResponse = () => fake.state.responses[fake.state.responses.length - 1];
const ruleTexts = () => fake.state.replicationRules.map((r) => JSON.stringify(r));
const filtersOf = () => fake.state.replicationRules.map((r) => (r.repositoryFilters || []).map((f) => f.filter).join(','));

function assertForeignIntact() {
  const texts = ruleTexts();
  for (const text of FOREIGN_TEXT) assert.ok(texts.includes(text), `foreign rule changed or lost: ${text}`);
}

test('create adds the owned rules after the foreign ones, which stay as they were', async () => {
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public', 'quay'])]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'ReplicationRules-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(filtersOf(), ['', 'team-b', 'ecr-public,quay']);
});

test('create into a registry that never replicated writes the first configuration', async () => {
  fake.state.replicationRules = null;
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(filtersOf(), ['ecr-public']);
});

test('update replaces the old owned rules and keeps the foreign ones', async () => {
  const first = [rule(['us-east-1'], ['ecr-public']), rule(['ap-south-1'], ['k8s'])];
  await handler(event('Create', first));
  const second = [rule(['us-east-1'], ['ecr-public', 'quay'])];
  await handler(event('Update', second, first, 'ReplicationRules-Ptc1a2b3c4d'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assertForeignIntact();
  assert.deepEqual(filtersOf(), ['', 'team-b', 'ecr-public,quay']);
});

test('delete removes only the owned rules', async () => {
  const rules = [rule(['us-east-1', 'us-west-1'], ['ecr-public'])];
  await handler(event('Create', rules));
  await handler(event('Delete', rules, undefined, 'ReplicationRules-Ptc1a2b3c4d'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(ruleTexts(), FOREIGN_TEXT);
});

test('rules are known by content: the order of destinations and filters does not matter', async () => {
  await handler(event('Create', [rule(['us-east-1', 'us-west-1'], ['quay', 'ecr-public'])]));
  fake.state.calls = [];
  await handler(event('Update', [rule(['us-west-1', 'us-east-1'], ['ecr-public', 'quay'])],
    [rule(['us-east-1', 'us-west-1'], ['quay', 'ecr-public'])], 'id'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.ok(!fake.state.calls.includes('PutReplicationConfiguration'), 'nothing to write');
  assert.equal(fake.state.replicationRules.length, 3);
});

test('a repeated event changes nothing the second time', async () => {
  const rules = [rule(['us-east-1'], ['ecr-public'])];
  await handler(event('Create', rules));
  await handler(event('Create', rules));
  assert.equal(fake.state.replicationRules.length, 3, 'the rule is not added twice');
  await handler(event('Delete', rules, undefined, 'id'));
  await handler(event('Delete', rules, undefined, 'id'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(ruleTexts(), FOREIGN_TEXT);
});

test('another writer adding a rule between read and write is merged, not lost', async () => {
  fake.state.beforeDescribe = (state, call) => {
    if (call === 2) state.replicationRules.push({ destinations: [{ region: 'sa-east-1', registryId: '111111111111' }] });
  };
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assertForeignIntact();
  assert.equal(fake.state.replicationRules.length, 4);
  assert.ok(fake.state.replicationRules.some((r) => r.destinations[0].region === 'sa-east-1'));
});

test('a merge beyond ECR limits fails with the counts and writes nothing', async () => {
  const many = Array.from({ length: 9 }, (_, i) => rule(['us-east-1'], [`team-${i}`]));
  await handler(event('Create', many));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /would have 11 rules \(2 rules of others and 9 of this stack\), and ECR allows 10/);
  assert.ok(!fake.state.calls.includes('PutReplicationConfiguration'));
  assert.deepEqual(ruleTexts(), FOREIGN_TEXT);
});

test('a write ECR refuses fails the deployment and leaves the configuration', async () => {
  fake.state.failPut = 'Invalid destination';
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /Invalid destination/);
  assert.deepEqual(ruleTexts(), FOREIGN_TEXT);
});

test('a rule without a destination is refused before anything is written', async () => {
  await handler(event('Create', [{ destinations: [], repositoryFilters: [] }]));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /every owned rule needs a destination/);
  assert.ok(!fake.state.calls.includes('PutReplicationConfiguration'));
});
