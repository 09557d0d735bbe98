'use strict';
// A fake of the ECR JSON API's registry policy and replication calls, and of CloudFormation's response URL,
// on 127.0.0.1.
const { startAwsJsonServer } = require('./aws-json-server');

// ECR's error for a registry policy it will not take, an unknown principal included: it names no principal.
/** The signature of the response URLs of cfnEvent. */
const RESPONSE_SIGNATURE = 'response-url-signature-never-logged';

const INVALID_REGISTRY_POLICY = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'";

const byTextDescending = (a, b) => (a < b ? 1 : a > b ? -1 : 0);

/** An object with its keys in another order than it was written (reverse order of their names), deeply. */
function reorderKeys(value, collapse) {
  if (Array.isArray(value)) {
    const items = value.map((item) => reorderKeys(item, collapse));
    return collapse && items.length === 1 && typeof items[0] === 'string' ? items[0] : items;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort(byTextDescending).map((key) => [key, reorderKeys(value[key], collapse)]));
}

/** Principal lists in another order than they were written. */
function reorderPrincipals(statement) {
  if (!statement.Principal || typeof statement.Principal !== 'object') return statement;
  const principal = Object.fromEntries(Object.entries(statement.Principal)
    .map(([type, names]) => [type, Array.isArray(names) ? [...names].sort(byTextDescending) : names]));
  return { ...statement, Principal: principal };
}

/**
 * Starts the fake. Its switches, on by default, make it behave as ECR does rather than as a mirror:
 * - reformat: policies and replication rules come back in another spelling than they were written: pretty-printed,
 *   keys reordered, one-element string lists collapsed to a string, rules, destinations and filters reordered,
 *   empty filter lists left out;
 * - reorderPrincipals: principal lists come back in another order;
 * - refusePrincipal { principal, times }: a registry policy naming that principal is refused as ECR refuses a
 *   principal IAM does not know yet, for the first `times` writes (Infinity: always);
 * - throttle: the next N calls are answered HTTP 429 ThrottlingException;
 * - refuseAnswers: how the response URL (S3, pre-signed) answers the next CloudFormation answers, one item each:
 *   an HTTP status (503 SlowDown, 403 AccessDenied as for an expired URL) or 'reset' (the connection drops).
 * spell(document) and spellRules(rules) give what ECR would return for what was written.
 */
