'use strict';
const { captureLog } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ECRClient, PutRegistryPolicyCommand, InvalidParameterException } = require('@aws-sdk/client-ecr');
const { ConfiguredRetryStrategy } = require('@smithy/core/retry');
const { startFakeEcr, useFake, cfnEvent, INVALID_REGISTRY_POLICY } = require('./fake-ecr');
const { CREATE_FAILED } = require('../../main/resources/io/github/pullthroughcache/handlers/shared/cloudformation.js');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-policy/index.js';
const CLIENTS = '../../main/resources/io/github/pullthroughcache/handlers/shared/aws-clients.js';

// Written by hand as another team would: key order and spacing of their own.
const FOREIGN = [
  { Sid: 'TeamAReplication', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' },
    Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/*' },
  { Effect: 'Allow', Resource: 'arn:aws:ecr:eu-west-1:111111111111:repository/team-b/*',
    Principal: { AWS: ['arn:aws:iam::111111111111:role/TeamB'] }, Action: 'ecr:BatchImportUpstreamImage',
    Sid: 'TeamBPullThroughCache', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'b' } } },
];

const PULLER = 'arn:aws:iam::111111111111:role/Puller';
const ours = (sid, prefix, principals = [PULLER]) => ({
  Sid: sid, Effect: 'Allow', Principal: { AWS: principals.length === 1 ? principals[0] : principals },
  Action: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
  Resource: `arn:aws:ecr:eu-west-1:111111111111:repository/${prefix}/*`,
});

const log = captureLog();
let fake;
let createHandler;
let handler;
let client;
before(async () => {
  fake = await startFakeEcr();
  useFake(fake.url);
  ({ createHandler } = require(HANDLER));
  // the handlers' own client settings, with backoff shortened so a throttled call costs the tests no time
  const { CLIENT_CONFIG } = require(CLIENTS);
  client = new ECRClient({ ...CLIENT_CONFIG, retryStrategy: new ConfiguredRetryStrategy(CLIENT_CONFIG.maxAttempts, () => 1) });
  handler = createHandler({ ecr: client, retryDelayMs: 1, maxRetryDelayMs: 5, responseRetryDelayMs: 1 });
});
after(() => fake.close());
beforeEach(() => {
  Object.assign(fake.state, {
    policyText: JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN }, null, 2),
    calls: [], responses: [], beforeGet: null, failPut: null,
    // ECR as it is: documents read back in its own spelling, principals reordered, a first call throttled
    reformat: true, reorderPrincipals: true, refusePrincipal: null, refusedWrites: 0, throttle: 1, throttled: 0,
  });
});

const RESOURCE = { LogicalResourceId: 'RegistryPolicyStatements', ResourceType: 'Custom::EcrRegistryPolicyStatements' };
// the physical id of a resource of the construct scheme (no OwnerScope), as the earlier version made it
const CONSTRUCT_ID = 'RegistryPolicyStatements-Ptc1a2b3c4d';
/** An event of the construct scheme, whose Sids are whole; its physical id is the resource's own unless given. */
const event = (requestType, statements, oldStatements, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(statements) },
  oldStatements && { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(oldStatements) },
  physicalResourceId || (requestType === 'Create' ? undefined : CONSTRUCT_ID));
const context = (remainingMs = 300000) => ({ getRemainingTimeInMillis: () => remainingMs });

const policy = () => JSON.parse(fake.state.policyText);
const lastResponse = () => fake.state.responses[fake.state.responses.length - 1];
const writes = () => fake.state.calls.filter((call) => call === 'PutRegistryPolicy').length;
const sids = () => policy().Statement.map((s) => s.Sid).sort();
const sorted = (list) => [...list].sort();

/** The foreign statements are in the stored policy exactly as ECR spells them: written back as they were read. */
function assertForeignIntact() {
  const stored = policy().Statement;
  for (const statement of FOREIGN) {
    const spelled = fake.spell({ Statement: [statement] }).Statement[0];
    assert.equal(stored.filter((s) => s.Sid === statement.Sid).length, 1, `${statement.Sid} once`);
    assert.deepEqual(stored.find((s) => s.Sid === statement.Sid), spelled, `foreign statement changed: ${statement.Sid}`);
  }
}

test('create adds the owned statements once and keeps the foreign ones as ECR spells them', async () => {
  await handler(event('Create', [ours('PtcQuay', 'quay'), ours('PtcK8s', 'k8s')]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, 'RegistryPolicyStatements-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(sids(), ['PtcK8s', 'PtcQuay', 'TeamAReplication', 'TeamBPullThroughCache']);
  assert.equal(policy().Version, '2012-10-17');
  assert.equal(writes(), 1, 'one write: the reformatted read-back is taken for what was written');
  assert.equal(fake.state.throttled, 1, 'the first call was throttled and retried');
});

test('update removes the Sids no longer declared and adds the new ones', async () => {
  const first = [ours('PtcQuay', 'quay'), ours('PtcK8s', 'k8s')];
  await handler(event('Create', first), context());
  const second = [ours('PtcQuay', 'quay'), ours('PtcGithub', 'github')];
  await handler(event('Update', second, first, 'RegistryPolicyStatements-Ptc1a2b3c4d'), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, 'RegistryPolicyStatements-Ptc1a2b3c4d');
  assertForeignIntact();
  assert.deepEqual(sids(), ['PtcGithub', 'PtcQuay', 'TeamAReplication', 'TeamBPullThroughCache']);
});

test('update replaces a changed statement under the same Sid', async () => {
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());
  await handler(event('Update', [ours('PtcQuay', 'quay-mirror')], [ours('PtcQuay', 'quay')], CONSTRUCT_ID), context());

  assertForeignIntact();
  const quay = policy().Statement.filter((s) => s.Sid === 'PtcQuay');
  assert.equal(quay.length, 1);
  assert.match(quay[0].Resource, /repository\/quay-mirror\/\*$/);
});

test('an update that changes nothing the policy holds writes nothing, however ECR spells it', async () => {
  const statements = [ours('PtcQuay', 'quay', ['arn:aws:iam::111111111111:role/B', 'arn:aws:iam::111111111111:role/A'])];
  await handler(event('Create', statements), context());
  fake.state.calls = [];
  const stored = fake.state.policyText;
  await handler(event('Update', statements, statements, CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 0);
  assert.equal(fake.state.policyText, stored);
});

test('principals read back in another order are the same statement: merged once, no second write', async () => {
  const principals = ['arn:aws:iam::111111111111:role/A', 'arn:aws:iam::111111111111:role/C', '333333333333'];
  await handler(event('Create', [ours('PtcQuay', 'quay', principals)]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 1);
  assert.equal(policy().Statement.filter((s) => s.Sid === 'PtcQuay').length, 1);
  const served = JSON.parse(JSON.stringify(fake.spell(policy())));
  assert.deepEqual(served.Statement.find((s) => s.Sid === 'PtcQuay').Principal.AWS, sorted(principals).reverse(),
    'the fake really returns them in another order');
});

test('delete removes only the owned statements', async () => {
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements), context());
  await handler(event('Delete', statements, undefined, CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(sids(), ['TeamAReplication', 'TeamBPullThroughCache']);
  assertForeignIntact();
});

test('delete removes the policy when nothing else remains', async () => {
  fake.state.policyText = null;
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements), context());
  assert.equal(policy().Statement.length, 1);

  await handler(event('Delete', statements, undefined, CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.policyText, null);
  assert.ok(fake.state.calls.includes('DeleteRegistryPolicy'));
});

test('a repeated event changes nothing the second time', async () => {
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements), context());
  const once = fake.state.policyText;
  fake.state.calls = [];
  await handler(event('Create', statements), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.policyText, once);
  assert.equal(writes(), 0, 'nothing to write');
  await handler(event('Delete', statements, undefined, CONSTRUCT_ID), context());
  await handler(event('Delete', statements, undefined, CONSTRUCT_ID), context());
  assert.deepEqual(sids(), ['TeamAReplication', 'TeamBPullThroughCache']);
  assertForeignIntact();
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
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assertForeignIntact();
  assert.deepEqual(sids(), ['LateWriter', 'PtcQuay', 'TeamAReplication', 'TeamBPullThroughCache']);
  assert.deepEqual(log.records().find((record) => record.retry === 1),
    { retry: 1, reason: 'the registry policy changed while merging' });
});

test('another writer overwriting ours right after the write is merged again', async () => {
  fake.state.beforeGet = (state, call) => {
    if (call === 3) state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN });
  };
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 2);
  assert.ok(policy().Statement.some((s) => s.Sid === 'PtcQuay'));
  assertForeignIntact();
  assert.deepEqual(log.records().find((record) => record.retry === 1),
    { retry: 1, reason: 'another writer replaced the registry policy' });
});

