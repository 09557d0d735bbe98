'use strict';
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { ECRClient, PutRegistryPolicyCommand, InvalidParameterException } = require('@aws-sdk/client-ecr');
const { ConfiguredRetryStrategy } = require('@smithy/core/retry');
const { startFakeEcr, useFake, cfnEvent, INVALID_REGISTRY_POLICY } = require('./fake-ecr');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/registry-policy/index.js';
const SETTING = '../../main/resources/io/github/pullthroughcache/handlers/shared/registry-setting.js';

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

let fake;
let createHandler;
let handler;
let client;
before(async () => {
  fake = await startFakeEcr();
  useFake(fake.url);
  ({ createHandler } = require(HANDLER));
  // the handlers' own client settings, with backoff shortened so a throttled call costs the tests no time
  const { ECR_CLIENT_CONFIG } = require(SETTING);
  client = new ECRClient({ ...ECR_CLIENT_CONFIG, retryStrategy: new ConfiguredRetryStrategy(ECR_CLIENT_CONFIG.maxAttempts, () => 1) });
  handler = createHandler({ ecr: client, retryDelayMs: 1, maxRetryDelayMs: 5 });
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
const event = (requestType, statements, oldStatements, physicalResourceId) => cfnEvent(fake, requestType, RESOURCE,
  { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(statements) },
  oldStatements && { Owner: 'Ptc1a2b3c4d', Statements: JSON.stringify(oldStatements) }, physicalResourceId);
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
  await handler(event('Update', [ours('PtcQuay', 'quay-mirror')], [ours('PtcQuay', 'quay')], 'id'), context());

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
  await handler(event('Update', statements, statements, 'id'), context());

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
  await handler(event('Delete', statements, undefined, 'id'), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.deepEqual(sids(), ['TeamAReplication', 'TeamBPullThroughCache']);
  assertForeignIntact();
});

test('delete removes the policy when nothing else remains', async () => {
  fake.state.policyText = null;
  const statements = [ours('PtcQuay', 'quay')];
  await handler(event('Create', statements), context());
  assert.equal(policy().Statement.length, 1);

  await handler(event('Delete', statements, undefined, 'id'), context());

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
  await handler(event('Delete', statements, undefined, 'id'), context());
  await handler(event('Delete', statements, undefined, 'id'), context());
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
});

test('a principal IAM does not accept yet is tried again until ECR takes it', async () => {
  const fresh = 'arn:aws:iam::111111111111:role/CreatedSecondsAgo';
  fake.state.refusePrincipal = { principal: fresh, times: 3 };
  await handler(event('Create', [ours('PtcQuay', 'quay', [fresh])]), context());

  assert.equal(lastResponse().Status, 'SUCCESS', lastResponse().Reason);
  assert.equal(fake.state.refusedWrites, 3);
  assert.equal(writes(), 4);
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
  assert.ok(Date.now() - started < 1600, 'answered before the function would have timed out');
  assert.ok(fake.state.refusedWrites > 1, 'tried more than once');
  assert.match(lastResponse().Reason, /ECR refused the registry policy for \d+ s/);
  assert.match(lastResponse().Reason, /Invalid registry policy provided/);
  assert.match(lastResponse().Reason, /this principal, which ECR did not accept: arn:aws:iam::111111111111:role\/Deleted\./);
  assert.match(lastResponse().Reason, /Check that each exists .*then deploy again/);
  assert.equal(fake.state.policyText, previous);
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

test('the production client rides out throttling beyond the SDK\'s default three attempts', async () => {
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
