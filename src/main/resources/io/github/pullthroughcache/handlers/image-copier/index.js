'use strict';
// The image copier: copies images of registries that ECR's pull through cache cannot serve (mcr.microsoft.com,
// nvcr.io, ...) into the account's private registry, from outside any VPC, so that tasks without internet pull them
// as they pull cached ones. Invoked by CloudFormation (custom resource Custom::EcrImageCopier: on create and update,
// to start a run) and by the run's state machine (one image at a time, then the answer). Runs on the Lambda Node.js
// 22 runtime with the AWS SDK v3 it provides. The pull side and the run are the cache warmer's:
// ../shared/registry-client.js and ../shared/image-run.js.
//
// Each image is read from the upstream's /v2/ API (anonymous, Basic, or the Bearer token exchange as Docker Hub does
// it, with the credential of a Secrets Manager secret { "username", "accessToken" }) and pushed through ECR's own /v2/
// API, the OCI distribution API, as docker and skopeo push to ECR
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html): with the Basic credential of
// ecr:GetAuthorizationToken, "AWS" and a password valid 12 hours, for the registry its proxyEndpoint names
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html), and the IAM actions docker push needs,
// no other (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html). The requests are the OCI
// distribution spec's (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs):
// - HEAD of each blob first (ecr:BatchCheckLayerAvailability), so that blobs ECR has are neither downloaded nor
//   uploaded again;
// - each missing blob streamed from the upstream into POST /blobs/uploads/ (ecr:InitiateLayerUpload), PATCH chunks
//   (ecr:UploadLayerPart) and PUT ?digest= (ecr:CompleteLayerUpload). The body of a PATCH is the upstream's body as it
//   arrives: the download waits while the upload does, so a copy holds a few socket chunks of a blob, whatever its
//   size, and several blobs of an image go up at once (Concurrency). Chunks as long as half the time left carries at
//   the rate so far, or at 1 MiB/s for the first (nextChunk: the whole blob, mostly), multiples of 64 MiB but the
//   last; no part limit of ECR's applies to the registry API (see nextChunk). ECR answers a chunk 201
//   where the spec says 202, and its Range header may not advance
//   (https://github.com/aws/containers-roadmap/issues/2831): the copier counts the bytes it sent, not those ECR says.
//   The sha256 is checked before the PUT; a blob that does not match is never completed (a hashing thread of its own
//   cost more processor time, copying each batch to it, than it took off the stream's: a 400 MiB layer went slower);
// - PUT of each manifest's exact bytes with its media type (ecr:PutImage), so that the digest in ECR is the upstream's
//   and digest-pinned references work; an index after each of its platforms' manifests, since a registry refuses an
//   index whose manifests it lacks. A PUT of a manifest ECR has is no change, and answered as any PUT (201): the copier
//   cannot tell it from a new one without ecr:BatchGetImage, which a push does not need.
// ECR creates a missing repository at the first push, with the settings of the creation template applied for
// CREATE_ON_PUSH for the copied registry's prefix
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html).
// Neither the credential nor a registry token is ever logged: only image names, digests, counts, sizes and durations.
//
// The copy of one image, copyImage(image, shared, options), is what one invocation of the run's state machine does
// ({ "Action": "image", "Image", "Settings", "Resume" }, ../shared/image-run.js); its contract:
// - in: image { image, upstream, sourceRepository, reference, repository, credential? }; shared (prepare's sessions
//   and clients); options { deadline (ms since the epoch), platforms, pauseMarginMs, resume?, ... }, resume being the
//   event's Resume;
// - out, copied: { digest, upstreamDigest?, manifests, manifestsPushed, blobs, blobsUploaded, bytesUploaded, seconds,
//   referrers?, referrersPushed? }, where manifestsPushed counts the manifests PUT (all of them: see above);
// - out, when the time left ran out in the middle of its blobs (a large layer): { status: 'deferred', digest, blobs,
//   blobsUploaded, bytesUploaded, seconds, resume: { blobs: { <digest>: { uploadId, nextByte } } } }, uploadId being
//   the upload's location in ECR (the spec's <location>). Nothing is pushed yet. The state machine hands `resume`
//   back as the next invocation's Resume (options.resume): each blob begun goes on from nextByte in the same upload
//   (a ranged GET upstream, a PATCH from that byte), or is copied again whole when that cannot be (the upstream
//   ignores the range, ECR no longer knows the upload or refuses the range); blobs completed are in ECR already and
//   skipped. No state is kept elsewhere (no SSM parameter);
// - a failure throws, its message one line.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { Buffer } = require('node:buffer');
const { ECRClient, GetAuthorizationTokenCommand } = require('@aws-sdk/client-ecr');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { SFNClient } = require('@aws-sdk/client-sfn');
const { request, get, errorCodeOf, manifest, isIndex, parsePlatform, chosenEntries, blobsOf, pool, semaphore, sha256 } = require('../shared/registry-client');
const { createImageRunHandler } = require('../shared/image-run');
const { DeadlineReached } = require('../shared/cloudformation');
const { publish } = require('../shared/metrics');
const { awsClient } = require('../shared/aws-clients');
const { AGENTS } = require('../shared/http-fetch');

