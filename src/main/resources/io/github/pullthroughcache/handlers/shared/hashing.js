'use strict';
// The sha256 of a blob as it streams, computed on a thread of its own: the event loop that reads the upstream and
// writes the registry then spends no time hashing, and a copy runs the two on two processors (Lambda gives a
// function of 1,769 MB or more a second vCPU: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
// The bytes are copied into batches of a MiB, which go to the thread and come back moved, not copied (a transfer
// list both ways), to be filled again: one copy of each byte, since the chunks themselves are still being written to
// the registry, and a fixed set of batches, so memory stays flat. At most IN_FLIGHT batches of a hash wait for the
// thread: when it falls behind, update() returns a Promise that the stream awaits.

const { Worker } = require('node:worker_threads');

const BATCH_BYTES = 1024 * 1024;
const IN_FLIGHT = 8;
const THREAD = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', ({ id, batch, length, end }) => {
  if (!hashes.has(id)) hashes.set(id, crypto.createHash('sha256'));
  if (batch) {
    hashes.get(id).update(new Uint8Array(batch, 0, length));
    parentPort.postMessage({ id, batch }, [batch]);
  }
  if (end) {
    parentPort.postMessage({ id, digest: 'sha256:' + hashes.get(id).digest('hex') });
    hashes.delete(id);
  }
});
`;

let thread = null;
let lastId = 0;
// the open hashes, by id: what their batches and digest come back to
const hashes = new Map();
// batches back from the thread, to be filled again
const spare = [];

function hashingThread() {
  if (!thread) {
    thread = new Worker(THREAD, { eval: true });
    thread.on('message', ({ id, batch, digest }) => {
      if (batch && spare.length < 4 * IN_FLIGHT) spare.push(batch);
      const hash = hashes.get(id);
      if (hash) (batch ? hash.returned : hash.answered)(digest);
    });
    thread.on('error', (error) => {
      for (const hash of hashes.values()) hash.failed(error);
      thread = null;
    });
    thread.unref();
  }
  return thread;
}

/**
 * A sha256 computed off the event loop: update(chunk) as the bytes pass (the chunk may be written elsewhere meanwhile:
 * it is copied, never moved; a returned Promise is awaited before the next), digest() once at the end, a Promise of
 * "sha256:<hex>"; abandon() when the stream stops without one.
 */
function createSha256() {
  const id = ++lastId;
  const worker = hashingThread();
  // the thread keeps the process alive only while a hash is open
  if (hashes.size === 0) worker.ref();
  let batch = null;
  let filled = 0;
  let inFlight = 0;
  let behind = null;
  let answer = null;
  let failure = null;
  const waiting = () => {
    let settle;
    const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
    return Object.assign(promise, settle);
  };
  const close = () => {
    if (!hashes.delete(id)) return;
    if (hashes.size === 0 && thread) thread.unref();
  };
  hashes.set(id, {
    returned: () => {
      inFlight--;
      if (behind && inFlight < IN_FLIGHT) {
        behind.resolve();
        behind = null;
      }
    },
    answered: (digest) => {
      close();
      answer.resolve(digest);
    },
    failed: (error) => {
      failure = error;
      close();
      if (behind) behind.reject(error);
      if (answer) answer.reject(error);
    },
  });
  const send = (end) => {
    const message = { id, end };
    if (filled > 0) {
      Object.assign(message, { batch, length: filled });
      inFlight++;
    }
    worker.postMessage(message, filled > 0 ? [batch] : []);
    batch = null;
    filled = 0;
  };
  return {
    /** Hashes a chunk; a Promise to await when the thread is behind, or undefined. */
    update(chunk) {
      if (failure) throw failure;
      for (let at = 0; at < chunk.length;) {
        if (!batch) batch = spare.pop() || new ArrayBuffer(BATCH_BYTES);
        const length = Math.min(chunk.length - at, BATCH_BYTES - filled);
        new Uint8Array(batch, filled, length).set(chunk.subarray(at, at + length));
        filled += length;
        at += length;
        if (filled === BATCH_BYTES) send(false);
      }
      if (inFlight < IN_FLIGHT) return undefined;
      if (!behind) behind = waiting();
      return behind;
    },
    digest() {
      if (failure) return Promise.reject(failure);
      answer = waiting();
      send(true);
      return answer;
    },
    abandon() {
      if (!hashes.has(id)) return;
      if (batch) spare.push(batch);
      batch = null;
      filled = 0;
      // the thread forgets it; what it sends back goes to no hash
      worker.postMessage({ id, end: true });
      close();
    },
  };
}

module.exports = { createSha256 };
