'use strict';
// The handler tests of `mvn verify` (pom.xml), run alongside the Java tests rather than after them: the Java tests
// keep one core busy with jsii, the handler tests mostly wait on their loopback sockets.
//
//   node src/test/js/run-handler-tests.js start <dir> --snapshot-update=<true|false>
//     before the Java tests: runs the handler tests in the background, their report into <dir>/output.txt and their
//     exit status into <dir>/status; not while the Java tests rewrite the snapshots, which the handler tests read.
//   node src/test/js/run-handler-tests.js await <dir>
//     after them: prints that report and exits with that status; when nothing was started in <dir>, runs the
//     handler tests itself, in the foreground.
//
// <dir> is of this build alone (pom.xml names it after the build's start), so a run of an earlier build is never read.
// The background run ends with the build: when Maven is gone (its process is no longer our parent), its tests are
// stopped, and a wait is bounded.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const AWAIT_MINUTES = 10;

// node's test runner, reporting the closing counts only (counts-reporter.js) and each failure; two test files at a
// time, each in a process of its own with its own loopback fakes: node 20 runs one at a time on two cores
// (availableParallelism - 1), most of it waiting on sockets
const TESTS = ['--test', '--test-concurrency=2', `--test-reporter=${path.join(__dirname, 'counts-reporter.js')}`,
  __dirname];

const [command, dir, ...options] = process.argv.slice(2);
if (!['start', 'await'].includes(command) || !dir) {
  console.error('usage: run-handler-tests.js start|await <dir> [--snapshot-update=<true|false>]');
  process.exit(2);
}
const started = path.join(dir, 'started');
const output = path.join(dir, 'output.txt');
const status = path.join(dir, 'status');

if (command === 'start') {
  // the runs of earlier builds go
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  if (options.includes('--snapshot-update=true')) {
    process.exit(0);
  }
  fs.mkdirSync(dir, { recursive: true });
  const out = fs.openSync(output, 'w');
  // a process group of its own, so that stopping it stops each test file's process too
  const tests = spawn(process.execPath, TESTS, { stdio: ['ignore', out, out], detached: true });
  fs.writeFileSync(started, String(tests.pid));
  const stop = () => {
    try {
      process.kill(-tests.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    process.exit(1);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const maven = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== maven) {
      stop();
    }
  }, 1000);
  tests.on('exit', (code, signal) => {
    clearInterval(watch);
    // whole or not at all, for the build that polls for it
    fs.writeFileSync(`${status}.part`, String(code === null ? `signal ${signal}` : code));
    fs.renameSync(`${status}.part`, status);
  });
} else if (!fs.existsSync(started)) {
  const run = spawnSync(process.execPath, TESTS, { stdio: 'inherit' });
  process.exit(run.status === null ? 1 : run.status);
} else {
  const deadline = Date.now() + AWAIT_MINUTES * 60 * 1000;
  const poll = setInterval(() => {
    if (fs.existsSync(status)) {
      clearInterval(poll);
      process.stdout.write(fs.readFileSync(output));
      const code = fs.readFileSync(status, 'utf8');
      process.exit(/^\d+$/.test(code) ? Number(code) : 1);
    } else if (Date.now() > deadline) {
      clearInterval(poll);
      process.stdout.write(fs.readFileSync(output));
      console.error(`the handler tests started in ${dir} did not end within ${AWAIT_MINUTES} minutes`);
      try {
        process.kill(-Number(fs.readFileSync(started, 'utf8')), 'SIGTERM');
      } catch {
        // already gone
      }
      process.exit(1);
    }
  }, 200);
}
