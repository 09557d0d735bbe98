'use strict';
// A fake of CloudFormation's DescribeStacks on 127.0.0.1, in its query protocol: a form-encoded POST, an XML answer.
const http = require('node:http');

/**
 * @param options { status }: the stack status DescribeStacks answers (DELETE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS...)
 * @returns a promise of { state, url, close }; state.requests holds each request's parameters
 */
function startFakeCloudFormation(options = {}) {
  const state = { status: 'DELETE_IN_PROGRESS', requests: [], ...options };
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const parameters = Object.fromEntries(new URLSearchParams(body));
      state.requests.push(parameters);
      if (parameters.Action !== 'DescribeStacks') {
        response.writeHead(400, { 'content-type': 'text/xml' });
        response.end(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>${parameters.Action}</Message></Error></ErrorResponse>`);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(`<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult>
<Stacks><member><StackId>${parameters.StackName}</StackId><StackName>Test</StackName>
<CreationTime>2026-12-01T00:00:00Z</CreationTime><StackStatus>${state.status}</StackStatus></member></Stacks>
</DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ state, url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((done) => server.close(done)) }));
  });
}

module.exports = { startFakeCloudFormation };
