'use strict';
// A fake of the ECR JSON API's registry policy and replication calls, and of CloudFormation's response URL,
// on 127.0.0.1.
const http = require('node:http');

function startFakeEcr() {
  const state = {
    policyText: null,
    // the replication configuration's rules as ECR returns them; null when none was ever written
    replicationRules: null,
    calls: [],
    responses: [],
    // hooks a test sets: (state, callNumber) => ... before a call is answered
    beforeGet: null,
    failPut: null,
    beforeDescribe: null,
    // what GetAuthorizationToken returns
    authorizationToken: Buffer.from('AWS:fake-registry-password-never-logged').toString('base64'),
    proxyEndpoint: 'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com',
  };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      if (request.url.startsWith('/cfn-response')) {
        state.responses.push(JSON.parse(body));
        response.writeHead(200).end();
        return;
      }
      const operation = String(request.headers['x-amz-target'] || '').split('.').pop();
      state.calls.push(operation);
      const reply = (status, payload) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      const notFound = () => reply(400, { __type: 'RegistryPolicyNotFoundException', message: 'no registry policy' });
      if (operation === 'GetRegistryPolicy') {
        if (state.beforeGet) state.beforeGet(state, state.calls.filter((c) => c === operation).length);
        if (state.policyText === null) return notFound();
        return reply(200, { registryId: '111111111111', policyText: state.policyText });
      }
      if (operation === 'PutRegistryPolicy') {
        if (state.failPut) return reply(400, { __type: 'InvalidParameterException', message: state.failPut });
        state.policyText = JSON.parse(body).policyText;
        return reply(200, { registryId: '111111111111', policyText: state.policyText });
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
        if (state.replicationRules !== null) registry.replicationConfiguration = { rules: state.replicationRules };
        return reply(200, registry);
      }
      if (operation === 'PutReplicationConfiguration') {
        if (state.failPut) return reply(400, { __type: 'ValidationException', message: state.failPut });
        const { replicationConfiguration } = JSON.parse(body);
        // ECR leaves out empty filter lists when it describes a rule
        state.replicationRules = replicationConfiguration.rules.map((rule) => (rule.repositoryFilters && rule.repositoryFilters.length
          ? rule : { destinations: rule.destinations }));
        return reply(200, { replicationConfiguration });
      }
      return reply(400, { __type: 'UnknownOperationException', message: operation });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ state, url, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

/** Points the AWS SDK at the fake: credentials and region are dummies, never sent anywhere else. */
function useFake(url) {
  process.env.AWS_ENDPOINT_URL_ECR = url;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFAKEFAKEFAKEFAKE';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret-for-loopback-tests-only';
  delete process.env.AWS_PROFILE;
  process.env.RETRY_DELAY_MS = '1';
}

/**
 * A CloudFormation custom resource event whose response URL is the fake's.
 * @param resource { LogicalResourceId, ResourceType }
 * @param properties the resource properties, without the service token
 */
function cfnEvent(fake, requestType, resource, properties, oldProperties, physicalResourceId) {
  return {
    RequestType: requestType,
    ResponseURL: `${fake.url}/cfn-response/${requestType}`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Test/1',
    RequestId: `request-${requestType}`,
    ...resource,
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: 'arn', ...properties },
    OldResourceProperties: oldProperties && { ServiceToken: 'arn', ...oldProperties },
  };
}

module.exports = { startFakeEcr, useFake, cfnEvent };
