'use strict';
// A loopback fake of Secrets Manager's GetSecretValue as the image copier calls it, answering as the service does:
// JSON protocol with x-amz-target secretsmanager.GetSecretValue, ResourceNotFoundException for a secret that is not
// there, ThrottlingException when told to throttle.
// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
const { startAwsJsonServer } = require('./aws-json-server');

function startFakeSecretsManager() {
  const state = { secrets: new Map(), calls: [], throttle: 0 };
  return startAwsJsonServer((request, body, operation, reply) => {
    if (state.throttle > 0) {
      state.throttle--;
      return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const input = JSON.parse(body || '{}');
    state.calls.push({ operation, input });
    if (operation !== 'GetSecretValue') return reply(400, { __type: 'UnknownOperationException', message: operation });
    const value = state.secrets.get(input.SecretId);
    if (value === undefined) {
      return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    return reply(200, { ARN: input.SecretId, Name: input.SecretId.split(':').pop(), SecretString: value,
      VersionId: '00000000-0000-0000-0000-000000000001', VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 });
  }).then(({ url, close }) => {
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = url;
    return { state, url, close };
  });
}

module.exports = { startFakeSecretsManager };
