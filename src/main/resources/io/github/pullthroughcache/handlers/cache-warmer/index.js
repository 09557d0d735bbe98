'use strict';
// The cache warmer: pulls images through the account's private registry, as `docker pull` would, so that
// ECR's pull through cache fetches them from the upstream now, from outside any VPC. Invoked by
// CloudFormation (custom resource Custom::EcrCacheWarmer: on create and update) and by EventBridge
// Scheduler ({ "Images": [...] }). Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 it provides.
// The registry token is never logged: only image names, digests, sizes, durations and error messages.

const crypto = require('node:crypto');
const { ECRClient, GetAuthorizationTokenCommand } = require('@aws-sdk/client-ecr');
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const { SSMClient, GetParameterCommand, PutParameterCommand, DeleteParameterCommand } = require('@aws-sdk/client-ssm');
const { customResource, sleep, deadlineOf, DeadlineReached, CONTINUED } = require('../shared/cloudformation');
const { publish } = require('../shared/metrics');

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(0, 2));
const MAX_REDIRECTS = 5;
// what a test may choose through createHandler: attempts of a registry request, the first wait between them,
// and the time kept back from Lambda's timeout to answer CloudFormation and log the report
const DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, reserveMs: 60000 };
// A list longer than one invocation goes on in the next: the function hands its event to itself (an asynchronous
// invoke) while a run makes progress. At deployment, CloudFormation waits an hour for the answer (the custom
// resource's ServiceTimeout, 3600 s at most:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html),
// which four invocations of Lambda's 15 minutes fit in. A scheduled run goes on for 15 invocations at most, under
// the 16 of one chain at which Lambda's recursive loop detection stops a function
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html).
const MAX_CONTINUATIONS = { deployment: 3, schedule: 14 };

/** A registry session: its base URL and the Basic credential of ecr:GetAuthorizationToken. */
async function session(ecr) {
  const response = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData && response.authorizationData[0];
  if (!data || !data.authorizationToken) throw new Error('ecr:GetAuthorizationToken returned no token');
  const base = (process.env.REGISTRY_URL || data.proxyEndpoint).replace(/\/+$/, '');
  return { base, authorization: `Basic ${data.authorizationToken}` };
}

/**
 * fetch with retries on 429, 5xx and network errors, and with Retry-After honoured; never past the deadline.
 * @param limits { deadline, maxAttempts, retryDelayMs }
 */
async function request(url, options, limits) {
  const { deadline, maxAttempts } = limits;
  const backoff = (attempt) => limits.retryDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new DeadlineReached('deadline reached');
    let response;
    try {
      response = await fetch(url, { ...options, redirect: 'manual', signal: AbortSignal.timeout(left) });
    } catch (error) {
      if (Date.now() >= deadline) throw new DeadlineReached('deadline reached');
      if (attempt >= maxAttempts) throw new Error(`${new URL(url).host}: ${error.message}`);
      await sleep(backoff(attempt));
      continue;
    }
    if (response.status !== 429 && response.status < 500) return response;
    await response.body?.cancel();
    if (attempt >= maxAttempts) throw new Error(`HTTP ${response.status} from ${new URL(url).host} after ${attempt} attempts`);
    const retryAfter = Number(response.headers.get('retry-after'));
    await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30000) : backoff(attempt));
  }
}

/**
 * GET from the registry, following redirects. The credential goes to the registry only: a redirect to
 * another host (ECR sends layers to S3 with a pre-signed URL) is followed without it.
 */
async function get(registry, path, headers, limits) {
  let url = `${registry.base}${path}`;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameHost = new URL(url).origin === new URL(registry.base).origin;
    const response = await request(url, { headers: sameHost ? { ...headers, authorization: registry.authorization } : headers }, limits);
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location'), url).toString();
      continue;
    }
    if (!response.ok) {
      const text = (await response.text()).slice(0, 300);
      throw new Error(`GET ${path}: HTTP ${response.status} ${text}`);
    }
    return response;
  }
  throw new Error(`GET ${path}: more than ${MAX_REDIRECTS} redirects`);
}

/** Reads a body to nowhere, hashing it; fails when its sha256 is not the expected digest. */
async function drain(response, expectedDigest) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (expectedDigest && expectedDigest.startsWith('sha256:') && actual !== expectedDigest) {
    throw new Error(`digest mismatch: expected ${expectedDigest}, got ${actual} (${bytes} bytes)`);
  }
  return { bytes, digest: actual };
}