const MiB = 1024 * 1024;
// A blob's PATCH chunks are multiples of `preferred` bytes but the last (nextChunk); between two, a copy may stop when
// the invocation's time runs out. At least 5 MiB, ECR's smallest layer part
const CHUNK = { min: 5 * MiB, preferred: 64 * MiB };
// what a test may choose through createHandler (and see the cache warmer's); the SDK's attempts of an ECR call,
// throttling included, are aws-clients.js's; partSize the smallest chunk, floorRate the rate (bytes a second) that a
// blob's first chunk is sized for (nextChunk);
// pauseMarginMs: how long before the deadline a blob's copy stops after the chunk going up (a chunk takes seconds)
const DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, reserveMs: 60000, partSize: CHUNK.preferred, floorRate: MiB,
  pauseMarginMs: 20000 };
const WORDS = { what: 'image copier', done: 'copied', Done: 'Copied' };

/** The parameters of a WWW-Authenticate challenge: { scheme, realm, service, scope }. */
function parseChallenge(header) {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header || '');
  if (!match) return null;
  const challenge = { scheme: match[1].toLowerCase() };
  for (const [, key, value] of match[2].matchAll(/(\w+)="([^"]*)"/g)) challenge[key] = value;
  return challenge;
}

/**
 * An upstream registry as the pull side reads it: no credential until asked; a 401 with a Basic challenge is answered
 * with the secret's username and access token, one with a Bearer challenge by the token exchange (a GET of the realm
 * with service and scope, Basic-authenticated when there is a credential, anonymous otherwise), whose token is kept
 * per repository and exchanged again when the registry refuses it (Docker Hub's last five minutes).
 * https://distribution.github.io/distribution/spec/auth/token/
 */
function upstreamRegistry(base, credential) {
  const tokens = new Map();
  const basic = credential && `Basic ${Buffer.from(`${credential.username}:${credential.accessToken}`).toString('base64')}`;
  let basicAsked = false;
  return {
    base: base.replace(/\/+$/, ''),
    authorization: (repository) => tokens.get(repository) || (basicAsked ? basic : undefined),
    challenged: async (response, repository, limits) => {
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      if (!challenge) return false;
      if (challenge.scheme === 'basic') {
        // every request the registry challenged is sent again with the credential, also those that were in flight,
        // without it, when the first challenge came; get() answers one challenge a request, so a wrong credential
        // fails with the registry's 401
        if (!basic) return false;
        basicAsked = true;
        return true;
      }
      if (challenge.scheme !== 'bearer' || !challenge.realm) return false;
      const realm = new URL(challenge.realm);
      // the credential goes over TLS only (a loopback test's registry speaks plain HTTP, and so may its realm)
      if (realm.protocol !== 'https:' && new URL(base).protocol === 'https:') {
        throw new Error(`the registry's token realm ${realm.origin} is not HTTPS: no credential is sent there`);
      }
      if (challenge.service) realm.searchParams.set('service', challenge.service);
      realm.searchParams.set('scope', challenge.scope || `repository:${repository}:pull`);
      const answer = await request(realm.toString(), { headers: basic ? { authorization: basic } : {} }, limits);
      if (!answer.ok) {
        await answer.body?.cancel();
        throw new Error(`token exchange at ${realm.origin}${realm.pathname}: HTTP ${answer.status}`
          + (basic ? ' (check the username and accessToken of the credential secret)' : ' (the registry may need a credential)'));
      }
      const body = await answer.json();
      const token = body.token || body.access_token;
      if (!token) throw new Error(`token exchange at ${realm.origin}${realm.pathname} returned no token`);
      tokens.set(repository, `Bearer ${token}`);
      return true;
    },
  };
}