function startFakeEcr(options = {}) {
  const state = {
    policyText: null,
    // the replication configuration's rules as last written; null when none was ever written
    replicationRules: null,
    calls: [],
    responses: [],
    refuseAnswers: [],
    answerAttempts: 0,
    // hooks a test sets: (state, callNumber) => ... before a call is answered
    beforeGet: null,
    failPut: null,
    beforeDescribe: null,
    reformat: true,
    reorderPrincipals: true,
    refusePrincipal: null,
    refusedWrites: 0,
    throttle: 0,
    throttled: 0,
    // what GetAuthorizationToken returns
    authorizationToken: Buffer.from('AWS:fake-registry-password-never-logged').toString('base64'),
    proxyEndpoint: 'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com',
    // repositories by name: { tags: [{ Key, Value }], images: [image] }; an image is { imageDigest, imageTags,
    // imageSizeInBytes, imagePushedAt and lastRecordedPullTime (epoch seconds, as ECR's JSON has them),
    // imageManifestMediaType, imageStatus, manifests (the digests an index references) }. addRepository fills it
    repositories: new Map(),
    // the most items of a page of DescribeRepositories and DescribeImages when the caller asks for no fewer (ECR: 100)
    pageSize: 100,
    // pull through cache rules by prefix, for ValidatePullThroughCacheRule: { upstreamRegistryUrl, credentialArn,
    // isValid, failure }
    rules: new Map(),
    // a hook a test sets: (operation, request, state) => ... before a repository or rule call is answered
    onCall: null,
    ...options,
  };
  const spellStatement = (statement) => {
    const reordered = state.reorderPrincipals ? reorderPrincipals(statement) : statement;
    return state.reformat ? reorderKeys(reordered, true) : reordered;
  };
  const spell = (document) => {
    if (document.Statement === undefined) return state.reformat ? reorderKeys(document, true) : document;
    const statements = Array.isArray(document.Statement) ? document.Statement.map(spellStatement) : spellStatement(document.Statement);
    const spelled = { ...document, Statement: statements };
    return state.reformat ? reorderKeys(spelled, false) : spelled;
  };
  const spellRule = (rule) => {
    if (!state.reformat) return rule;
    const spelled = { destinations: [...rule.destinations].sort((a, b) => byTextDescending(a.region, b.region)) };
    if (rule.repositoryFilters && rule.repositoryFilters.length) {
      spelled.repositoryFilters = [...rule.repositoryFilters].sort((a, b) => byTextDescending(a.filter, b.filter));
    }
    return reorderKeys(spelled, false);
  };
  const spellRules = (rules) => {
    const spelled = rules.map(spellRule);
    return state.reformat ? spelled.sort((a, b) => byTextDescending(JSON.stringify(a), JSON.stringify(b))) : spelled;
  };
  return startAwsJsonServer((request, body, operation, reply, response) => {
    if (request.url.startsWith('/cfn-response')) {
      state.answerAttempts++;
      const refusal = state.refuseAnswers.shift();
      // the connection dropped before an answer, as a network error does
      if (refusal === 'reset') return request.socket.destroy();
      if (refusal) {
        response.writeHead(refusal, { 'content-type': 'application/xml' });
        response.end(`<Error><Code>${refusal === 503 ? 'SlowDown' : 'AccessDenied'}</Code></Error>`);
        return;
      }
      state.responses.push(JSON.parse(body));
      response.writeHead(200).end();
      return;
    }
    if (state.throttle > 0) {
      state.throttle--;
      state.throttled++;
      return reply(429, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    state.calls.push(operation);
    const notFound = () => reply(400, { __type: 'RegistryPolicyNotFoundException', message: 'no registry policy' });
    if (operation === 'GetRegistryPolicy') {
      if (state.beforeGet) state.beforeGet(state, state.calls.filter((c) => c === operation).length);
      if (state.policyText === null) return notFound();
      let text = state.policyText;
      try {
        text = JSON.stringify(spell(JSON.parse(text)), null, state.reformat ? 4 : undefined);
      } catch (error) {
        // text that is not JSON comes back as it was stored
      }
      return reply(200, { registryId: '111111111111', policyText: text });
    }
    if (operation === 'PutRegistryPolicy') {
      if (state.failPut) return reply(400, { __type: 'InvalidParameterException', message: state.failPut });
      const { policyText } = JSON.parse(body);
      const refusal = state.refusePrincipal;
      if (refusal && policyText.includes(JSON.stringify(refusal.principal)) && state.refusedWrites < refusal.times) {
        state.refusedWrites++;
        return reply(400, { __type: 'InvalidParameterException', message: INVALID_REGISTRY_POLICY });
      }
      state.policyText = policyText;
      return reply(200, { registryId: '111111111111', policyText });
    }
    if (operation === 'DeleteRegistryPolicy') {
      if (state.policyText === null) return notFound();
      const previous = state.policyText;
      state.policyText = null;
      return reply(200, { registryId: '111111111111', policyText: previous });
    }
    if (operation === 'GetAuthorizationToken') {
      return reply(200, { authorizationData: [{ authorizationToken: state.authorizationToken,
        expiresAt: Date.now() / 1000 + 43200, proxyEndpoint: state.proxyEndpoint }] });
    }
    if (operation === 'DescribeRegistry') {
      if (state.beforeDescribe) state.beforeDescribe(state, state.calls.filter((c) => c === operation).length);
      const registry = { registryId: '111111111111' };
      if (state.replicationRules !== null) registry.replicationConfiguration = { rules: spellRules(state.replicationRules) };
      return reply(200, registry);
    }
    if (operation === 'PutReplicationConfiguration') {
      if (state.failPut) return reply(400, { __type: 'ValidationException', message: state.failPut });
      const { replicationConfiguration } = JSON.parse(body);
      state.replicationRules = replicationConfiguration.rules;
      return reply(200, { replicationConfiguration });
    }
    if (answerRepositories(state, operation, body ? JSON.parse(body) : {}, reply)) return undefined;
    return reply(400, { __type: 'UnknownOperationException', message: operation });
  }).then(({ url, close }) => ({ state, url, spell: (document) => spell(document), spellRules: (rules) => spellRules(rules), close }));
}

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const repositoryArn = (name) => `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json']);

/** One page of items, as ECR pages them: an opaque nextToken, at most maxResults (or the fake's page size). */
function page(state, items, request) {
  const start = request.nextToken ? Number(Buffer.from(request.nextToken, 'base64').toString('utf8')) : 0;
  const size = Math.min(request.maxResults || 100, state.pageSize);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { items: items.slice(start, start + size), nextToken: next };
}

/** An image as DescribeImages returns it: only the fields ECR has for it. */
function imageDetail(name, image) {
  const detail = { registryId: ACCOUNT, repositoryName: name, imageDigest: image.imageDigest,
    imageSizeInBytes: image.imageSizeInBytes, imagePushedAt: image.imagePushedAt,
    imageManifestMediaType: image.imageManifestMediaType || 'application/vnd.oci.image.manifest.v1+json',
    imageStatus: image.imageStatus || 'ACTIVE' };
  if (image.imageTags && image.imageTags.length) detail.imageTags = image.imageTags;
  if (image.lastRecordedPullTime !== undefined) detail.lastRecordedPullTime = image.lastRecordedPullTime;
  return detail;
}

/** The repository, image and rule calls of the evictor, the remover and the validator. */
function answerRepositories(state, operation, request, send) {
  // true once answered
  const reply = (status, payload) => { send(status, payload); return true; };
  if (state.onCall) state.onCall(operation, request, state);
  const repositoryNotFound = (name) => reply(400, { __type: 'RepositoryNotFoundException',
    message: `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT}'` });
  const repository = request.repositoryName !== undefined && state.repositories.get(request.repositoryName);
  if (operation === 'DescribeRepositories') {
    const all = [...state.repositories.keys()].sort().map((name) => ({ registryId: ACCOUNT, repositoryName: name,
      repositoryArn: repositoryArn(name), repositoryUri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
      createdAt: 1700000000, imageTagMutability: 'MUTABLE' }));
    const { items, nextToken } = page(state, all, request);
    return reply(200, { repositories: items, nextToken });
  }
  if (operation === 'DescribeImages') {
    if (!repository) return repositoryNotFound(request.repositoryName);
    if (request.imageIds) {
      const found = [];
      for (const id of request.imageIds) {
        const image = repository.images.find((candidate) => candidate.imageDigest === id.imageDigest
          || (id.imageTag && (candidate.imageTags || []).includes(id.imageTag)));
        if (!image) {
          return reply(400, { __type: 'ImageNotFoundException', message: `The image with imageId {imageDigest:'${id.imageDigest}', `
            + `imageTag:'null'} does not exist within the repository with name '${request.repositoryName}' in the registry with id '${ACCOUNT}'` });
        }
        found.push(imageDetail(request.repositoryName, image));
      }
      return reply(200, { imageDetails: found });
    }
    const { items, nextToken } = page(state, repository.images.map((image) => imageDetail(request.repositoryName, image)), request);
    return reply(200, { imageDetails: items, nextToken });
  }
  if (operation === 'BatchDeleteImage') {
    if (!repository) return repositoryNotFound(request.repositoryName);
    const imageIds = [];
    const failures = [];
    for (const id of request.imageIds) {
      const image = repository.images.find((candidate) => candidate.imageDigest === id.imageDigest);
      if (!image) {
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        continue;
      }
      const referencedBy = repository.images.find((other) => other !== image && (other.manifests || []).includes(image.imageDigest));
      if (referencedBy) {
        failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList',
          failureReason: `Requested image referenced by manifest list: [${referencedBy.imageDigest}]` });
        continue;
      }
      repository.images = repository.images.filter((candidate) => candidate !== image);
      // ECR answers with one id per tag the image had, or the digest alone
      const tags = image.imageTags && image.imageTags.length ? image.imageTags : [undefined];
      for (const tag of tags) imageIds.push(tag ? { imageDigest: image.imageDigest, imageTag: tag } : { imageDigest: image.imageDigest });
    }
    return reply(200, { imageIds, failures });
  }
  if (operation === 'DeleteRepository') {
    if (!repository) return repositoryNotFound(request.repositoryName);
    if (repository.images.length > 0 && !request.force) {
      return reply(400, { __type: 'RepositoryNotEmptyException', message: `The repository with name '${request.repositoryName}' `
        + `in registry with id '${ACCOUNT}' cannot be deleted because it still contains images` });
    }
    state.repositories.delete(request.repositoryName);
    return reply(200, { repository: { registryId: ACCOUNT, repositoryName: request.repositoryName,
      repositoryArn: repositoryArn(request.repositoryName), createdAt: 1700000000 } });
  }
  if (operation === 'ListTagsForResource') {
    const name = String(request.resourceArn).split(':repository/')[1];
    const tagged = state.repositories.get(name);
    if (!tagged) return repositoryNotFound(name);
    return reply(200, { tags: tagged.tags || [] });
  }
  if (operation === 'ValidatePullThroughCacheRule') {
    const rule = state.rules.get(request.ecrRepositoryPrefix);
    if (!rule) {
      return reply(400, { __type: 'PullThroughCacheRuleNotFoundException',
        message: `The pull through cache rule with prefix '${request.ecrRepositoryPrefix}' does not exist in the registry with id '${ACCOUNT}'` });
    }
    const response = { ecrRepositoryPrefix: request.ecrRepositoryPrefix, registryId: ACCOUNT,
      upstreamRegistryUrl: rule.upstreamRegistryUrl, credentialArn: rule.credentialArn, isValid: rule.isValid };
    // ECR leaves failure out of a valid rule's answer
    if (!rule.isValid) response.failure = rule.failure;
    return reply(200, response);
  }
  return false;
}