async function manifest(registry, repository, reference, limits) {
  const response = await get(registry, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_TYPES.join(', ') }, limits);
  const type = (response.headers.get('content-type') || '').split(';')[0].trim();
  const body = Buffer.from(await response.arrayBuffer());
  const digest = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
  const expected = reference.startsWith('sha256:') ? reference : response.headers.get('docker-content-digest');
  if (expected && expected.startsWith('sha256:') && expected !== digest) {
    throw new Error(`manifest ${repository}@${reference}: digest mismatch: expected ${expected}, got ${digest}`);
  }
  const document = JSON.parse(body.toString('utf8'));
  return { type: type || document.mediaType, document, digest, bytes: body.length };
}

function parsePlatform(text) {
  const [os, architecture, variant] = text.split('/');
  return { os, architecture, variant };
}

function matches(entry, wanted) {
  const platform = entry.platform || {};
  return platform.os === wanted.os && platform.architecture === wanted.architecture
    && (!wanted.variant || platform.variant === wanted.variant);
}

/** Runs tasks with at most `limit` at a time. */
async function pool(items, limit, task) {
  const results = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Pulls one image: its manifest (and, for an index, the chosen platforms' manifests), config and layers. */
async function warmImage(registry, image, platforms, concurrency, limits) {
  const started = Date.now();
  const top = await manifest(registry, image.repository, image.reference, limits);
  let manifests = [top];
  let bytes = top.bytes;
  if (INDEX_TYPES.has(top.type) || Array.isArray(top.document.manifests)) {
    const chosen = (top.document.manifests || []).filter((entry) => platforms.some((wanted) => matches(entry, wanted)));
    if (chosen.length === 0) {
      const offered = (top.document.manifests || []).map((entry) => entry.platform
        && [entry.platform.os, entry.platform.architecture, entry.platform.variant].filter(Boolean).join('/'));
      throw new Error(`no manifest for ${platforms.map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')).join(', ')}`
        + ` (the index has ${offered.join(', ') || 'none'})`);
    }
    manifests = [];
    for (const entry of chosen) {
      const platformManifest = await manifest(registry, image.repository, entry.digest, limits);
      bytes += platformManifest.bytes;
      manifests.push(platformManifest);
    }
  }
  const blobs = new Map();
  for (const { document } of manifests) {
    for (const descriptor of [document.config, ...(document.layers || [])].filter(Boolean)) {
      blobs.set(descriptor.digest, descriptor);
    }
  }
  const sizes = await pool([...blobs.keys()], concurrency, async (digest) => {
    const response = await get(registry, `/v2/${image.repository}/blobs/${digest}`, {}, limits);
    return (await drain(response, digest)).bytes;
  });
  bytes += sizes.reduce((sum, size) => sum + size, 0);
  return { digest: top.digest, bytes, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/**
 * Warms the images `imageConcurrency` at a time, in the order given (each one's blobs `concurrency` at a time, so at most their product
 * of downloads at once), reporting them in the order given. An image the deadline stops, or that no worker reached
 * before it, is reported as deferred: the next run takes it.
 */
async function warm(images, options) {
  const registry = await session(options.ecr);
  const platforms = options.platforms.map(parsePlatform);
  return pool(images, options.imageConcurrency, async (image) => {
    const name = `${image.repository}:${image.reference}`;
    if (Date.now() >= options.deadline) return { image: image.image, status: 'deferred' };
    try {
      // an image of a rule in another registry (an imported rule) names that registry's URL. The token of
      // GetAuthorizationToken serves every registry the role may pull from
      // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html)
      const target = image.registryUrl ? { ...registry, base: image.registryUrl.replace(/\/+$/, '') } : registry;
      const result = await warmImage(target, image, platforms, options.concurrency, options);
      console.log(JSON.stringify({ warmed: name, ...result }));
      return { image: image.image, status: 'warmed', ...result };
    } catch (error) {
      // a download the deadline cut (its body's read aborted, too) is deferred, not failed
      const status = error instanceof DeadlineReached || Date.now() >= options.deadline ? 'deferred' : 'failed';
      console.log(JSON.stringify({ [status]: name, error: error.message }));
      return { image: image.image, status, error: error.message };
    }
  });
}

// What a run deferred, kept for the next one in a String parameter of the standard tier (4 KB) that the
// function owns (DEFERRED_PARAMETER): a short key per image, so that a long list fits.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
const DEFERRED_LIMIT = 4096;
const keyOf = (image) => crypto.createHash('sha256').update(`${image.registryUrl || ''} ${image.repository}:${image.reference}`)
  .digest('hex').slice(0, 12);

async function deferredBefore(ssm, name) {
  if (!name) return new Set();
  try {
    const response = await ssm.send(new GetParameterCommand({ Name: name }));
    return new Set(JSON.parse(response.Parameter.Value));
  } catch (error) {
    // none yet, or unreadable: the run goes in the order given
    if (error.name !== 'ParameterNotFound') console.log(JSON.stringify({ deferredUnread: error.message }));
    return new Set();
  }
}

async function keepDeferred(ssm, name, keys) {
  if (!name) return;
  let kept = keys;
  while (JSON.stringify(kept).length > DEFERRED_LIMIT) kept = kept.slice(0, Math.floor(kept.length * 0.9));
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(kept), Type: 'String', Overwrite: true,
      Description: 'The images the cache warmer deferred in its last run: they go first in the next' }));
  } catch (error) {
    console.log(JSON.stringify({ deferredUnsaved: error.message }));
  }
}

