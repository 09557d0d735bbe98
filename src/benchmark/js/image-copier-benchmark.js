'use strict';
// The image copier's benchmark (mvn -Pbenchmark test-compile exec:java runs it after the cache warmer's): the handler
// against the loopback fakes, the upstream's blob host throttled to a fixed bandwidth as a CDN serves one client, and
// ECR's registry API for pushes as the fake answers it (fake-ecr-push.js). It copies a list of images, each image an
// invocation driven by the Copied example's state machine, one at a time and several at a time, copies it again
// (nothing to upload), then copies one image whose single layer of 2 GB is made on the fly, in a process of its own
// with a small heap, and prints that process's peak resident memory. Between the two, the copier beside skopeo, both
// between two real registries (see sideBySide). Wall time, throughput and memory are printed; nothing is asserted on
// time.
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');
const { startFakeEcr, useFake } = require('../../test/js/fake-ecr');
const { startPushRegistry } = require('../../test/js/fake-ecr-push');
const { startImageRun } = require('../../test/js/image-run-harness');
const { copyInChild: copyInChildProcess } = require('../../test/js/copy-in-child');
const { startFakeRegistry, generatedBlob, generatedLayer, blob, manifestBytes } = require('../../test/js/fake-registry');

const MB = 1024 * 1024;
const IMAGES = Number(process.env.BENCHMARK_COPY_IMAGES || 8);
const LAYERS = 4;
const LAYER_MB = 8;
const RATES = { perConnection: 10 * MB, total: 160 * MB };
const BIG_LAYER_MB = Number(process.env.BENCHMARK_BIG_LAYER_MB || 2048);
const CHILD_HEAP_MB = 128;

/** One copy in a process of its own, with a heap of heapMb (null: Node's default), its standard error dropped. */
const copyInChild = (event, heapMb = CHILD_HEAP_MB) => copyInChildProcess(event, heapMb, 'ignore');

// Side by side with skopeo: the same source (a CNCF distribution registry on loopback), one image at a time, each
// side a process of its own, each pushing to a distribution registry of its own, started afresh each round (a process
// of its own, standing for ECR: the copier is given its URL by the fake ECR's GetAuthorizationToken). Afresh, since
// skopeo run as root keeps a blob cache in /var/lib/containers/cache whatever its HOME, and mounts a blob it has
// pushed before from the repository it pushed it to instead of uploading it. The copier and skopeo alternate. The
// medians of ROUNDS rounds, in MiB/s of the images' bytes.
const ROUNDS = Number(process.env.BENCHMARK_ROUNDS || 3);
// the 5-image set: layer sizes in MiB per image, 418 MiB in all; and one image of one 400 MiB layer
const IMAGE_SET = [[40, 30, 10], [100, 20], [60, 40], [50, 20, 8], [40]];
const ONE_LAYER = [[400]];

const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A CNCF distribution registry on loopback, plain HTTP, no auth, storage in a directory of its own; stop() by PID. */
async function startDistribution(work, name) {
  const port = await freePort();
  const config = path.join(work, `${name}.yml`);
  fs.writeFileSync(config, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n`
    + `    rootdirectory: ${path.join(work, name)}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch (notYet) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // stopped by its PID; its storage removed with it
  const stop = () => new Promise((resolve) => { child.once('exit', resolve); child.kill(); })
    .then(() => fs.rmSync(path.join(work, name), { recursive: true, force: true }));
  return { url, host: `127.0.0.1:${port}`, stop };
}

/** Pushes a blob (generated or whole) with the distribution API's monolithic upload: POST, then PUT with the digest. */
async function pushBlob(registry, repository, content) {
  const started = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (started.status !== 202) throw new Error(`upload of ${repository}: HTTP ${started.status}`);
  const location = new URL(started.headers.get('location'), registry.url);
  location.searchParams.set('digest', content.digest);
  const body = content.chunks ? require('node:stream').Readable.from(content.chunks()) : content.content;
  const done = await fetch(location, { method: 'PUT', body, duplex: 'half',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(content.size) } });
  if (done.status !== 201) throw new Error(`blob ${content.digest}: HTTP ${done.status} ${await done.text()}`);
}

