'use strict';
const { captureLog } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ECRClient } = require('@aws-sdk/client-ecr');
const { SSMClient } = require('@aws-sdk/client-ssm');
const { ConfiguredRetryStrategy } = require('@smithy/core/retry');
const { startFakeEcr, useFake, cfnEvent } = require('./fake-ecr');
const { startFakeSsm } = require('./fake-ssm');
const { CREATE_FAILED } = require('../../main/resources/io/github/pullthroughcache/handlers/shared/cloudformation.js');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-replication/index.js';
const CLIENTS = '../../main/resources/io/github/pullthroughcache/handlers/shared/aws-clients.js';

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

const log = captureLog();
let fake;
let ssm;
let handler;
let client;
let ssmClient;
let settings;
before(async () => {
  fake = await startFakeEcr();
  useFake(fake.url);
  ssm = await startFakeSsm();
  // the handlers' own client settings, with backoff shortened so a throttled call costs the tests no time
  const { CLIENT_CONFIG } = require(CLIENTS);
  const quickRetries = () => ({ ...CLIENT_CONFIG, retryStrategy: new ConfiguredRetryStrategy(CLIENT_CONFIG.maxAttempts, () => 1) });
  client = new ECRClient(quickRetries());
  ssmClient = new SSMClient(quickRetries());
  settings = { ecr: client, ssm: ssmClient, retryDelayMs: 1, maxRetryDelayMs: 5, responseRetryDelayMs: 1 };
  handler = require(HANDLER).createHandler(settings);
});
after(() => Promise.all([fake.close(), ssm.close()]));
beforeEach(() => {
  Object.assign(fake.state, {
    replicationRules: JSON.parse(JSON.stringify(FOREIGN)),
    calls: [], responses: [], beforeDescribe: null, failPut: null,
    // ECR as it is: rules read back in its own spelling and order, a first call throttled
    reformat: true, throttle: 1, throttled: 0,
  });
  // Parameter Store as it is: pages of two, a first page empty, a first call throttled
  ssm.state.parameters.clear();
  Object.assign(ssm.state, { calls: [], throttle: 1, throttled: 0, pageSize: 2, emptyFirstPage: true });
});

const RESOURCE = { LogicalResourceId: 'ReplicationRules', ResourceType: 'Custom::EcrReplicationRules' };
// the physical id of a resource of the construct scheme (no OwnerScope), as the earlier version made it
const CONSTRUCT_ID = 'ReplicationRules-Ptc1a2b3c4d';
/** An event of the construct scheme; its physical id is the resource's own unless given. */
const event = (requestType, rules, oldRules, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(rules) },
  oldRules && { Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(oldRules) },
  physicalResourceId || (requestType === 'Create' ? undefined : CONSTRUCT_ID));

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
    [rule(['us-east-1', 'us-west-1'], ['quay', 'ecr-public'])], CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS');
  assert.equal(writes(), 0, 'nothing to write');
  assert.equal(fake.state.replicationRules.length, 3);
});