/**
 * Adds a repository and its images to the fake.
 * @param images images as in state.repositories; each without imagePushedAt is pushed now
 */
function addRepository(fake, name, images = [], tags = []) {
  const now = Math.floor(Date.now() / 1000);
  fake.state.repositories.set(name, { tags, images: images.map((image) => ({ imagePushedAt: now, ...image })) });
}

/** Points the AWS SDK at the fake: credentials and region are dummies, never sent anywhere else. */
function useFake(url) {
  process.env.AWS_ENDPOINT_URL_ECR = url;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-loopback-tests-only';
  delete process.env.AWS_PROFILE;
}

/**
 * A CloudFormation custom resource event whose response URL is the fake's.
 * @param resource { LogicalResourceId, ResourceType }, and StackId for another stack than the default
 * @param properties the resource properties, without the service token
 */
function cfnEvent(fake, requestType, resource, properties, oldProperties, physicalResourceId) {
  return {
    RequestType: requestType,
    // pre-signed as CloudFormation's is: its signature must never be logged
    ResponseURL: `${fake.url}/cfn-response/${requestType}?X-Amz-Signature=${RESPONSE_SIGNATURE}`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Test/1',
    RequestId: `request-${requestType}`,
    ...resource,
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: 'arn', ...properties },
    OldResourceProperties: oldProperties && { ServiceToken: 'arn', ...oldProperties },
  };
}

/** Two deployments of one app into one registry, as CloudFormation names them. */
const STACKS = {
  dev: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/cache-dev/0a1b2c3d-0000-4000-8000-000000000001',
  prod: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/cache-prod/0a1b2c3d-0000-4000-8000-000000000002',
};

/** The owner of a construct in a deployed stack, as the contract with the Java side defines it. */
const stackOwnerOf = (stackId, owner) => 'Ptc' + require('node:crypto').createHash('sha256')
  .update(`${stackId}/${owner}`).digest('hex').slice(0, 10);

module.exports = {
  startFakeEcr, useFake, cfnEvent, addRepository, repositoryArn, INVALID_REGISTRY_POLICY, INDEX_TYPES, RESPONSE_SIGNATURE,
  STACKS, stackOwnerOf,
};
