'use strict';
// Runs the image copier's invocations of a run ({ Images, ...settings } from stdin), one image each as the state
// machine invokes it, in a process of its own; prints their results and the
// process's peak resident memory as the last line of stdout. The test and the benchmark start it (copyInChild) with a
// small heap (--max-old-space-size) to show that a blob is never held whole.
const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js';

/**
 * This process's peak resident memory, in bytes: Linux's VmHWM, the high-water mark of this program's own memory.
 * Not resourceUsage().maxRSS: Linux carries that over from the parent forked to start this process
 * (getrusage(2), https://man7.org/linux/man-pages/man2/getrusage.2.html: "Resource usage metrics are preserved across
 * an execve"), so that a parent of 500 MB made every child read 500 MB. maxRSS (kilobytes) where there is no /proc.
 */
function peakRss() {
  try {
    const hwm = require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    if (hwm) return Number(hwm[1]) * 1024;
  } catch (noProc) {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Starts this file as a process of its own with a heap of heapMb (null: Node's default) on `event`; its report, time
 * and peak RSS. Its standard error goes to the caller's, or nowhere with stderr 'ignore'.
 */
function copyInChild(event, heapMb, stderr = 'inherit') {
  const { spawn } = require('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(heapMb ? [`--max-old-space-size=${heapMb}`] : []), __filename],
      { env: process.env, stdio: ['pipe', 'pipe', stderr] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output.trim().split('\n').pop()))
      : reject(new Error(`the copy's process ${child.pid} exited ${code}: ${output.slice(-2000)}`))));
    child.stdin.end(JSON.stringify(event));
  });
}

if (require.main !== module) {
  module.exports = { copyInChild };
} else {
  let input = '';
  process.stdin.on('data', (chunk) => { input += chunk; });
  process.stdin.on('end', async () => {
    const handler = require(HANDLER).createHandler({ retryDelayMs: 1, reserveMs: 60000 });
    const started = Date.now();
    const { Images, ...settings } = JSON.parse(input);
    const report = [];
    for (const image of Images) {
      report.push(await handler({ Action: 'image', Image: image, Settings: settings }, { getRemainingTimeInMillis: () => 900000 }));
    }
    console.log(JSON.stringify({ report, seconds: (Date.now() - started) / 1000, maxRssBytes: peakRss(),
      cpu: process.cpuUsage() }));
  });
}
