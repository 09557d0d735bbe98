'use strict';
// shared/http-fetch.js: the part of fetch the registry client uses, as fetch answers it.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { httpFetch } = require('../../main/resources/io/github/pullthroughcache/handlers/shared/http-fetch');

let server;
let base;
const seen = [];

before(async () => {
  server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      if (request.url === '/redirect') {
        response.writeHead(307, { location: '/elsewhere' });
        response.end();
      } else if (request.url === '/big') {
        response.writeHead(200, { 'content-length': String(8 * 1024 * 1024) });
        response.end(Buffer.alloc(8 * 1024 * 1024, 1));
      } else {
        response.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        response.end('{"answer":42}');
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise((resolve) => {
  server.closeAllConnections();
  server.close(resolve);
}));

test('a response has its status, headers (several values joined, a missing one null), text, json and bytes', async () => {
  const response = await httpFetch(`${base}/doc`);
  assert.equal(response.status, 200);
  assert.equal(response.ok, true);
  assert.equal(response.headers.get('Content-Type'), 'application/json');
  assert.equal(response.headers.get('set-cookie'), 'a=1, b=2');
  assert.equal(response.headers.get('docker-content-digest'), null);
  assert.deepEqual(await response.json(), { answer: 42 });
  assert.equal(await (await httpFetch(`${base}/doc`)).text(), '{"answer":42}');
  assert.equal(Buffer.from(await (await httpFetch(`${base}/doc`)).arrayBuffer()).toString(), '{"answer":42}');
});

test('a redirect is answered, not followed, as fetch with redirect "manual" does', async () => {
  const response = await httpFetch(`${base}/redirect`);
  assert.equal(response.status, 307);
  assert.equal(response.ok, false);
  assert.equal(response.headers.get('location'), '/elsewhere');
  await response.body.cancel();
  assert.ok(!seen.some((request) => request.url === '/elsewhere'));
});

test('a body goes with its length; the method and headers as given', async () => {
  const response = await httpFetch(`${base}/put`, { method: 'PUT', headers: { 'content-type': 'text/x' }, body: Buffer.from('bytes') });
  await response.body.cancel();
  const put = seen.find((request) => request.url === '/put');
  assert.equal(put.method, 'PUT');
  assert.equal(put.headers['content-length'], '5');
  assert.equal(put.headers['content-type'], 'text/x');
  assert.equal(put.body.toString(), 'bytes');
});

test('a body is read chunk by chunk by a reader or by for await, and a cancel stops it', async () => {
  const reader = (await httpFetch(`${base}/big`)).body.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.length;
  assert.equal(bytes, 8 * 1024 * 1024);

  let iterated = 0;
  for await (const chunk of (await httpFetch(`${base}/big`)).body) iterated += chunk.length;
  assert.equal(iterated, 8 * 1024 * 1024);

  const cancelled = (await httpFetch(`${base}/big`)).body.getReader();
  let read = (await cancelled.read()).value.length;
  await cancelled.cancel();
  // what was read already may still come, then the end or the abort: never the whole body
  try {
    for (let next = await cancelled.read(); !next.done; next = await cancelled.read()) read += next.value.length;
  } catch (aborted) {
    assert.equal(aborted.code, 'ERR_STREAM_PREMATURE_CLOSE');
  }
  assert.ok(read < 8 * 1024 * 1024, `${read} bytes read after a cancel`);
});

test('a refused connection and an aborted request reject', async () => {
  const closed = http.createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(httpFetch(`http://127.0.0.1:${port}/`), /ECONNREFUSED/);
  await assert.rejects(httpFetch(`${base}/big`, { signal: AbortSignal.abort() }), { name: 'AbortError' });
});
