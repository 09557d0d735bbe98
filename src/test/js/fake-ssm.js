'use strict';
// A loopback fake of the SSM Parameter Store calls the cache warmer makes, answering as the service does: JSON
// protocol with x-amz-target AmazonSSM.<Operation>, ParameterNotFound for a name never put (or deleted),
// ParameterAlreadyExists for a put without Overwrite, a ValidationException past the standard tier's 4 KB, and
// ThrottlingException when told to throttle.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
const { startAwsJsonServer } = require('./aws-json-server');

const STANDARD_LIMIT = 4096;

function startFakeSsm() {
  const state = { parameters: new Map(), calls: [], throttle: 0 };
  return startAwsJsonServer((request, body, operation, reply) => {
    if (state.throttle > 0) {
      state.throttle--;
      return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const input = JSON.parse(body || '{}');
    state.calls.push({ operation, input });
    const notFound = () => reply(400, { __type: 'ParameterNotFound', message: '' });
    if (operation === 'GetParameter') {
      const value = state.parameters.get(input.Name);
      if (value === undefined) return notFound();
      return reply(200, { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } });
    }
    if (operation === 'PutParameter') {
      if (state.parameters.has(input.Name) && !input.Overwrite) {
        return reply(400, { __type: 'ParameterAlreadyExists', message: 'The parameter already exists.' });
      }
      if (Buffer.byteLength(input.Value) > STANDARD_LIMIT) {
        return reply(400, { __type: 'ValidationException', message: 'Standard tier parameters support a maximum parameter value of 4096 characters.' });
      }
      state.parameters.set(input.Name, input.Value);
      return reply(200, { Version: 1, Tier: 'Standard' });
    }
    if (operation === 'DeleteParameter') {
      if (!state.parameters.delete(input.Name)) return notFound();
      return reply(200, {});
    }
    return reply(400, { __type: 'UnknownOperationException', message: operation });
  }).then(({ url, close }) => {
    process.env.AWS_ENDPOINT_URL_SSM = url;
    return { state, url, close };
  });
}

module.exports = { startFakeSsm, STANDARD_LIMIT };