async function forgetDeferred(ssm, name) {
  if (!name) return;
  try {
    await ssm.send(new DeleteParameterCommand({ Name: name }));
  } catch (error) {
    if (error.name !== 'ParameterNotFound') throw error;
  }
}

/** The images of the last run's deferred first, each group in the order given: no image waits forever. */
function deferredFirst(images, wasDeferred) {
  return [...images.filter(wasDeferred), ...images.filter((image) => !wasDeferred(image))];
}

function summary(report) {
  const count = (status) => report.filter((entry) => entry.status === status).length;
  return { Warmed: count('warmed'), Failed: count('failed'), Deferred: count('deferred') };
}

/**
 * This invocation's outcome as metrics (embedded metric format): images warmed and failed and the bytes pulled, to
 * be summed; images deferred, what this invocation left over (a maximum, since a continuation reports the rest again).
 */
function publishOutcome(report, tally) {
  const bytes = report.filter((entry) => entry.status === 'warmed').reduce((sum, entry) => sum + (entry.bytes || 0), 0);
  publish({ Cache: process.env.METRICS_CACHE }, {
    ImagesWarmed: { value: tally.Warmed, unit: 'Count' },
    ImagesFailed: { value: tally.Failed, unit: 'Count' },
    ImagesDeferred: { value: tally.Deferred, unit: 'Count' },
    BytesWarmed: { value: bytes, unit: 'Bytes' },
  });
}

/** The settings of a run: from the custom resource's properties or the schedule's input. */
function runSettings(properties) {
  return {
    images: properties.Images || [],
    platforms: properties.Platforms || ['linux/amd64', 'linux/arm64'],
    concurrency: Number(properties.Concurrency || 4),
    imageConcurrency: Number(properties.ImageConcurrency || 4),
    failOnError: String(properties.FailOnError) === 'true',
  };
}

/**
 * One invocation's share of a run. A first invocation takes every image, those the last run deferred first; a
 * continuation only what the invocation before it left. `progress` carries the counts of the run's earlier invocations.
 * @param limits { ecr, ssm, deadline, maxAttempts, retryDelayMs }
 */
