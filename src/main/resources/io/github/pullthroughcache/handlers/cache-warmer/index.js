'use strict';
// The cache warmer: pulls images through the account's private registry, as `docker pull` would, so that
// ECR's pull through cache fetches them from the upstream now, from outside any VPC. Invoked by CloudFormation
// (custom resource Custom::EcrCacheWarmer: on create and update, to start a run) and by the run's state machine (one
// image at a time, then the answer). Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 it provides. The pull
// and the run are shared with the image copier: ../shared/registry-client.js, ../shared/image-run.js.
// The registry token is never logged: only image names, digests, sizes, durations and error messages.

const { ECRClient, GetAuthorizationTokenCommand } = require('@aws-sdk/client-ecr');
const { SFNClient } = require('@aws-sdk/client-sfn');
const { fixedRegistry, get, drain, manifest, isIndex, parsePlatform, chosenEntries, blobsOf, pool } = require('../shared/registry-client');
const { createImageRunHandler } = require('../shared/image-run');
const { publish } = require('../shared/metrics');
const { awsClient } = require('../shared/aws-clients');

// what a test may choose through createHandler: attempts of a registry request, the first wait between them,
// and the time kept back from Lambda's timeout to answer CloudFormation and log the report
const DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, reserveMs: 60000 };
const WORDS = { what: 'cache warmer', done: 'warmed', Done: 'Warmed' };

/** A registry session: its base URL and the Basic credential of ecr:GetAuthorizationToken. */
async function session(ecr) {
  const response = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData && response.authorizationData[0];
  if (!data || !data.authorizationToken) throw new Error('ecr:GetAuthorizationToken returned no token');
  return fixedRegistry(process.env.REGISTRY_URL || data.proxyEndpoint, `Basic ${data.authorizationToken}`);
}

/** Pulls one image: its manifest (and, for an index, the chosen platforms' manifests), config and layers. */
async function warmImage(registry, image, options) {
  const started = Date.now();
  const platforms = options.platforms.map(parsePlatform);
  const top = await manifest(registry, image.repository, image.reference, options);
  let manifests = [top];
  let bytes = top.bytes;
  if (isIndex(top)) {
    manifests = [];
    for (const entry of chosenEntries(top, platforms)) {
      const platformManifest = await manifest(registry, image.repository, entry.digest, options);
      bytes += platformManifest.bytes;
      manifests.push(platformManifest);
    }
  }
  const sizes = await pool([...blobsOf(manifests).keys()], options.concurrency, async (digest) => {
    const response = await get(registry, image.repository, `/v2/${image.repository}/blobs/${digest}`, {}, options);
    return (await drain(response, digest)).bytes;
  });
  bytes += sizes.reduce((sum, size) => sum + size, 0);
  return { digest: top.digest, bytes, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/**
 * An image's outcome as metrics (embedded metric format): images warmed, failed and deferred and the bytes pulled,
 * to be summed. Published for the cache named in METRICS_CACHE, which a cache sets always (a few metrics, billed per
 * metric and month).
 */
function publishOutcome(report, counts) {
  if (!process.env.METRICS_CACHE) return;
  const bytes = report.filter((entry) => entry.status === WORDS.done).reduce((sum, entry) => sum + (entry.bytes || 0), 0);
  publish({ Cache: process.env.METRICS_CACHE }, {
    ImagesWarmed: { value: counts.done, unit: 'Count' },
    ImagesFailed: { value: counts.failed, unit: 'Count' },
    ImagesDeferred: { value: counts.deferred, unit: 'Count' },
    BytesWarmed: { value: bytes, unit: 'Bytes' },
  });
}

/**
 * The handler, for CloudFormation events and the state machine's. The state machine runs ImageConcurrency images at
 * a time, each one's blobs Concurrency at a time, so at most their product of downloads at once.
 * @param settings what a test may choose: ecr and states (the clients), now (the clock), retryDelayMs, reserveMs,
 *   responseRetryDelayMs (see DEFAULTS)
 */
function createHandler(settings = {}) {
  const ecr = awsClient(ECRClient, settings.ecr);
  return createImageRunHandler({
    words: WORDS,
    limits: { ...DEFAULTS, ...settings },
    states: awsClient(SFNClient, settings.states),
    now: settings.now,
    defaultPlatforms: ['linux/amd64', 'linux/arm64'],
    prepare: () => session(ecr),
    processImage: (image, registry, options) => {
      // an image of a rule in another registry (an imported rule) names that registry's URL. The token of
      // GetAuthorizationToken serves every registry the role may pull from
      // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html)
      const target = image.registryUrl ? { ...registry, base: image.registryUrl.replace(/\/+$/, '') } : registry;
      return warmImage(target, image, options);
    },
    publish: publishOutcome,
  });
}

exports.handler = createHandler();
exports.createHandler = createHandler;