/** An image of generated layers (sizes in MiB) pushed to the source registry; its copier list entry. */
async function pushImage(registry, repository, layerMiB, seed) {
  const config = blob(`config of ${repository} ${seed}`);
  // gzip layers as registries hold them: skopeo compresses a layer that is not gzip on the way (see generatedLayer)
  const layers = layerMiB.map((mib, i) => generatedLayer(mib * MB, seed * 100 + i));
  for (const each of [config, ...layers]) await pushBlob(registry, repository, each);
  const body = manifestBytes({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layer.digest,
      size: layer.size })) });
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/v1`, { method: 'PUT', body,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  if (put.status !== 201) throw new Error(`manifest of ${repository}: HTTP ${put.status}`);
  return { image: `${registry.host}/${repository}:v1`, upstream: registry.url, sourceRepository: repository, reference: 'v1',
    repository: `mcr/${repository}` };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function sideBySide(ecr) {
  const pushedTo = ecr.state.proxyEndpoint;
  if (ROUNDS < 1) return;
  if (!onPath('docker-registry') || !onPath('skopeo')) {
    console.log('  side by side with skopeo: SKIPPED, docker-registry or skopeo is not installed (Debian: apt-get install '
      + 'docker-registry skopeo); no comparison was made');
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'copier-benchmark-'));
  const source = await startDistribution(work, 'source');
  try {
    const sets = [
      { label: `${IMAGE_SET.length}-image set, ${IMAGE_SET.flat().reduce((a, b) => a + b)} MiB`, layers: IMAGE_SET },
      { label: `one ${ONE_LAYER[0][0]} MiB layer`, layers: ONE_LAYER },
    ];
    console.log(`  side by side, one image at a time, from a CNCF distribution registry on loopback, median of ${ROUNDS}:`);
    console.log(`    ${''.padEnd(26)} ${'copier'.padStart(18)} ${'skopeo copy --all'.padStart(18)} ${'ratio'.padStart(6)}`);
    let seed = 1;
    for (const set of sets) {
      const images = [];
      for (const layerMiB of set.layers) images.push(await pushImage(source, `bench/s${seed}`, layerMiB, seed++));
      const mib = set.layers.flat().reduce((a, b) => a + b);
      const copier = [];
      const skopeo = [];
      for (let round = 0; round < ROUNDS; round++) {
        const forCopier = await startDistribution(work, `copier-${seed}-${round}`);
        ecr.state.proxyEndpoint = forCopier.url;
        const result = await copyInChild({ Images: images.map((each) => ({ ...each, repository: `c${round}/${each.sourceRepository}` })),
          ImageConcurrency: '1', Concurrency: '4' }, null);
        if (result.report.some((entry) => entry.status !== 'copied')) throw new Error(`the copier: ${JSON.stringify(result.report)}`);
        copier.push(mib / result.seconds);
        await forCopier.stop();
        const target = await startDistribution(work, `skopeo-${seed}-${round}`);
        // a home of its own each round: skopeo's blob cache knows nothing, so it uploads every blob as the copier does
        const home = fs.mkdtempSync(path.join(work, 'home-'));
        const started = process.hrtime.bigint();
        for (const each of images) {
          const run = spawnSync('skopeo', ['--insecure-policy', 'copy', '--all', '--quiet', '--src-tls-verify=false',
            '--dest-tls-verify=false', `docker://${each.image}`, `docker://${target.host}/r${round}/${each.sourceRepository}:v1`],
          { env: { ...process.env, HOME: home }, encoding: 'utf8' });
          if (run.status !== 0) throw new Error(`skopeo: ${run.stderr}`);
        }
        skopeo.push(mib / (Number(process.hrtime.bigint() - started) / 1e9));
        await target.stop();
      }
      console.log(`    ${set.label.padEnd(26)} ${`${median(copier).toFixed(1)} MiB/s`.padStart(18)} `
        + `${`${median(skopeo).toFixed(1)} MiB/s`.padStart(18)} ${(median(copier) / median(skopeo)).toFixed(2).padStart(6)}`);
    }
  } finally {
    ecr.state.proxyEndpoint = pushedTo;
    await source.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function main() {
  const ecr = await startFakeEcr();
  useFake(ecr.url);
  const pushTo = await startPushRegistry(ecr);
  let push = pushTo.reset({ createOnPush: ['mcr'] });
  const registry = await startFakeRegistry(null, { auth: { type: 'bearer', anonymous: true }, rates: RATES });
  const handler = require('../../main/resources/io/github/pullthroughcache/handlers/image-copier/index.js')
    .createHandler({ retryDelayMs: 10, reserveMs: 60000 });

  // each image its own layers: ECR keeps layers per repository, so every one is uploaded
  const images = Array.from({ length: IMAGES }, (_, i) => {
    const sourceRepository = `benchmark/image${i}`;
    registry.addImageOfLayers(sourceRepository, 'v1',
      Array.from({ length: LAYERS }, (__, l) => generatedBlob(LAYER_MB * MB, i * LAYERS + l + 1)));
    return { image: `mcr.microsoft.com/${sourceRepository}:v1`, upstream: registry.registryUrl, sourceRepository,
      reference: 'v1', repository: `mcr/${sourceRepository}` };
  });
  const megabytes = IMAGES * LAYERS * LAYER_MB;
  const context = { getRemainingTimeInMillis: () => 15 * 60000 };
  console.log(`image copier: ${IMAGES} images of ${LAYERS * LAYER_MB} MB (${LAYERS} layers), upstream blob host link `
    + `${RATES.total / MB} MB/s, ${RATES.perConnection / MB} MB/s per connection; ECR's registry API on loopback`);

  const timed = async (label, run) => {
    // the handlers' log lines (one per image, JSON on standard output) would bury the figures
    const write = process.stdout.write;
    process.stdout.write = (chunk, ...rest) => (typeof chunk === 'string' ? true : write.call(process.stdout, chunk, ...rest));
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await run();
    } finally {
      process.stdout.write = write;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const copied = result.report.filter((entry) => entry.status === 'copied').length;
    const uploaded = result.report.reduce((sum, entry) => sum + (entry.bytesUploaded || 0), 0) / MB;
    console.log(`  ${label.padEnd(44)} ${String(copied).padStart(3)} of ${IMAGES} copied in ${seconds.toFixed(1).padStart(6)} s, `
      + `${uploaded.toFixed(0)} MB uploaded (${(uploaded / seconds).toFixed(1)} MB/s)`);
    return copied;
  };
  // the copier's state machine, as the Copied example synthesizes it, with the Map's MaxConcurrency (the copier's
  // imageConcurrency, a synthesis-time setting) set for each run
  // 100 ms a state machine second: its 3000 s timeout lasts 300 s, past each run
  const copier = await startImageRun({ handler, template: 'PullThroughCacheCopied.template.json',
    prefix: 'CacheCopierRun', context: () => context, secondMs: 100 });
  const run = (imageConcurrency, concurrency) => () => {
    copier.definition.States.Images.MaxConcurrency = imageConcurrency;
    return copier.run({ Images: images, Concurrency: String(concurrency) }, context);
  };

  const counts = [];
  // BENCHMARK_THROTTLED=false leaves these runs out (the side by side and the large layer only)
  if (process.env.BENCHMARK_THROTTLED !== 'false') {
    counts.push(await timed('one image, one blob at a time', run(1, 1)));
    counts.push(await timed('again: copied already, nothing to upload', run(4, 4)));
    push = pushTo.reset({ createOnPush: ['mcr'] });
    counts.push(await timed('4 images at a time, 4 blobs each', run(4, 4)));
    push = pushTo.reset({ createOnPush: ['mcr'] });
    counts.push(await timed('4 images at a time, 8 blobs each', run(4, 8)));
  }

  await sideBySide(ecr);

  push = pushTo.reset({ createOnPush: ['mcr'] });
  const started = Date.now();
  const big = generatedBlob(BIG_LAYER_MB * MB, 2048);
  registry.addImageOfLayers('benchmark/big', 'v1', [big]);
  console.log(`  a layer of ${BIG_LAYER_MB} MB, made on the fly (its digest took ${((Date.now() - started) / 1000).toFixed(1)} s), `
    + `copied by a process of ${CHILD_HEAP_MB} MB of heap:`);
  const result = await copyInChild({ Images: [{ image: 'mcr.microsoft.com/benchmark/big:v1', upstream: registry.registryUrl,
    sourceRepository: 'benchmark/big', reference: 'v1', repository: 'mcr/benchmark/big' }] });
  const stored = push.repositories.get('mcr/benchmark/big');
  const same = stored && stored.layers.get(big.digest) === big.size;
  console.log(`    ${result.report[0].status} in ${result.seconds.toFixed(1)} s (${(BIG_LAYER_MB / result.seconds).toFixed(1)} MB/s), `
    + `${push.counts.parts} parts of at most ${push.mostPartBytes / MB} MB (config included), peak RSS ${(result.maxRssBytes / MB).toFixed(0)} MB, `
    + `digest in ECR ${same ? 'equal to' : 'NOT'} the upstream's`);

  await Promise.all([ecr.close(), registry.close(), pushTo.close(), copier.close()]);
  if (counts.some((count) => count !== IMAGES) || !same) {
    console.error('not every image was copied');
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { startDistribution, pushImage, copyInChild };