test('a principal IAM does not accept yet is tried again until ECR takes it', async () => {
  const fresh = 'arn:aws:iam::111111111111:role/CreatedSecondsAgo';
  fake.state.refusePrincipal = { principal: fresh, times: 3 };
  await handler(event('Create', [ours('PtcQuay', 'quay', [fresh])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.refusedWrites, 3);
  assert.equal(writes(), 4);
  assert.deepEqual(log.values('retry'), [1, 2, 3]);
  assert.match(log.records().find((record) => record.retry === 1).reason,
    /^ECR refused the registry policy for now: Invalid parameter at 'PolicyText'/);
  assert.equal(policy().Statement.filter((s) => s.Sid === 'PtcQuay').length, 1);
  assertForeignIntact();
});

test('a principal never accepted fails at the deadline, naming it and what to do, and writes nothing', async () => {
  const missing = 'arn:aws:iam::111111111111:role/Deleted';
  fake.state.refusePrincipal = { principal: missing, times: Infinity };
  const previous = fake.state.policyText;
  const started = Date.now();
  const quick = createHandler({ ecr: client, retryDelayMs: 20, maxRetryDelayMs: 40, reserveMs: 1000 });
  await quick(event('Create', [ours('PtcQuay', 'quay', [missing])]), context(1600));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.deepEqual(lastResponse().Data, {}, 'a FAILED answer carries no data');
  assert.ok(Date.now() - started < 1600, 'answered before the function would have timed out');
  assert.ok(fake.state.refusedWrites > 1, 'tried more than once');
  assert.match(lastResponse().Reason, /ECR refused the registry policy for \d+ s/);
  assert.match(lastResponse().Reason, /Invalid registry policy provided/);
  assert.match(lastResponse().Reason, /this principal, which ECR did not accept: arn:aws:iam::111111111111:role\/Deleted\./);
  assert.match(lastResponse().Reason, /Check that each exists .*then deploy again/);
  assert.equal(fake.state.policyText, previous);
  assert.match(log.values('failed').join('\n'), /^ECR refused the registry policy for \d+ s/m);
});

test('a handler whose time runs short answers FAILED before the function times out', async () => {
  fake.state.beforeGet = () => {
    const until = Date.now() + 400;
    while (Date.now() < until) { /* ECR answers slowly */ }
  };
  const started = Date.now();
  const quick = createHandler({ ecr: client, reserveMs: 1000 });
  await quick(event('Create', [ours('PtcQuay', 'quay')]), context(1200));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.ok(Date.now() - started < 1200 + 400, 'answered within the remaining time');
  assert.match(lastResponse().Reason, /Custom::EcrRegistryPolicyStatements did not finish before its Lambda function ran out of time/);
  assert.match(lastResponse().Reason, /Deploy again/);
});

test('the error the handler retries is the one @aws-sdk/client-ecr makes of ECR\'s answer', async () => {
  fake.state.refusePrincipal = { principal: PULLER, times: 1 };
  const error = await client.send(new PutRegistryPolicyCommand({ policyText: JSON.stringify({ Statement: [ours('PtcQuay', 'quay')] }) }))
    .then(() => null, (e) => e);

  assert.ok(error instanceof InvalidParameterException, `an InvalidParameterException, not ${error && error.constructor.name}`);
  assert.equal(error.name, 'InvalidParameterException');
  assert.equal(error.message, INVALID_REGISTRY_POLICY);
  assert.equal(require(HANDLER).refusedForNow(error), true);
  assert.equal(require(HANDLER).refusedForNow(new InvalidParameterException({ message: 'Invalid parameter at registryId', $metadata: {} })), false);
});

test('the production client rides out throttling beyond the SDK\'s default three attempts', async (t) => {
  // the SDK's backoff for throttling waits Math.random() * 2^attempt * 500 ms: its jitter at zero, not its attempts
  t.mock.method(Math, 'random', () => 0);
  fake.state.throttle = 3;
  await require(HANDLER).handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.throttled, 3);
  assert.ok(policy().Statement.some((s) => s.Sid === 'PtcQuay'));
});

test('with the plain fake (text back as written) the handler behaves the same', async () => {
  Object.assign(fake.state, { reformat: false, reorderPrincipals: false, throttle: 0 });
  const statements = [ours('PtcQuay', 'quay'), ours('PtcK8s', 'k8s')];
  await handler(event('Create', statements), context());
  await handler(event('Create', statements), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(writes(), 1);
  assert.deepEqual(policy().Statement.slice(0, 2).map((s) => JSON.stringify(s)), FOREIGN.map((s) => JSON.stringify(s)));
  assert.deepEqual(policy().Statement.slice(2), statements);
});

test('a write that fails midway leaves the previous policy', async () => {
  const previous = fake.state.policyText;
  fake.state.failPut = 'Invalid parameter at registryId';
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /Invalid parameter at registryId/);
  assert.equal(writes(), 1, 'a refusal that is not about principals is not retried');
  assert.equal(fake.state.policyText, previous);
  assert.ok(!log.text().includes('retry'), log.text());
  assert.deepEqual(log.values('failed'), ['Invalid parameter at registryId']);
});

test('a malformed existing policy fails clearly and nothing is written', async () => {
  fake.state.policyText = '{"Version": "2012-10-17", "Statement": [';
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /existing registry policy is not valid JSON, so it was left as it is/);
  assert.ok(!fake.state.calls.includes('PutRegistryPolicy'));
  assert.ok(!fake.state.calls.includes('DeleteRegistryPolicy'));
  assert.equal(fake.state.policyText, '{"Version": "2012-10-17", "Statement": [');
});