/** Reads the credential of a secret: { username, accessToken }. Its value is never logged, nor put in an error. */
async function readCredential(secrets, secretId) {
  const response = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  let value;
  try {
    value = JSON.parse(response.SecretString || '');
  } catch (error) {
    throw new Error(`credential secret ${secretId} does not hold JSON: it must hold {"username": ..., "accessToken": ...}`);
  }
  if (!value || typeof value.username !== 'string' || typeof value.accessToken !== 'string') {
    throw new Error(`credential secret ${secretId} must hold the JSON keys "username" and "accessToken"`);
  }
  return { username: value.username, accessToken: value.accessToken };
}

/**
 * ECR's registry as the copier pushes to it: the URL and the Basic credential of ecr:GetAuthorizationToken, one call a
 * run (the token lasts 12 hours, an invocation 15 minutes at most).
 */
async function pushRegistry(ecr) {
  const response = await ecr.send(new GetAuthorizationTokenCommand({}));
  const data = response.authorizationData && response.authorizationData[0];
  if (!data || !data.authorizationToken || !data.proxyEndpoint) throw new Error('ecr:GetAuthorizationToken returned no token');
  return { base: data.proxyEndpoint.replace(/\/+$/, ''), authorization: `Basic ${data.authorizationToken}` };
}

/** A path or URL of ECR's registry (a Location header may be either) as a URL; the credential goes there only. */
function targetUrl(target, location) {
  const url = new URL(location, `${target.base}/`);
  if (url.origin !== new URL(target.base).origin) throw new Error(`the registry sent an upload to another host, ${url.origin}`);
  return url;
}

/** A request to ECR's registry with the credential, retried on 429, 5xx and network errors; `body` a Buffer or none. */
function send(target, method, location, headers, limits, body) {
  return request(targetUrl(target, location).toString(),
    { method, headers: { ...headers, authorization: target.authorization }, ...(body ? { body } : {}) }, limits);
}

/** The error of a refused request: one line, the registry's status and error code (error.code), never its body. */
async function refused(what, response) {
  const code = (await errorCodeOf(response)).trim();
  return Object.assign(new Error(`${what}: HTTP ${response.status}${code ? ` ${code}` : ''}`),
    { status: response.status, code });
}

/** The digests of `digests` that the repository lacks (HEAD of each blob); all of them when it does not exist yet. */
async function missingBlobs(target, repository, digests, limits) {
  const present = await pool(digests, 8, async (digest) => {
    const path = `/v2/${repository}/blobs/${digest}`;
    const response = await send(target, 'HEAD', path, {}, limits);
    await response.body?.cancel();
    // a registry may redirect a blob it has to its storage
    if (response.ok || (response.status >= 300 && response.status < 400)) return true;
    if (response.status === 404) return false;
    throw await refused(`HEAD ${path}`, response);
  });
  return digests.filter((digest, i) => !present[i]);
}

/** Opens an upload of a blob: its location. ECR creates the repository here when a creation template covers it. */
async function startUpload(target, repository, limits) {
  const path = `/v2/${repository}/blobs/uploads/`;
  const response = await send(target, 'POST', path, {}, limits);
  if (response.status !== 202) {
    const error = await refused(`POST ${path}`, response);
    if (error.code === 'NAME_UNKNOWN') {
      throw new Error(`repository ${repository} does not exist, and no creation template applied for CREATE_ON_PUSH `
        + `covers its name (${error.message})`);
    }
    throw error;
  }
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (!location) throw new Error(`POST ${path}: HTTP 202 without a Location`);
  return location;
}

// The chunks go up through node:http(s), not fetch: fetch's streamed request body costs the copy more than half its
// throughput (a 400 MiB layer between two registries on loopback: 58 MiB/s with fetch, 151 MiB/s with node:https);
// the connections are those of ../shared/http-fetch.js, which the other requests use

