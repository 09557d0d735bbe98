'use strict';
// Runs the image copier's invocations of a run ({ Images, ...settings } from stdin), one image each as the state
// machine invokes it, in a process of its own; prints their results and the
// process's peak resident memory as the last line of stdout. The test and the benchmark start it with a small heap
// (--max-old-space-size) to show that a blob is never held whole.
const HANDLER = '../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js';

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  const handler = require(HANDLER).createHandler({ retryDelayMs: 1, reserveMs: 60000, ...(process.env.PART ? { partSize: Number(process.env.PART) } : {}) });
  const started = Date.now();
  const { Images, ...settings } = JSON.parse(input);
  const report = [];
  for (const image of Images) {
    report.push(await handler({ Action: 'image', Image: image, Settings: settings }, { getRemainingTimeInMillis: () => 900000 }));
  }
  // resourceUsage().maxRSS is in kilobytes
  console.log(JSON.stringify({ report, seconds: (Date.now() - started) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024, cpu: process.cpuUsage() }));
});