test('a policy whose Statement is a single object is read as one statement', async () => {
  fake.state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN[0] });
  await handler(event('Create', [ours('PtcQuay', 'quay')]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(sids(), ['PtcQuay', 'TeamAReplication']);
  assert.deepEqual(policy().Statement[0], fake.spell({ Statement: FOREIGN[0] }).Statement);
});

test('an owned statement without a Sid is refused before anything is written', async () => {
  const previous = fake.state.policyText;
  const { Sid, ...withoutSid } = ours('PtcQuay', 'quay');
  await handler(event('Create', [withoutSid]), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /every owned statement needs a Sid/);
  assert.equal(fake.state.policyText, previous);
});

// ---- ownership per deployed stack (OwnerScope "Stack"): two deployments of one app, dev and prod
const { STACKS: { dev: DEV, prod: PROD }, stackOwnerOf } = require('./fake-ecr');
const stackOwner = (stack) => stackOwnerOf(stack, 'Ptc1a2b3c4d');
const stackId = (stack) => `RegistryPolicyStatements-${stackOwner(stack)}`;
const byStack = (statements) => ({ Owner: 'Ptc1a2b3c4d', OwnerScope: 'Stack', Statements: JSON.stringify(statements) });
const byConstruct = (statements) => ({ Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(statements) });
/** An event of one stack: properties and old properties as given, each of its own scheme. */
const stackEvent = (stack, requestType, properties, oldProperties, physicalResourceId) => cfnEvent(fake, requestType,
  { ...RESOURCE, StackId: stack }, properties, oldProperties, physicalResourceId);
