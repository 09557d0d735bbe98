'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ECRClient } = require('@aws-sdk/client-ecr');
const { ConfiguredRetryStrategy } = require('@smithy/core/retry');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-replication/index.js';
const SETTING = '../../main/resources/io/github/pullthroughcache/handlers/shared/registry-setting.js';

// Written by others, in ECR's own spelling: a rule without filters has no repositoryFilters key.
const FOREIGN = [
  { destinations: [{ region: 'us-west-2', registryId: '111111111111' }] },
  { destinations: [{ region: 'eu-central-1', registryId: '333333333333' }, { region: 'ap-east-1', registryId: '111111111111' }],
    repositoryFilters: [{ filter: 'team-b', filterType: 'PREFIX_MATCH' }] },
];

const rule = (regions, filters) => ({
  destinations: regions.map((region) => ({ region, registryId: '111111111111' })),
  repositoryFilters: filters.map((filter) => ({ filter, filterType: 'PREFIX_MATCH' })),
});

let fake;
let handler;
let client;
before(async () => {
  fake = await startFakeEcr();
  useFake(fake.url);
  // the handlers' own client settings, with backoff shortened so a throttled call costs the tests no time
  const { ECR_CLIENT_CONFIG } = require(SETTING);
  client = new ECRClient({ ...ECR_CLIENT_CONFIG, retryStrategy: new ConfiguredRetryStrategy(ECR_CLIENT_CONFIG.maxAttempts, () => 1) });
  handler = require(HANDLER).createHandler({ ecr: client, retryDelayMs: 1, maxRetryDelayMs: 5 });
});
after(() => fake.close());
beforeEach(() => {
  Object.assign(fake.state, {
    replicationRules: JSON.parse(JSON.stringify(FOREIGN)),
    calls: [], responses: [], beforeDescribe: null, failPut: null,
    // ECR as it is: rules read back in its own spelling and order, a first call throttled
    reformat: true, throttle: 1, throttled: 0,
  });
});

const RESOURCE = { LogicalResourceId: 'ReplicationRules', ResourceType: 'Custom::EcrReplicationRules' };
const event = (requestType, rules, oldRules, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(rules) },
  oldRules && { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(oldRules) }, physicalResourceId);

const context = () => ({ getRemainingTimeInMillis: () => 300000 });
const lastResponse = () => fake.state.responses[fake.state.responses.length - 1];
const writes = () => fake.state.calls.filter((call) => call === 'PutReplicationConfiguration').length;
// the stored rules as ECR serves them, each in one spelling: equal when they mean the same
const ruleTexts = () => fake.spellRules(fake.state.replicationRules).map((r) => JSON.stringify(r)).sort();
// each rule's filters, sorted; the rules sorted too: ECR may return them in any order
const filtersOf = () => fake.state.replicationRules
  .map((r) => (r.repositoryFilters || []).map((f) => f.filter).sort().join(',')).sort();
/** The foreign rules as ECR serves them. */
const foreignTexts = () => fake.spellRules(FOREIGN).map((r) => JSON.stringify(r)).sort();

function assertForeignIntact() {
  const texts = ruleTexts();
  for (const text of foreignTexts()) assert.ok(texts.includes(text), `foreign rule changed or lost: ${text}`);
}

test('create adds the owned rules after the foreign ones, which stay as they were', async () => {
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public', 'quay'])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(lastResponse().PhysicalResourceId, 'ReplicationRules-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(filtersOf(), ['', 'ecr-public,quay', 'team-b']);
  assert.equal(writes(), 1, 'one write: the reformatted read-back is taken for what was written');
  assert.equal(fake.state.throttled, 1, 'the first call was throttled and retried');
});

test('create into a registry that never replicated writes the first configuration', async () => {
  fake.state.replicationRules = null;
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(filtersOf(), ['ecr-public']);
});

