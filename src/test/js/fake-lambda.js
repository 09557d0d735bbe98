'use strict';
// A loopback fake of Lambda's Invoke as the cache warmer calls it (InvocationType Event): REST JSON on
// POST /2015-03-31/functions/<name>/invocations, 202 with no body for an asynchronous invoke, and the service's
// errors: ResourceNotFoundException (404) for a function that is not there, TooManyRequestsException (429).
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
const http = require('node:http');

function startFakeLambda() {
  const state = { invocations: [], functions: new Set(), throttle: 0 };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const error = (status, type, message) => {
        response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        response.end(JSON.stringify({ Type: 'User', message }));
      };
      const path = request.url.match(/^\/2015-03-31\/functions\/([^/]+)\/invocations/);
      if (request.method !== 'POST' || !path) return error(404, 'UnknownOperationException', request.url);
      const functionName = decodeURIComponent(path[1]);
      if (state.throttle > 0) {
        state.throttle--;
        return error(429, 'TooManyRequestsException', 'Rate Exceeded.');
      }
      if (!state.functions.has(functionName)) {
        return error(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
      }
      state.invocations.push({ functionName, type: request.headers['x-amz-invocation-type'], payload: JSON.parse(body) });
      response.writeHead(request.headers['x-amz-invocation-type'] === 'Event' ? 202 : 200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      process.env.AWS_ENDPOINT_URL_LAMBDA = url;
      resolve({ state, url, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

module.exports = { startFakeLambda };