// the same statements as the app declares them: names only
const NAMED = [ours('PullThroughCacheQuay', 'quay'), ours('PullThroughCacheK8s', 'k8s')];
const WHOLE = [ours('Ptc1a2b3c4dPullThroughCacheQuay', 'quay'), ours('Ptc1a2b3c4dPullThroughCacheK8s', 'k8s')];
const named = (stack) => NAMED.map((statement) => stackOwner(stack) + statement.Sid).sort();
/** The stored statements as ECR serves them, each in one spelling. */
const statementTexts = () => fake.spell(policy()).Statement.map((s) => JSON.stringify(s)).sort();

test('two stacks of one app with the same properties write two sets of statements, each under its own Sids', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(NAMED)), context());
  const dev = lastResponse();
  await handler(stackEvent(PROD, 'Create', byStack(NAMED)), context());
  const prod = lastResponse();

  assert.equal(dev.Status, 'SUCCESS', dev.Reason);
  assert.equal(prod.Status, 'SUCCESS', prod.Reason);
  assert.notEqual(stackOwner(DEV), stackOwner(PROD));
  assert.equal(dev.PhysicalResourceId, stackId(DEV));
  assert.equal(prod.PhysicalResourceId, stackId(PROD));
  assert.match(dev.PhysicalResourceId, /^RegistryPolicyStatements-Ptc[0-9a-f]{10}$/);
  assert.deepEqual(sids(), sorted([...named(DEV), ...named(PROD), 'TeamAReplication', 'TeamBPullThroughCache']));
  for (const sid of sids()) assert.match(sid, /^[A-Za-z0-9]+$/, 'a Sid IAM accepts');
  const quay = policy().Statement.find((s) => s.Sid === `${stackOwner(PROD)}PullThroughCacheQuay`);
  assert.match(quay.Resource, /repository\/quay\/\*$/);
  assertForeignIntact();
});

