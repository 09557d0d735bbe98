'use strict';
// What the fakes of AWS JSON-protocol APIs (ECR, SSM) share: a server on 127.0.0.1 that reads a request's body and
// operation (x-amz-target "<Service>.<Operation>") and answers in application/x-amz-json-1.1.
const http = require('node:http');

/**
 * @param answer (request, body, operation, reply(status, payload), response) => void
 * @returns a promise of { url, close }
 */
function startAwsJsonServer(answer) {
  const server = http.createServer((request, response) => {
    // chunks joined once: a layer part's 14 MB body is not rebuilt as a string at each chunk
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const operation = String(request.headers['x-amz-target'] || '').split('.').pop();
      const reply = (status, payload) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      answer(request, body, operation, reply, response);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      close: () => new Promise((done) => server.close(done)),
    }));
  });
}

module.exports = { startAwsJsonServer };