test('update replaces the old owned rules and keeps the foreign ones', async () => {
  const first = [rule(['us-east-1'], ['ecr-public']), rule(['ap-south-1'], ['k8s'])];
  await handler(event('Create', first), context());
  const second = [rule(['us-east-1'], ['ecr-public', 'quay'])];
  await handler(event('Update', second, first, 'ReplicationRules-Ptc1a2b3c4d'), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assertForeignIntact();
  assert.deepEqual(filtersOf(), ['', 'ecr-public,quay', 'team-b']);
});

test('delete removes only the owned rules', async () => {
  const rules = [rule(['us-east-1', 'us-west-1'], ['ecr-public'])];
  await handler(event('Create', rules), context());
  await handler(event('Delete', rules, undefined, 'ReplicationRules-Ptc1a2b3c4d'), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(ruleTexts(), foreignTexts());
});

test('rules are known by content: the order of destinations and filters does not matter', async () => {
  await handler(event('Create', [rule(['us-east-1', 'us-west-1'], ['quay', 'ecr-public'])]), context());
  fake.state.calls = [];
  await handler(event('Update', [rule(['us-west-1', 'us-east-1'], ['ecr-public', 'quay'])],
    [rule(['us-east-1', 'us-west-1'], ['quay', 'ecr-public'])], 'id'));

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(writes(), 0, 'nothing to write');
  assert.equal(fake.state.replicationRules.length, 3);
});

test('an update that changes nothing writes nothing, though ECR leaves out empty filter lists and reorders', async () => {
  const rules = [rule(['us-east-1', 'eu-west-2'], []), rule(['ap-south-1'], ['k8s', 'quay'])];
  await handler(event('Create', rules), context());
  fake.state.calls = [];
  await handler(event('Update', rules, rules, 'id'), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 0);
  assert.equal(fake.state.replicationRules.length, 4);
});

test('with the plain fake (rules back as written) the handler behaves the same', async () => {
  Object.assign(fake.state, { reformat: false, throttle: 0 });
  const rules = [rule(['us-east-1'], ['ecr-public'])];
  await handler(event('Create', rules), context());
  await handler(event('Create', rules), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 1);
  assert.deepEqual(fake.state.replicationRules, [...FOREIGN, ...rules]);
});

test('the production client rides out throttling beyond the SDK\'s default three attempts', async () => {
  fake.state.throttle = 3;
  await require(HANDLER).handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.throttled, 3);
  assert.equal(fake.state.replicationRules.length, 3);
});

test('a repeated event changes nothing the second time', async () => {
  const rules = [rule(['us-east-1'], ['ecr-public'])];
  await handler(event('Create', rules), context());
  await handler(event('Create', rules), context());
  assert.equal(fake.state.replicationRules.length, 3, 'the rule is not added twice');
  await handler(event('Delete', rules, undefined, 'id'), context());
  await handler(event('Delete', rules, undefined, 'id'), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.deepEqual(ruleTexts(), foreignTexts());
});

test('another writer adding a rule between read and write is merged, not lost', async () => {
  fake.state.beforeDescribe = (state, call) => {
    if (call === 2) state.replicationRules.push({ destinations: [{ region: 'sa-east-1', registryId: '111111111111' }] });
  };
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assertForeignIntact();
  assert.equal(fake.state.replicationRules.length, 4);
  assert.ok(fake.state.replicationRules.some((r) => r.destinations[0].region === 'sa-east-1'));
});

test('a merge beyond ECR limits fails with the counts and writes nothing', async () => {
  const many = Array.from({ length: 9 }, (_, i) => rule(['us-east-1'], [`team-${i}`]));
  await handler(event('Create', many), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /would have 11 rules \(2 rules of others and 9 of this stack\), and ECR allows 10/);
  assert.equal(writes(), 0);
  assert.deepEqual(ruleTexts(), foreignTexts());
});

test('a write ECR refuses fails the deployment and leaves the configuration', async () => {
  fake.state.failPut = 'Invalid destination';
  await handler(event('Create', [rule(['us-east-1'], ['ecr-public'])]), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /Invalid destination/);
  assert.deepEqual(ruleTexts(), foreignTexts());
});

test('a rule without a destination is refused before anything is written', async () => {
  await handler(event('Create', [{ destinations: [], repositoryFilters: [] }]), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /every owned rule needs a destination/);
  assert.equal(writes(), 0);
});

test('a handler whose time runs short answers FAILED before the function times out', async () => {
  fake.state.beforeDescribe = () => {
    const until = Date.now() + 400;
    while (Date.now() < until) { /* ECR answers slowly */ }
  };
  const started = Date.now();
  const quick = require(HANDLER).createHandler({ ecr: client, reserveMs: 1000 });
  await quick(event('Create', [rule(['us-east-1'], ['ecr-public'])]), { getRemainingTimeInMillis: () => 1200 });

  assert.equal(lastResponse().Status, 'FAILED');
  assert.ok(Date.now() - started < 1200 + 400, 'answered within the remaining time');
  assert.match(lastResponse().Reason, /Custom::EcrReplicationRules did not finish before its Lambda function ran out of time/);
});