test('deleting one stack leaves the other stack\'s statements and the foreign ones', async () => {
  await handler(stackEvent(DEV, 'Create', byStack(NAMED)), context());
  await handler(stackEvent(PROD, 'Create', byStack(NAMED)), context());
  const prodStatements = policy().Statement.filter((s) => s.Sid.startsWith(stackOwner(PROD)));
  await handler(stackEvent(DEV, 'Delete', byStack(NAMED), undefined, stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, stackId(DEV));
  assert.deepEqual(sids(), sorted([...named(PROD), 'TeamAReplication', 'TeamBPullThroughCache']));
  assert.deepEqual(policy().Statement.filter((s) => s.Sid.startsWith(stackOwner(PROD))), prodStatements);
  assertForeignIntact();
});

test('an upgrade from the construct scheme writes the stack\'s Sids and removes the old ones in one write', async () => {
  await handler(stackEvent(DEV, 'Create', byConstruct(WHOLE)), context());
  assert.equal(lastResponse().PhysicalResourceId, CONSTRUCT_ID, 'the id the earlier version gave');
  fake.state.calls = [];
  await handler(stackEvent(DEV, 'Update', byStack(NAMED), byConstruct(WHOLE), CONSTRUCT_ID), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, stackId(DEV), 'the id of the stack scheme: a replacement');
  assert.equal(writes(), 1, 'one write');
  assert.deepEqual(sids(), sorted([...named(DEV), 'TeamAReplication', 'TeamBPullThroughCache']));
  assertForeignIntact();

  // CloudFormation deletes the replaced id, with its properties: what the upgraded resource owns stays
  const upgraded = fake.state.policyText;
  await handler(stackEvent(DEV, 'Delete', byConstruct(WHOLE), undefined, CONSTRUCT_ID), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.policyText, upgraded);
  // and should it send the new properties with the old id, the Delete sees a replaced resource and removes nothing
  await handler(stackEvent(DEV, 'Delete', byStack(NAMED), undefined, CONSTRUCT_ID), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, CONSTRUCT_ID);
  assert.equal(fake.state.policyText, upgraded);
  assert.match(log.values('nothingToDelete').join('\n'), /^RegistryPolicyStatements-Ptc1a2b3c4d was replaced/m);
});

test('the rollback of that upgrade restores the statements as they were', async () => {
  await handler(stackEvent(DEV, 'Create', byConstruct(WHOLE)), context());
  const old = statementTexts();
  await handler(stackEvent(DEV, 'Update', byStack(NAMED), byConstruct(WHOLE), CONSTRUCT_ID), context());
  // the stack's update fails elsewhere: CloudFormation sends the old properties back, to the id it now holds
  await handler(stackEvent(DEV, 'Update', byConstruct(WHOLE), byStack(NAMED), stackId(DEV)), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, CONSTRUCT_ID);
  assert.deepEqual(statementTexts(), old);
  // then it deletes the id of the failed update: the restored statements stay, whichever properties it sends
  await handler(stackEvent(DEV, 'Delete', byStack(NAMED), undefined, stackId(DEV)), context());
  await handler(stackEvent(DEV, 'Delete', byConstruct(WHOLE), undefined, stackId(DEV)), context());
  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(statementTexts(), old);
});

test('a Create that fails before writing answers CREATE_FAILED; the rollback Delete leaves a statement of the same Sid', async () => {
  // another deployment of the construct scheme holds this Sid; ours names a principal ECR never takes
  const theirs = ours('Ptc1a2b3c4dPullThroughCacheQuay', 'quay', ['arn:aws:iam::111111111111:role/Theirs']);
  fake.state.policyText = JSON.stringify({ Version: '2012-10-17', Statement: [...FOREIGN, theirs] });
  const before = fake.state.policyText;
  const missing = 'arn:aws:iam::111111111111:role/Deleted';
  fake.state.refusePrincipal = { principal: missing, times: Infinity };
  const quick = createHandler({ ecr: client, retryDelayMs: 20, maxRetryDelayMs: 40, reserveMs: 1000, responseRetryDelayMs: 1 });
  await quick(stackEvent(DEV, 'Create', byConstruct([ours('Ptc1a2b3c4dPullThroughCacheQuay', 'quay', [missing])])), context(1600));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
  await handler(stackEvent(DEV, 'Delete', byConstruct([ours('Ptc1a2b3c4dPullThroughCacheQuay', 'quay', [missing])]),
    undefined, CREATE_FAILED), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
  assert.equal(fake.state.policyText, before);
  assert.ok(log.values('nothingToDelete').includes('the Create of this resource failed before it wrote anything'),
    log.text());
});

test('a Create that fails after writing answers its own id, so that the rollback Delete removes what it wrote', async () => {
  // ECR hangs on the read after the write
  fake.state.beforeGet = (state, call) => {
    const until = Date.now() + (call === 3 ? 1500 : 0);
    while (Date.now() < until) { /* waits */ }
  };
  const quick = createHandler({ ecr: client, reserveMs: 1000, responseRetryDelayMs: 1 });
  await quick(stackEvent(DEV, 'Create', byStack(NAMED)), context(1200));

  assert.equal(lastResponse().Status, 'FAILED');
  assert.equal(lastResponse().PhysicalResourceId, stackId(DEV));
  assert.deepEqual(sids(), sorted([...named(DEV), 'TeamAReplication', 'TeamBPullThroughCache']), 'it wrote');
  fake.state.beforeGet = null;
  await handler(stackEvent(DEV, 'Delete', byStack(NAMED), undefined, lastResponse().PhysicalResourceId), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(sids(), ['TeamAReplication', 'TeamBPullThroughCache']);
  assertForeignIntact();
});

test('a statement name of the stack scheme that is not an upper-case letter then letters and digits is refused', async () => {
  const previous = fake.state.policyText;
  await handler(stackEvent(DEV, 'Create', byStack([ours('quay-statement', 'quay')])), context());

  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /the Sid of an owned statement is its name, an upper-case letter then letters and digits, and is "quay-statement"/);
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
  assert.equal(fake.state.policyText, previous);
});

test('properties without an Owner, or with an OwnerScope other than Stack, fail and name the property', async () => {
  await handler(stackEvent(DEV, 'Create', { Statements: JSON.stringify(NAMED) }), context());
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /property Owner must be letters and digits, and is undefined/);
  await handler(stackEvent(DEV, 'Create', { ...byStack(NAMED), OwnerScope: 'Account' }), context());
  assert.equal(lastResponse().Status, 'FAILED');
  assert.match(lastResponse().Reason, /property OwnerScope must be "Stack" or absent, and is "Account"/);
  assert.equal(lastResponse().PhysicalResourceId, CREATE_FAILED);
});