/**
 * Sends the next `length` bytes of the upstream's body (source: its reader and a chunk read beyond the last PATCH)
 * as one PATCH from `offset`, hashing them on the way; the next chunk is read from the upstream when the request has
 * taken the last one (backpressure), so a slow upload slows the download. Returns the location of the upload's next
 * request. An upstream body that ends early is a digest mismatch; an upload ECR no longer knows, or whose range it
 * refuses, is error.uploadLost.
 */
function sendChunk(target, location, source, offset, length, hash, limits) {
  const url = targetUrl(target, location);
  return new Promise((resolve, reject) => {
    let answered = false;
    const fail = (error) => {
      if (answered) return;
      answered = true;
      request.destroy();
      reject(error);
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'PATCH', agent: AGENTS[url.protocol], signal: AbortSignal.timeout(Math.max(limits.deadline - Date.now(), 1)),
      headers: { authorization: target.authorization, 'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + length - 1}`, 'content-length': String(length) },
    }, (response) => {
      const texts = [];
      response.on('data', (text) => texts.push(text));
      response.on('error', fail);
      response.on('end', async () => {
        if (answered) return;
        // 202 as the spec says, 201 as ECR answers
        if ([201, 202, 204].includes(response.statusCode)) {
          answered = true;
          resolve(response.headers.location || location);
          return;
        }
        const text = Buffer.concat(texts).toString('utf8');
        const error = await refused(`PATCH ${url.pathname}`, { status: response.statusCode, text: async () => text });
        error.uploadLost = response.statusCode === 404 || response.statusCode === 416
          || ['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID'].includes(error.code);
        fail(error);
      });
    });
    request.on('error', (error) => fail(Date.now() >= limits.deadline ? new DeadlineReached('deadline reached')
      : new Error(`PATCH ${url.pathname}: ${error.message}`)));
    (async () => {
      let sent = 0;
      while (sent < length && !answered) {
        let chunk = source.pending;
        source.pending = null;
        if (!chunk) {
          const { done, value } = await source.reader.read();
          if (done) throw source.mismatch(offset + sent);
          chunk = value;
        }
        if (chunk.length > length - sent) {
          source.pending = chunk.subarray(length - sent);
          chunk = chunk.subarray(0, length - sent);
        }
        if (hash) hash.update(chunk);
        sent += chunk.length;
        if (!request.write(chunk)) {
          // whichever comes first; the other listener goes, or a request of many stalls gathers them
          await new Promise((drained) => {
            const done = () => {
              request.off('drain', done);
              request.off('close', done);
              drained();
            };
            request.once('drain', done);
            request.once('close', done);
          });
        }
      }
      request.end();
    })().catch(fail);
  });
}

/**
 * The length of a blob's next chunk: as many whole parts as half the time left before the stop would carry at the
 * rate of the chunks so far, or at `floorRate` (bytes a second) before the first, and one part at least; the rest of
 * the blob, mostly. So a blob goes up in few PATCH requests, one mostly (each one's end stalls the stream until the
 * registry answers), and a chunk still ends before the stop when the link slows to half (to half the floor, for the
 * first: a first chunk that the deadline cuts, on a link under 0.5 MiB/s, leaves its image Deferred in the answer,
 * to be copied by the next run). ECR's limits on a layer part (10 MiB at most) are those of its UploadLayerPart API, not of the registry API
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html), through which docker sends a layer in
 * one PATCH.
 */
function nextChunk(part, remaining, sent, elapsedMs, leftMs, floorRate) {
  const rate = sent > 0 && elapsedMs > 0 ? (sent / elapsedMs) * 1000 : floorRate;
  const affordable = Math.floor((rate * (leftMs / 2000)) / part) * part;
  return Math.min(remaining, Math.max(part, affordable));
}

/** A blob's copy stopped between two chunks because the invocation's time ran out: where it resumes. */
const paused = (uploadId, nextByte) => ({ uploadId, nextByte });

/**
 * Streams one blob from the upstream into ECR: an upload, PATCH chunks in order, and PUT ?digest= once every byte is
 * in and its sha256 is the digest. When the invocation's time runs out (options.stopAt), the copy stops after the
 * chunk going up and returns { paused: { uploadId, nextByte } }; given that back (`resume`), it goes on from nextByte
 * with a ranged GET and the same upload. The copier cannot hash the bytes of the earlier invocation again, so a
 * resumed blob rests on the registry's own check at the PUT (the spec's DIGEST_INVALID; ECR's InvalidLayerException:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CompleteLayerUpload.html). When the upstream ignores
 * the range (200, not 206) or ECR no longer knows the upload, the blob is copied again from its first byte.
 */