test('an update that changes nothing writes nothing, though ECR leaves out empty filter lists and reorders', async () => {
  const rules = [rule(['us-east-1', 'eu-west-2'], []), rule(['ap-south-1'], ['k8s', 'quay'])];
  await handler(event('Create', rules), context());
  fake.state.calls = [];
  await handler(event('Update', rules, rules, CONSTRUCT_ID), context());

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

test('the production client rides out throttling beyond the SDK\'s default three attempts', async (t) => {
  // the SDK's backoff for throttling waits Math.random() * 2^attempt * 500 ms: its jitter at zero, not its attempts
  t.mock.method(Math, 'random', () => 0);
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
  await handler(event('Delete', rules, undefined, CONSTRUCT_ID), context());
  await handler(event('Delete', rules, undefined, CONSTRUCT_ID), context());

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
  assert.deepEqual(log.records().find((record) => record.retry === 1),
    { retry: 1, reason: 'the replication configuration changed while merging' });
});

test('a merge beyond ECR limits fails with the counts and writes nothing', async () => {
  const many = Array.from({ length: 9 }, (_, i) => rule(['us-east-1'], [`team-${i}`]));
  await handler(event('Create', many), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data');
  assert.match(lastResponse().Reason, /would have 11 rules \(2 rules of others and 9 of this stack\), and ECR allows 10/);
  assert.equal(writes(), 0);
  assert.match(log.values('failed').join('\n'), /^The replication configuration would have 11 rules/m);
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
  const quick = require(HANDLER).createHandler({ ...settings, reserveMs: 1000 });
  await quick(event('Create', [rule(['us-east-1'], ['ecr-public'])]), { getRemainingTimeInMillis: () => 1200 });

  assert.equal(lastResponse().Status, 'FAILED');
  assert.ok(Date.now() - started < 1200 + 400, 'answered within the remaining time');
  assert.match(lastResponse().Reason, /Custom::EcrReplicationRules did not finish before its Lambda function ran out of time/);
});

// ---- ownership per deployed stack (OwnerScope "Stack"): two deployments of one app, dev and prod
const { CLAIMS_PATH, hashOf } = require(HANDLER);
const { STACKS: { dev: DEV, prod: PROD }, stackOwnerOf } = require('./fake-ecr');
const stackOwner = (stack) => stackOwnerOf(stack, 'Ptc1a2b3c4d');
const stackId = (stack) => `ReplicationRules-${stackOwner(stack)}`;
const byStack = (rules) => ({ Owner: 'Ptc1a2b3c4d', OwnerScope: 'Stack', Rules: JSON.stringify(rules) });
const byConstruct = (rules) => ({ Owner: 'Ptc1a2b3c4d', Rules: JSON.stringify(rules) });
const stackEvent = (stack, requestType, properties, oldProperties, physicalResourceId) => cfnEvent(fake, requestType,
  { ...RESOURCE, StackId: stack }, properties, oldProperties, physicalResourceId);
const RULES = [rule(['us-east-1'], ['ecr-public', 'quay']), rule(['ap-south-1', 'us-west-1'], ['k8s'])];
/** The claims in Parameter Store: owner name => hashes. */
const claims = () => Object.fromEntries([...ssm.state.parameters]
  .filter(([name]) => name.startsWith(`${CLAIMS_PATH}/`))
  .map(([name, value]) => [name.slice(CLAIMS_PATH.length + 1), JSON.parse(value).rules]));
const ourTexts = () => fake.spellRules(RULES).map((r) => JSON.stringify(r));
const assertOursOnce = () => {
  for (const text of ourTexts()) assert.equal(ruleTexts().filter((t) => t === text).length, 1, `once: ${text}`);
};

test('two stacks of one app declaring the same rules both succeed: ECR holds each rule once, each stack claims it', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(RULES)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, stackId(DEV));
  await handler(stackEvent(PROD, 'Create', byStack(RULES)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, stackId(PROD));

  assert.equal(fake.state.replicationRules.length, 4);
  assertOursOnce();
  assertForeignIntact();
  const hashes = RULES.map(hashOf).sort();
  assert.deepEqual(claims(), { [stackOwner(DEV)]: hashes, [stackOwner(PROD)]: hashes });
  assert.ok(ssm.state.throttled >= 1, 'Parameter Store throttled a call, which was retried');
});

test('deleting one stack leaves the rules the other claims and the foreign ones; deleting both removes them', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(RULES)), context());
  await handler(stackEvent(PROD, 'Create', byStack(RULES)), context());
  fake.state.calls = [];
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 0, 'the rules stay as they are');
  assertOursOnce();
  assertForeignIntact();
  assert.deepEqual(Object.keys(claims()), [stackOwner(PROD)]);

  await handler(stackEvent(PROD, 'Delete', byStack(RULES), undefined, stackId(PROD)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(ruleTexts(), foreignTexts());
  assert.deepEqual(claims(), {});
});

test('claims are read across pages of any size, an empty first page included', async () => {
  // three other owners, on pages of one
  ssm.state.pageSize = 1;
  for (const other of ['PtcAaaaaaaaaa', 'PtcBbbbbbbbbb']) {
    ssm.state.parameters.set(`${CLAIMS_PATH}/${other}`, JSON.stringify({ rules: [hashOf(rule(['eu-north-1'], [other]))] }));
  }
  await handler(stackEvent(PROD, 'Create', byStack(RULES)), context());
  await handler(stackEvent(DEV, 'Create', byStack(RULES)), context());
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assertOursOnce();
  const listings = ssm.state.calls.filter((call) => call.operation === 'GetParametersByPath');
  assert.ok(listings.every((call) => call.input.MaxResults <= 10 && call.input.Path === CLAIMS_PATH));
  assert.ok(listings.some((call) => call.input.NextToken), 'it followed NextToken');
});

