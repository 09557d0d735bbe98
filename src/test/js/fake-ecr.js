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
    operations: null,
    // what GetAuthorizationToken returns
    authorizationToken: Buffer.from('AWS:fake-registry-password-never-logged').toString('base64'),
    proxyEndpoint: 'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com',
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
    // more of ECR's API, which a test adds (fake-ecr-push.js): operation -> (input, reply) => void
    if (state.operations && state.operations[operation]) return state.operations[operation](JSON.parse(body || '{}'), reply);
    return reply(400, { __type: 'UnknownOperationException', message: operation });
  }).then(({ url, close }) => ({ state, url, spell: (document) => spell(document), spellRules: (rules) => spellRules(rules), close }));
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

module.exports = { startFakeEcr, useFake, cfnEvent, INVALID_REGISTRY_POLICY, RESPONSE_SIGNATURE, STACKS, stackOwnerOf };
