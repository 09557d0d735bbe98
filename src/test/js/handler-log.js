'use strict';
// What the handlers log, captured rather than printed: a passing run of the handler tests prints its test counts and
// nothing that reads as a failure, and a test that expects a line asserts on it. HANDLER_TEST_LOG=1 prints the lines
// as well, to read them while a test is being written.
const util = require('node:util');
const { beforeEach, afterEach } = require('node:test');

// The AWS SDK for JavaScript warns once per process, on the first client, that its versions after January 2027
// need Node 22; the tests also run on Node 20. This is the switch the SDK's team gives for it
// (https://github.com/aws/aws-sdk-js-v3/issues/7983): set before the first client is built.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * Captures what the handlers log around each test of the file that calls it: the JSON lines of shared/log.js (and
 * the metrics' lines) on standard output, and console.log, console.warn, console.error, which no handler calls.
 * @returns { lines: the lines logged by the running test, records(): those that are JSON objects, parsed,
 *   values(key): the value of key in each record that has it, text(): the lines joined, clear() }
 */
function captureLog() {
  const lines = [];
  const originals = {};
  let restoreStdout;
  beforeEach(() => {
    lines.length = 0;
    for (const level of ['log', 'warn', 'error']) {
      originals[level] = console[level];
      console[level] = (...args) => {
        lines.push(util.format(...args));
        if (process.env.HANDLER_TEST_LOG) originals[level](...args);
      };
    }
    const captured = [];
    restoreStdout = captureStdout(captured);
    captured.push = (chunk) => {
      lines.push(...chunk.split('\n').filter((line) => line !== ''));
      if (process.env.HANDLER_TEST_LOG) process.stderr.write(chunk);
      return captured.length;
    };
  });
  afterEach(() => {
    Object.assign(console, originals);
    restoreStdout();
  });
  const records = () => lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch (notJson) {
      return null;
    }
  }).filter((record) => record && typeof record === 'object');
  const values = (key) => records().filter((record) => key in record).map((record) => record[key]);
  return { lines, records, values, text: () => lines.join('\n'), clear: () => { lines.length = 0; } };
}

/**
 * Captures what a handler writes on standard output itself (its EMF metric lines, console output) into `lines`,
 * rather than printing it. Node's test runner reports a test file's results on the same stream, as bytes: those
 * pass through.
 * @returns a function that puts standard output back
 */
function captureStdout(lines) {
  const write = process.stdout.write;
  process.stdout.write = (chunk, ...rest) => {
    if (typeof chunk !== 'string') return write.call(process.stdout, chunk, ...rest);
    lines.push(chunk);
    return true;
  };
  return () => { process.stdout.write = write; };
}

module.exports = { captureLog, captureStdout };