test('an upgrade from the construct scheme claims the rules for the stack, and the Delete of the replaced id keeps them', async () => {
  // what the earlier version left: our rules in the configuration, no claim
  fake.state.replicationRules.push(...JSON.parse(JSON.stringify(RULES)));
  const old = ruleTexts();
  fake.state.calls = [];
  await handler(stackEvent(DEV, 'Update', byStack(RULES), byConstruct(RULES), CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, stackId(DEV), 'the id of the stack scheme: a replacement');
  assert.equal(writes(), 0, 'the same rules: nothing to write');
  assert.deepEqual(ruleTexts(), old);
  assert.deepEqual(claims(), { [stackOwner(DEV)]: RULES.map(hashOf).sort() });

  // CloudFormation deletes the replaced id with its properties, or (should it) with the new ones: the rules stay
  await handler(stackEvent(DEV, 'Delete', byConstruct(RULES), undefined, CONSTRUCT_ID), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, CONSTRUCT_ID), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(ruleTexts(), old);
  assert.deepEqual(Object.keys(claims()), [stackOwner(DEV)]);
});

test('an upgrade that changes the rules replaces the old ones and keeps the foreign ones', async () => {
  const oldRules = [rule(['eu-west-2'], ['legacy'])];
  fake.state.replicationRules.push(...JSON.parse(JSON.stringify(oldRules)));
  await handler(stackEvent(DEV, 'Update', byStack(RULES), byConstruct(oldRules), CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assertForeignIntact();
  assertOursOnce();
  assert.equal(fake.state.replicationRules.length, 4, 'the old rule is gone');
});

test('the rollback of that upgrade restores the old state, and the Delete of the failed update\'s id keeps it', async () => {
  fake.state.replicationRules.push(...JSON.parse(JSON.stringify(RULES)));
  const old = ruleTexts();
  await handler(stackEvent(DEV, 'Update', byStack(RULES), byConstruct(RULES), CONSTRUCT_ID), context());
  await handler(stackEvent(DEV, 'Update', byConstruct(RULES), byStack(RULES), stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, CONSTRUCT_ID);
  assert.deepEqual(ruleTexts(), old);
  assert.deepEqual(Object.keys(claims()), [`${stackOwner(DEV)}Construct`], 'the construct scheme claims for this stack');

  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, stackId(DEV)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  await handler(stackEvent(DEV, 'Delete', byConstruct(RULES), undefined, stackId(DEV)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(ruleTexts(), old);
});

test('a claim made while a delete removes the rule puts the rule back', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(RULES)), context());
  // prod claims after dev's delete read the claims, before dev's write is checked
  const prodClaim = () => ssm.state.parameters.set(`${CLAIMS_PATH}/${stackOwner(PROD)}`, JSON.stringify({ rules: RULES.map(hashOf) }));
  fake.state.calls = [];
  fake.state.beforeDescribe = (state, call) => { if (call === 3) prodClaim(); };
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 2, 'removed, then put back');
  assertOursOnce();
  assertForeignIntact();
  assert.deepEqual(log.records().find((record) => record.retry === 1),
    { retry: 1, reason: 'another writer replaced the replication configuration' });
});

test('a claim that is not what the handler writes fails a delete, which removes nothing', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(RULES)), context());
  const before = ruleTexts();
  ssm.state.parameters.set(`${CLAIMS_PATH}/PtcSomethingElse`, 'not json');
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /The claim \/pull-through-cache\/replication-rules\/PtcSomethingElse is not what this handler writes/);
  assert.deepEqual(ruleTexts(), before);
});

test('a Create that fails before writing answers CREATE_FAILED, and the rollback Delete leaves the same rule written by hand', async () => {
  // the same rule, written by hand before, by nobody's claim
  fake.state.replicationRules.push(rule(['us-east-1'], ['ecr-public', 'quay']));
  const before = ruleTexts();
  ssm.state.throttle = 100;
  const quick = require(HANDLER).createHandler({ ...settings, reserveMs: 1000 });
  await quick(stackEvent(DEV, 'Create', byStack(RULES)), { getRemainingTimeInMillis: () => 1500 });

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /Rate exceeded/);
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
  ssm.state.throttle = 0;
  await handler(stackEvent(DEV, 'Delete', byStack(RULES), undefined, CREATE_FAILED), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(ruleTexts(), before);
  assert.deepEqual(claims(), {});
});