async function copyBlob(upstream, target, image, descriptor, options, resume) {
  const { digest, size } = descriptor;
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`blob ${digest} has no valid size in its manifest`);
  if (Date.now() >= options.stopAt) return { bytes: 0, paused: resume || paused(null, 0) };
  const path = `/v2/${image.sourceRepository}/blobs/${digest}`;
  let response;
  let location;
  let offset = 0;
  if (resume && resume.uploadId && resume.nextByte > 0) {
    response = await get(upstream, image.sourceRepository, path, { range: `bytes=${resume.nextByte}-` }, options);
    if (response.status === 206) {
      // a location, or an upload's id alone
      const resolved = new URL(resume.uploadId, `${target.base}/v2/${image.repository}/blobs/uploads/`);
      location = `${resolved.pathname}${resolved.search}`;
      offset = resume.nextByte;
    } else {
      await response.body?.cancel();
      response = null;
    }
  }
  if (!response) response = await get(upstream, image.sourceRepository, path, {}, options);
  const firstByte = offset;
  const hash = firstByte === 0 ? crypto.createHash('sha256') : null;
  const source = {
    reader: response.body.getReader(),
    pending: null,
    mismatch: (bytes) => new Error(`blob ${digest}: digest mismatch: expected ${digest}, got ${bytes} of its ${size} bytes`),
  };
  const chunk = Math.max(Number(options.partSize) || CHUNK.preferred, CHUNK.min);
  const began = Date.now();
  try {
    if (!location) location = await startUpload(target, image.repository, options);
    while (offset < size) {
      const length = nextChunk(chunk, size - offset, offset - firstByte, Date.now() - began, options.stopAt - Date.now(),
        options.floorRate);
      location = await sendChunk(target, location, source, offset, length, hash, options);
      offset += length;
      if (offset < size && Date.now() >= options.stopAt) {
        await source.reader.cancel();
        return { bytes: offset - firstByte, paused: paused(location, offset) };
      }
    }
    const rest = source.pending || (await source.reader.read()).value;
    if (rest && rest.length > 0) throw source.mismatch(`more than ${size}`);
  } catch (error) {
    await source.reader.cancel().catch(() => {});
    // the upload expired, or is not where the result said: the blob is copied again, whole
    if (firstByte > 0 && error.uploadLost) return copyBlob(upstream, target, image, descriptor, options, null);
    throw error;
  }
  if (hash) {
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) throw new Error(`blob ${digest}: digest mismatch: expected ${digest}, got ${actual} (${size} bytes)`);
  }
  const done = targetUrl(target, location);
  done.searchParams.set('digest', digest);
  const completed = await send(target, 'PUT', done.toString(), {}, options);
  if (!completed.ok) throw await refused(`PUT ${done.pathname}?digest=${digest}`, completed);
  await completed.body?.cancel();
  return { bytes: size - firstByte };
}

/** Pushes a manifest's exact bytes with its media type under a tag or its digest. */
async function putManifest(target, repository, pulled, tag, limits) {
  const path = `/v2/${repository}/manifests/${tag || pulled.digest}`;
  const response = await send(target, 'PUT', path, { 'content-type': pulled.type }, limits, pulled.body);
  if (!response.ok) {
    const error = await refused(`PUT ${path}`, response);
    if (tag && error.code === 'TAG_INVALID') {
      throw new Error(`tag ${tag} of ${repository} points to another image and the repository's tags are immutable: `
        + 'copied registries need MUTABLE tags (the creation template\'s imageTagMutability) to follow a moved tag '
        + `(${error.message})`);
    }
    throw error;
  }
  await response.body?.cancel();
  const stored = response.headers.get('docker-content-digest');
  if (stored && stored !== pulled.digest) {
    throw new Error(`PUT ${path}: the registry stored ${stored}, not the upstream's ${pulled.digest}`);
  }
  return true;
}

/**
 * An index of the chosen platforms only: ECR takes no index whose manifests it lacks, so an index copied in part is
 * a new one, whose digest is not the upstream's.
 */
