'use strict';
// The hashing thread (shared/hashing.js): the digest of what passed, whatever the chunks; memory bounded when the
// thread falls behind; an abandoned hash leaves nothing open.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { createSha256 } = require('../../main/resources/io/github/pullthroughcache/handlers/shared/hashing');

const MiB = 1024 * 1024;
const expected = (chunks) => `sha256:${chunks.reduce((hash, chunk) => hash.update(chunk), crypto.createHash('sha256')).digest('hex')}`;

test('the digest is sha256 of the bytes passed, across batches, whatever the chunk sizes', async () => {
  for (const sizes of [[], [0], [1], [3, 0, 5], [MiB - 1, 2, MiB], [64 * 1024, 7 * MiB + 13, 1]]) {
    const chunks = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    const hash = createSha256();
    for (const chunk of chunks) await hash.update(chunk);
    assert.equal(await hash.digest(), expected(chunks), `chunks of ${sizes.join(', ')} bytes`);
  }
});

test('a chunk may be written elsewhere while it is hashed: the thread hashes a copy, the chunk is not moved', async () => {
  const chunk = Buffer.alloc(3 * MiB, 7);
  const hash = createSha256();
  await hash.update(chunk);
  assert.equal(chunk.length, 3 * MiB, 'the chunk keeps its bytes');
  assert.equal(chunk[3 * MiB - 1], 7);
  assert.equal(await hash.digest(), expected([chunk]));
});

test('several hashes at once keep their bytes apart', async () => {
  const a = createSha256();
  const b = createSha256();
  const chunksA = [];
  const chunksB = [];
  for (let i = 0; i < 20; i++) {
    const ca = crypto.randomBytes(300 * 1024);
    const cb = crypto.randomBytes(200 * 1024);
    chunksA.push(ca);
    chunksB.push(cb);
    await a.update(ca);
    await b.update(cb);
  }
  const [da, db] = await Promise.all([a.digest(), b.digest()]);
  assert.equal(da, expected(chunksA));
  assert.equal(db, expected(chunksB));
});

test('update() asks the stream to wait when the thread is behind, so the bytes waiting stay bounded', async () => {
  const hash = createSha256();
  let waits = 0;
  let unawaited = 0;
  // 64 batches, awaited only now and then: no batch comes back while the loop runs, so the ninth returns a Promise
  for (let i = 0; i < 64; i++) {
    const behind = hash.update(Buffer.alloc(MiB, i));
    if (behind) {
      unawaited++;
      if (i % 8 === 7) {
        waits++;
        await behind;
      }
    }
  }
  assert.ok(unawaited > 0, 'a Promise once 8 batches wait');
  assert.ok(waits > 0);
  const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(MiB, i));
  assert.equal(await hash.digest(), expected(chunks));
});

test('an abandoned hash stops the thread from holding the process: this test file ends', async () => {
  const hash = createSha256();
  hash.update(Buffer.alloc(2 * MiB + 5, 1));
  hash.abandon();
  hash.abandon();
  const after = createSha256();
  after.update(Buffer.from('after'));
  assert.equal(await after.digest(), expected([Buffer.from('after')]));
});