async function runOnce(properties, limits, progress) {
  const options = { ...runSettings(properties), ...limits };
  const parameter = process.env.DEFERRED_PARAMETER;
  const deferred = await deferredBefore(options.ssm, parameter);
  // a continuation carries what is left itself: the parameter may hold only the head of a long list
  const remaining = progress.remaining && new Set(progress.remaining);
  const keys = new Map(options.images.map((image) => [image, keyOf(image)]));
  const images = remaining ? options.images.filter((image) => remaining.has(keys.get(image))) : options.images;
  const ordered = deferredFirst(images, (image) => deferred.has(keys.get(image)));
  const done = await warm(ordered, options);
  // reported in the order given, whatever order they ran in
  const resultOf = new Map(ordered.map((image, i) => [image, done[i]]));
  const report = images.map((image) => ({ ...resultOf.get(image), key: keys.get(image) }));
  const deferredKeys = report.filter((entry) => entry.status === 'deferred').map((entry) => entry.key);
  await keepDeferred(options.ssm, parameter, deferredKeys);
  const failed = [...progress.failed, ...report.filter((entry) => entry.status === 'failed')
    .map(({ image, error }) => ({ image, error }))];
  const tally = summary(report);
  // metrics are billed per metric and month: published only for a cache that shows them (METRICS_CACHE set)
  if (process.env.METRICS_CACHE) publishOutcome(report, tally);
  const counts = { Warmed: progress.warmed + tally.Warmed, Failed: failed.length, Deferred: tally.Deferred };
  console.log(JSON.stringify({ report: counts, invocation: progress.continuation + 1 }));
  return { options, report, counts, failed, deferredKeys, madeProgress: report.some((entry) => entry.status !== 'deferred') };
}

/** Hands the rest of the run to a new invocation of this function, when the run may and should go on. */
async function continueRun(lambda, context, payload, result, progress, limit) {
  const functionName = context && context.invokedFunctionArn;
  if (!functionName || result.counts.Deferred === 0 || !result.madeProgress || progress.continuation >= limit) {
    return false;
  }
  const next = { continuation: progress.continuation + 1, warmed: result.counts.Warmed, failed: result.failed,
    remaining: result.deferredKeys };
  try {
    await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify({ ...payload, WarmerProgress: next })) }));
    console.log(JSON.stringify({ continued: result.counts.Deferred, invocation: next.continuation + 1 }));
    return true;
  } catch (error) {
    console.log(JSON.stringify({ notContinued: error.message }));
    return false;
  }
}

/** The end of a run: its counts, and with failOnError a failure naming what was not warmed and why. */
function finish(result, images) {
  const { counts, failed, report, options } = result;
  const deferredImages = report.filter((entry) => entry.status === 'deferred').map((entry) => entry.image);
  if (deferredImages.length > 0) console.log(JSON.stringify({ notWarmedInTime: deferredImages }));
  if (options.failOnError && (failed.length > 0 || deferredImages.length > 0)) {
    throw new Error(`${failed.length + deferredImages.length} of ${images.length} images were not warmed: `
      + [...failed.map((entry) => `${entry.image}: ${entry.error}`),
        ...deferredImages.map((image) => `${image}: not reached in time`)].join('; '));
  }
  const data = { ...counts };
  if (deferredImages.length > 0) data.NotWarmed = deferredImages.join(',').slice(0, 2048);
  return data;
}

const progressOf = (payload) => ({ continuation: 0, warmed: 0, failed: [], ...(payload.WarmerProgress || {}) });

/**
 * The handler, for CloudFormation events and the schedule's input.
 * @param settings what a test may choose: ecr, ssm and lambda (the clients), maxAttempts, retryDelayMs, reserveMs
 *   (see DEFAULTS)
 */
function createHandler(settings = {}) {
  const limits = { ...DEFAULTS, ...settings };
  const ecr = settings.ecr || new ECRClient({});
  const ssm = settings.ssm || new SSMClient({});
  const lambda = settings.lambda || new LambdaClient({});
  const onCustomResource = customResource(async (event, { deadline, context }) => {
    if (event.RequestType === 'Delete') {
      await forgetDeferred(ssm, process.env.DEFERRED_PARAMETER);
      return {};
    }
    const progress = progressOf(event);
    const result = await runOnce(event.ResourceProperties, { ...limits, ecr, ssm, deadline }, progress);
    if (await continueRun(lambda, context, event, result, progress, MAX_CONTINUATIONS.deployment)) return CONTINUED;
    return finish(result, event.ResourceProperties.Images || []);
  }, limits);
  return async (event, context) => {
    if (event && event.RequestType) return onCustomResource(event, context);
    const input = event || {};
    const progress = progressOf(input);
    const result = await runOnce(input, { ...limits, ecr, ssm, deadline: deadlineOf(context, limits.reserveMs) }, progress);
    if (await continueRun(lambda, context, input, result, progress, MAX_CONTINUATIONS.schedule)) {
      return { counts: result.counts, report: result.report, continued: true };
    }
    return { counts: finish(result, input.Images || []), report: result.report };
  };
}

exports.handler = createHandler();
exports.createHandler = createHandler;