function partialIndex(top, entries) {
  const body = Buffer.from(JSON.stringify({ ...top.document, manifests: entries }));
  return { ...top, body, digest: sha256(body), bytes: body.length };
}

// cosign's tags for what it attaches to sha256:<hex> in a registry without the referrers API
// (https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md): signatures, attestations, SBOMs
const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'];
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/**
 * What is attached upstream to a digest: the manifests the OCI 1.1 referrers API lists
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers), where the upstream serves
 * it; otherwise (404) those of cosign's tag scheme that exist. Each: { reference, tag (tag scheme only), pulled? }.
 */
async function referrersOf(upstream, repository, digest, options) {
  try {
    const response = await get(upstream, repository, `/v2/${repository}/referrers/${digest}`, { accept: OCI_INDEX }, options);
    const index = JSON.parse(Buffer.from(await response.arrayBuffer()).toString('utf8'));
    return (index.manifests || []).map((descriptor) => ({ reference: descriptor.digest, tag: null }));
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const found = await Promise.all(COSIGN_SUFFIXES.map(async (suffix) => {
    const tag = `sha256-${digest.slice('sha256:'.length)}.${suffix}`;
    try {
      return { reference: tag, tag, pulled: await manifest(upstream, repository, tag, options) };
    } catch (error) {
      if (error.status !== 404) throw error;
      return null;
    }
  }));
  return found.filter(Boolean);
}

/**
 * Copies what is attached to the copied digest (signatures, attestations, SBOMs) after the image itself, as images
 * are copied: blobs ECR lacks, then the manifest's exact bytes; those of the tag scheme under their tag. A referrer
 * that is an index, and the referrers of referrers, are not copied.
 */
async function copyReferrers(upstream, target, shared, image, digest, options, looked) {
  const referrers = await looked;
  let pushed = 0;
  for (const referrer of referrers) {
    const pulled = referrer.pulled || await manifest(upstream, image.sourceRepository, referrer.reference, options);
    if (isIndex(pulled)) continue;
    const blobs = blobsOf([pulled]);
    const missing = await missingBlobs(target, image.repository, [...blobs.keys()], options);
    for (const blob of missing) {
      const copied = await shared.transfers(() => copyBlob(upstream, target, image, blobs.get(blob), options, null));
      if (copied.paused) throw new DeadlineReached(`the referrers of ${digest} were not copied in time`);
    }
    if (await putManifest(target, image.repository, pulled, referrer.tag, options)) pushed++;
  }
  return { referrers: referrers.length, referrersPushed: pushed };
}

/** Copies one image: its manifests, the blobs ECR lacks, then the manifests bottom up, then its referrers. */
async function copyImage(image, shared, runOptions) {
  const started = Date.now();
  // blobs stop between parts this long before the deadline, which cuts any transfer
  const options = { ...runOptions, stopAt: runOptions.deadline - runOptions.pauseMarginMs };
  const upstream = await shared.upstreamOf(image);
  // ECR's token while the upstream is read; each request of a step at once: a registry's answers take tens of ms
  const pushTo = shared.target();
  pushTo.catch(() => {});
  const platforms = options.platforms && options.platforms.map(parsePlatform);
  const top = await manifest(upstream, image.sourceRepository, image.reference, options);
  // what is attached to it, looked up while the image is copied
  const looked = referrersOf(upstream, image.sourceRepository, top.digest, options);
  looked.catch(() => {});
  let pushedTop = top;
  let platformManifests = [];
  if (isIndex(top)) {
    const entries = chosenEntries(top, platforms);
    platformManifests = await Promise.all(entries.map((entry) => manifest(upstream, image.sourceRepository, entry.digest, options)));
    if (entries.length < top.document.manifests.length) {
      if (image.reference.startsWith('sha256:')) {
        throw new Error(`${image.image} names an index by digest, which a copy of some of its platforms cannot keep: `
          + 'copy every platform (no Platforms) or name the image by tag');
      }
      pushedTop = partialIndex(top, entries);
    }
  }
  const imageManifests = isIndex(top) ? platformManifests : [top];
  const descriptors = blobsOf(imageManifests);
  const blobs = [...descriptors.keys()];
  const target = await pushTo;
  const missing = await missingBlobs(target, image.repository, blobs, options);
  const resumed = (options.resume && options.resume.blobs) || {};
  const copied = await pool(missing, missing.length || 1, (digest) => shared.transfers(
    () => copyBlob(upstream, target, image, descriptors.get(digest), options, resumed[digest])));
  const bytesUploaded = copied.reduce((sum, each) => sum + each.bytes, 0);
  const paused = missing.filter((digest, i) => copied[i].paused);
  if (paused.length > 0) {
    // the rest in the next attempt: the blobs completed are in ECR, those begun go on where they stopped
    return {
      status: 'deferred',
      digest: pushedTop.digest,
      blobs: blobs.length,
      blobsUploaded: missing.length - paused.length,
      bytesUploaded,
      resume: { blobs: Object.fromEntries(paused.map((digest) => [digest, copied[missing.indexOf(digest)].paused])) },
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  }
  const platformsPushed = await Promise.all(platformManifests.map((each) => putManifest(target, image.repository, each, null, options)));
  let pushed = platformsPushed.filter(Boolean).length;
  const tag = image.reference.startsWith('sha256:') ? null : image.reference;
  if (await putManifest(target, image.repository, pushedTop, tag, options)) pushed++;
  // the signatures of the upstream digest hold for the copy only when it has that digest (not an index in part)
  const attached = pushedTop.digest === top.digest ? await copyReferrers(upstream, target, shared, image, top.digest, options, looked) : {};
  return {
    ...attached,
    digest: pushedTop.digest,
    ...(pushedTop.digest !== top.digest ? { upstreamDigest: top.digest } : {}),
    manifests: platformManifests.length + 1,
    manifestsPushed: pushed,
    blobs: blobs.length,
    blobsUploaded: missing.length,
    bytesUploaded,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/**
 * An image's outcome as metrics (embedded metric format), as the warmer publishes its own: images copied and
 * failed and the bytes uploaded, to be summed. Published for the cache named in METRICS_CACHE.
 */
function publishOutcome(report, counts) {
  if (!process.env.METRICS_CACHE) return;
  const bytes = report.filter((entry) => entry.status === WORDS.done)
    .reduce((sum, entry) => sum + (entry.bytesUploaded || 0), 0);
  publish({ Cache: process.env.METRICS_CACHE }, {
    ImagesCopied: { value: counts.done, unit: 'Count' },
    CopiesFailed: { value: counts.failed, unit: 'Count' },
    BytesCopied: { value: bytes, unit: 'Bytes' },
  });
}

/**
 * The handler, for CloudFormation events and the state machine's. The state machine copies ImageConcurrency images at
 * a time, each invocation one image, its blobs Concurrency at a time.
 * Each image: { image, upstream (the registry's URL), sourceRepository, reference (tag or digest), repository (in
 * ECR), credential (a secret's ARN, optional) }.
 * @param settings what a test may choose: ecr, states and secrets (the clients), now (the clock), and see DEFAULTS
 */
function createHandler(settings = {}) {
  const limits = { ...DEFAULTS, ...settings };
  const ecr = awsClient(ECRClient, settings.ecr);
  const secrets = awsClient(SecretsManagerClient, settings.secrets);
  return createImageRunHandler({
    words: WORDS,
    limits,
    states: awsClient(SFNClient, settings.states),
    now: settings.now,
    // every platform: the index is copied as it is, with its digest
    defaultPlatforms: null,
    prepare: (options) => {
      // one session per upstream and credential, for the whole run: a Bearer token serves every image of a repository
      const sessions = new Map();
      const upstreamOf = (image) => {
        const key = `${image.upstream} ${image.credential || ''}`;
        if (!sessions.has(key)) {
          sessions.set(key, (image.credential ? readCredential(secrets, image.credential) : Promise.resolve(null))
            .then((credential) => upstreamRegistry(image.upstream, credential)));
        }
        return sessions.get(key);
      };
      // ECR's registry and its credential, asked for once a run, when the first image needs them
      let pushTo = null;
      const target = () => {
        if (!pushTo) pushTo = pushRegistry(ecr);
        return pushTo;
      };
      return { target, upstreamOf, transfers: semaphore(options.concurrency) };
    },
    processImage: copyImage,
    publish: publishOutcome,
  });
}

exports.handler = createHandler();
exports.createHandler = createHandler;
exports.CHUNK = CHUNK;
exports.nextChunk = nextChunk;
