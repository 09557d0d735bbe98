'use strict';
const { captureLog } = require('./handler-log');
const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');

// what the handler logs is captured, not printed
captureLog();
const { ECRClient } = require('@aws-sdk/client-ecr');
const { startFakeEcr, useFake, cfnEvent, addRepository } = require('./fake-ecr');
const { startFakeCloudFormation } = require('./fake-cloudformation');

const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/cached-repository-remover/index.js';
const TAG = { Key: 'pull-through-cache:created-for', Value: 'Ptc1a2b3c4d' };
const image = { imageDigest: `sha256:${'1'.repeat(64)}`, imageTags: ['v1'], imageSizeInBytes: 5 };

let ecr;
let cloudformation;
let handler;

before(async () => {
  ecr = await startFakeEcr();
  useFake(ecr.url);
  cloudformation = await startFakeCloudFormation();
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cloudformation.url;
  handler = require(HANDLER).createHandler();
});
after(() => Promise.all([ecr.close(), cloudformation.close()]));
beforeEach(() => {
  ecr.state.repositories.clear();
  ecr.state.responses = [];
  ecr.state.calls = [];
  ecr.state.pageSize = 100;
  cloudformation.state.status = 'DELETE_IN_PROGRESS';
  cloudformation.state.requests = [];
  addRepository(ecr, 'quay/prometheus/prometheus', [image], [TAG]);
  addRepository(ecr, 'ecr-public/nginx/nginx', [image], [TAG, { Key: 'cost-center', Value: 'platform' }]);
  // under a prefix, but not created for this cache: a user's, or one from before the option
  addRepository(ecr, 'quay/mine/app', [image], []);
  addRepository(ecr, 'quay/other/app', [image], [{ Key: TAG.Key, Value: 'PtcFFFFFFFF' }]);
  // tagged, outside the prefixes
  addRepository(ecr, 'team/app', [image], [TAG]);
});

const event = (requestType) => cfnEvent(ecr, requestType, { LogicalResourceId: 'Remover', ResourceType: 'Custom::EcrCachedRepositories' },
  { Owner: 'Ptc1a2b3c4d', Prefixes: ['quay', 'ecr-public'], TagKey: TAG.Key, TagValue: TAG.Value }, undefined,
  requestType === 'Create' ? undefined : 'Remover-Ptc1a2b3c4d');
const context = { getRemainingTimeInMillis: () => 300000 };
const names = () => [...ecr.state.repositories.keys()].sort();

test('when the stack is deleted, the tagged repositories under the prefixes go with their images, and nothing else', async () => {
  await handler(event('Delete'), context);

  assert.equal(ecr.state.responses[0].Status, 'SUCCESS', JSON.stringify(ecr.state.responses[0]));
  assert.equal(ecr.state.responses[0].Data.Removed, '2');
  assert.deepEqual(names(), ['quay/mine/app', 'quay/other/app', 'team/app']);
  assert.equal(cloudformation.state.requests[0].StackName, 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Test/1');
});

// the remover acts only while the stack is being deleted: a Delete of its custom resource also comes in an update's
// cleanup (the option turned off, a replacement) and in a rollback, when the cached repositories must stay
for (const [status, removed] of [
  ['UPDATE_ROLLBACK_IN_PROGRESS', 0],
  ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 0],
  ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 0],
  ['DELETE_IN_PROGRESS', 2],
]) {
  test(`a Delete while the stack is ${status} removes ${removed} repositories`, async () => {
    cloudformation.state.status = status;

    await handler(event('Delete'), context);

    assert.equal(ecr.state.responses[0].Status, 'SUCCESS');
    assert.equal(names().length, 5 - removed);
    assert.equal(ecr.state.calls.includes('DeleteRepository'), removed > 0);
  });
}

test('create and update remove nothing', async () => {
  await handler(event('Create'), context);
  await handler(event('Update'), context);

  assert.deepEqual(ecr.state.responses.map((response) => response.Status), ['SUCCESS', 'SUCCESS']);
  assert.equal(names().length, 5);
  assert.equal(cloudformation.state.requests.length, 0);
});

test('every page of repositories is read, and throttling is retried', async (t) => {
  // the SDK's backoff for throttling waits Math.random() * 2^attempt * 500 ms: its jitter at zero, not its attempts
  t.mock.method(Math, 'random', () => 0);
  ecr.state.pageSize = 1;
  ecr.state.throttle = 2;

  await handler(event('Delete'), context);

  assert.equal(ecr.state.responses[0].Status, 'SUCCESS');
  assert.deepEqual(names(), ['quay/mine/app', 'quay/other/app', 'team/app']);
});

test('a repository deleted meanwhile is no failure', async () => {
  ecr.state.onCall = (operation, request, state) => {
    if (operation === 'DeleteRepository' && request.repositoryName === 'quay/prometheus/prometheus') state.repositories.delete(request.repositoryName);
  };
  try {
    await handler(event('Delete'), context);
  } finally {
    ecr.state.onCall = null;
  }

  assert.equal(ecr.state.responses[0].Status, 'SUCCESS');
  assert.equal(ecr.state.responses[0].Data.Removed, '1');
});

test('a Delete that fails is answered FAILED on one line, with no data', async () => {
  // an ECR client that tries once: the throttled call fails the work
  const once = require(HANDLER).createHandler({ ecr: new ECRClient({ maxAttempts: 1 }) });
  ecr.state.throttle = 1;
  await once(event('Delete'), context);

  assert.equal(ecr.state.responses[0].Status, 'FAILED');
  assert.match(ecr.state.responses[0].Reason, /^Rate exceeded$/);
  assert.deepEqual(ecr.state.responses[0].Data, {});
  assert.equal(ecr.state.repositories.size, 5, 'nothing was removed');
});
