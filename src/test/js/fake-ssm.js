'use strict';
// A loopback fake of the SSM Parameter Store calls the handlers make, answering as the service does: JSON
// protocol with x-amz-target AmazonSSM.<Operation>, ParameterNotFound for a name never put (or deleted),
// ParameterAlreadyExists for a put without Overwrite, a ValidationException past the standard tier's 4 KB, and
// ThrottlingException when told to throttle.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html
// GetParametersByPath returns the parameters directly under a path (all below it with Recursive), MaxResults at most
// 10, and pages on a best-effort basis: a page may hold fewer than MaxResults, even none, with a NextToken
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html). The fake's pages
// hold at most pageSize parameters, and its first page of a listing is empty when emptyFirstPage is set.
const { startAwsJsonServer } = require('./aws-json-server');

const STANDARD_LIMIT = 4096;

function startFakeSsm() {
  const state = { parameters: new Map(), calls: [], throttle: 0, throttled: 0, pageSize: 2, emptyFirstPage: true };
  return startAwsJsonServer((request, body, operation, reply) => {
    if (state.throttle > 0) {
      state.throttle--;
      state.throttled++;
      return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    }
    const input = JSON.parse(body || '{}');
    state.calls.push({ operation, input });
    const notFound = () => reply(400, { __type: 'ParameterNotFound', message: '' });
    const parameter = (name) => ({ Name: name, Type: 'String', Value: state.parameters.get(name), Version: 1 });
    if (operation === 'GetParameter') {
      if (!state.parameters.has(input.Name)) return notFound();
      return reply(200, { Parameter: parameter(input.Name) });
    }
    if (operation === 'GetParametersByPath') {
      if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 10)) {
        return reply(400, { __type: 'ValidationException', message: `1 validation error detected: Value '${input.MaxResults}' `
          + "at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10" });
      }
      const prefix = `${input.Path.replace(/\/+$/, '')}/`;
      const names = [...state.parameters.keys()].sort()
        .filter((name) => name.startsWith(prefix) && (input.Recursive || !name.slice(prefix.length).includes('/')));
      const start = Number(input.NextToken || 0);
      const size = start === 0 && !input.NextToken && state.emptyFirstPage ? 0 : Math.min(state.pageSize, input.MaxResults || 10);
      const page = names.slice(start, start + size);
      const next = start + size;
      return reply(200, { Parameters: page.map(parameter), ...(next < names.length || size === 0 && names.length > 0 ? { NextToken: String(next) } : {}) });
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
