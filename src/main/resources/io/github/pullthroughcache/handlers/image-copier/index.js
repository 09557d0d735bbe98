'use strict';
// The image copier: copies images of registries that ECR's pull through cache cannot serve (mcr.microsoft.com,
// nvcr.io, ...) into the account's private registry, from outside any VPC, so that tasks without internet pull them
// as they pull cached ones. Invoked by CloudFormation (custom resource Custom::EcrImageCopier: on create and update)
// and by EventBridge Scheduler ({ "Images": [...] }). Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 it
// provides. The pull side and the run (parallel images, deferral, continuation, report) are the cache warmer's:
// ../shared/registry-client.js and ../shared/image-run.js.
//
// Each image is read from the upstream's /v2/ API (anonymous, Basic, or the Bearer token exchange as Docker Hub does
// it, with the credential of a Secrets Manager secret { "username", "accessToken" }) and pushed with ECR's layer upload
// API (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Operations.html):
// - BatchCheckLayerAvailability first, so that blobs ECR has are neither downloaded nor uploaded again;
// - each missing blob streamed from the upstream into InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload, one
//   part in memory at a time: parts of at most 20971520 bytes (API_UploadLayerPart), each but the last at least
//   5 MiB (LayerPartTooSmallException: "Layer parts must be at least 5 MiB in size"), first bytes consecutive
//   (InvalidLayerPartException), in the part size InitiateLayerUpload says ECR expects (API_InitiateLayerUpload);
//   LayerAlreadyExistsException on completion (another copy finished it first) is success;
// - PutImage with the manifest's exact bytes, its media type and its digest (API_PutImage), so that the digest in ECR
//   is the upstream's and digest-pinned references work; an index after each of its platforms' manifests, since ECR
//   refuses an index whose manifests it lacks (ReferencedImagesNotFoundException); ImageAlreadyExistsException
//   ("no changes to the manifest or image tag") means the image was copied already.
// ECR creates a missing repository at the first push, with the settings of the creation template applied for
// CREATE_ON_PUSH for the copied registry's prefix
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html).
// Neither the credential nor a registry token is ever logged: only image names, digests, counts, sizes and durations.
//
// The copy of one image, copyImage(image, shared, options), is the unit a run (../shared/image-run.js today, a Step
// Functions Map invoking the handler once per image tomorrow) calls; its contract:
// - in: image { image, upstream, sourceRepository, reference, repository, credential?, resume? }; shared (prepare's
//   sessions and clients); options { deadline (ms since the epoch), platforms, pauseMarginMs, ... };
// - out, copied: { digest, upstreamDigest?, manifests, manifestsPushed, blobs, blobsUploaded, bytesUploaded, seconds };
// - out, when the time left ran out in the middle of its blobs (a large layer): { status: 'deferred', digest, blobs,
//   blobsUploaded, bytesUploaded, seconds, resume: { blobs: { <digest>: { uploadId, nextByte } } } }. Nothing is
//   pushed yet. The next attempt passes the same image with `resume` set to that object: each blob begun goes on from
//   nextByte in the same ECR upload (a ranged GET upstream), or is copied again whole when that cannot be; blobs
//   completed are in ECR already and skipped. No state is kept elsewhere (no SSM parameter). A run that drops
//   `resume` (today's continuation carries image keys only) restarts those blobs: slower, never lost;
// - a failure throws, its message one line.

const { Buffer } = require('node:buffer');
const {
  ECRClient, BatchCheckLayerAvailabilityCommand, InitiateLayerUploadCommand, UploadLayerPartCommand,
  CompleteLayerUploadCommand, PutImageCommand,
} = require('@aws-sdk/client-ecr');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { LambdaClient } = require('@aws-sdk/client-lambda');
const { SSMClient } = require('@aws-sdk/client-ssm');
const { request, get, stream, manifest, isIndex, parsePlatform, chosenEntries, blobsOf, pool, semaphore, sha256 } = require('../shared/registry-client');
const { createImageRunHandler } = require('../shared/image-run');
const { DeadlineReached } = require('../shared/cloudformation');

const MiB = 1024 * 1024;
// ECR's bounds of a layer part: at most 10 MiB, at least 5 MiB but the last, 4,200 parts a layer ("Maximum layer part
// size", "Minimum layer part size", "Layer parts" of https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html;
// API_UploadLayerPart's 20971520 is the length of the field, not the quota). Two parts are what the copier holds of a
// blob, one more, base64-encoded, while it goes up
const PART = { min: 5 * MiB, max: 10 * MiB, preferred: 10 * MiB, most: 4200 };
// BatchCheckLayerAvailability takes at most 100 digests a call (API_BatchCheckLayerAvailability)
const CHECK_BATCH = 100;
// what a test may choose through createHandler (and see the cache warmer's): ecrMaxAttempts is the SDK's attempts of
// an ECR call, throttling included
// pauseMarginMs: how long before the deadline a blob's copy stops after its part going up (a part takes seconds)
const DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, reserveMs: 60000, ecrMaxAttempts: 8, partSize: null,
  pauseMarginMs: 20000 };
const WORDS = { what: 'image copier', done: 'copied', Done: 'Copied', progress: 'CopierProgress' };

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

/** The digests of `digests` that the repository lacks; all of them when it does not exist yet. */
async function missingBlobs(ecr, repositoryName, digests) {
  const missing = [];
  for (let i = 0; i < digests.length; i += CHECK_BATCH) {
    const batch = digests.slice(i, i + CHECK_BATCH);
    try {
      const response = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: batch }));
      const available = new Set((response.layers || []).filter((layer) => layer.layerAvailability === 'AVAILABLE')
        .map((layer) => layer.layerDigest));
      missing.push(...batch.filter((digest) => !available.has(digest)));
    } catch (error) {
      // created on the first push
      if (error.name !== 'RepositoryNotFoundException') throw error;
      missing.push(...batch);
    }
  }
  return missing;
}

/** The part size: what ECR expects, else the preferred one, within ECR's bounds. */
function partSizeOf(expected, chosen) {
  const size = Number(chosen || expected || PART.preferred);
  return Math.min(Math.max(size, PART.min), PART.max);
}

// What the SDK's JSON serializer writes for an empty layerPartBlob: where the part's base64 goes
const EMPTY_BLOB = '"layerPartBlob":""';

/**
 * An UploadLayerPart command whose body is made natively. The SDK would base64-encode the part and build, then hash
 * for the signature, a JSON text of 14 MB for a 10 MiB part: most of the copier's processor time. So the SDK
 * serializes the call with an empty layerPartBlob, and this middleware, last of the build step, puts the part's
 * base64 (Buffer's native encoder) into that body as bytes; the SDK then signs it as every call (Signature V4 hashes
 * the payload with node:crypto's sha256: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * retries and parses ECR's errors as it does for every call. The request is the one ECR documents: JSON, the part
 * base64-encoded in layerPartBlob (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_UploadLayerPart.html).
 */
function uploadLayerPart(input) {
  const command = new UploadLayerPartCommand({ ...input, layerPartBlob: new Uint8Array(0) });
  command.middlewareStack.add((next) => (args) => {
    const text = Buffer.from(args.request.body).toString('utf8');
    const at = text.indexOf(EMPTY_BLOB);
    const encoded = Buffer.from(input.layerPartBlob.buffer, input.layerPartBlob.byteOffset, input.layerPartBlob.length)
      .toString('base64');
    if (at < 0) {
      // another SDK's spelling of the JSON: the part goes in as a field all the same, at the JSON serializer's cost
      args.request.body = JSON.stringify({ ...JSON.parse(text), layerPartBlob: encoded });
      args.request.headers['content-length'] = String(Buffer.byteLength(args.request.body));
      return next(args);
    }
    const head = Buffer.from(text.slice(0, at + EMPTY_BLOB.length - 1));
    const tail = Buffer.from(text.slice(at + EMPTY_BLOB.length - 1));
    const body = Buffer.allocUnsafe(head.length + encoded.length + tail.length);
    head.copy(body, 0);
    body.write(encoded, head.length, 'latin1');
    tail.copy(body, head.length + encoded.length);
    args.request.body = body;
    args.request.headers['content-length'] = String(body.length);
    return next(args);
  }, { step: 'build', priority: 'low', name: 'layerPartBodyMiddleware' });
  return command;
}

/** A blob's copy stopped between two parts because the invocation's time ran out: where it resumes. */
class Paused {
  constructor(uploadId, nextByte) {
    this.uploadId = uploadId;
    this.nextByte = nextByte;
  }
}

/**
 * Streams one blob from the upstream into ECR's layer upload, a part at a time, in order: while one part goes up,
 * the next is read into a second buffer, and the download waits when that one is full. So the copier holds two parts
 * of each blob it copies, whatever the blob's size. The digest is checked before the upload is completed; a blob that
 * does not match is never completed.
 *
 * When the invocation's time runs out (options.stopAt), the copy stops after the part going up and returns
 * { paused: { uploadId, nextByte } }; given that back (`resume`), it goes on from nextByte with a ranged GET and the
 * same upload. The copier cannot hash the bytes of the earlier invocation again, so a resumed blob rests on ECR's own
 * check at completion (InvalidLayerException when what it received does not hash to the digest:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CompleteLayerUpload.html). When the upstream ignores
 * the range (200, not 206) or ECR no longer knows the upload (UploadNotFoundException, InvalidLayerPartException),
 * the blob is copied again from its first byte.
 */
async function copyBlob(upstream, ecr, image, digest, options, resume) {
  const repositoryName = image.repository;
  if (Date.now() >= options.stopAt) return { bytes: 0, parts: 0, paused: resume || { uploadId: null, nextByte: 0 } };
  const path = `/v2/${image.sourceRepository}/blobs/${digest}`;
  let response;
  let upload;
  let offset = 0;
  if (resume && resume.uploadId && resume.nextByte > 0) {
    response = await get(upstream, image.sourceRepository, path, { range: `bytes=${resume.nextByte}-` }, options);
    if (response.status === 206) {
      upload = { uploadId: resume.uploadId };
      offset = resume.nextByte;
    } else {
      await response.body?.cancel();
      response = null;
    }
  }
  if (!response) response = await get(upstream, image.sourceRepository, path, {}, options);
  if (!upload) upload = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  const size = partSizeOf(upload.partSize, options.partSize);
  const firstByte = offset;
  let part = Buffer.allocUnsafe(size);
  let spare = Buffer.allocUnsafe(size);
  let filled = 0;
  let parts = 0;
  // the part going up: one at a time, since ECR takes them in order only (InvalidLayerPartException)
  let sending = Promise.resolve();
  const flush = async () => {
    if (filled === 0) return;
    const request = { repositoryName, uploadId: upload.uploadId, partFirstByte: offset, partLastByte: offset + filled - 1,
      layerPartBlob: part.subarray(0, filled) };
    await sending;
    sending = ecr.send(uploadLayerPart(request));
    // a failure is thrown where it is awaited: at the next part, or before completing
    sending.catch(() => {});
    offset += filled;
    filled = 0;
    parts++;
    [part, spare] = [spare, part];
  };
  let bytes;
  try {
    ({ bytes } = await stream(response, firstByte === 0 ? digest : null, async (chunk) => {
      for (let position = 0; position < chunk.length;) {
        const taken = Math.min(size - filled, chunk.length - position);
        part.set(chunk.subarray(position, position + taken), filled);
        filled += taken;
        position += taken;
        if (filled === size) {
          await flush();
          if (Date.now() >= options.stopAt) {
            await sending;
            throw new Paused(upload.uploadId, offset);
          }
        }
      }
    }));
    await flush();
    await sending;
  } catch (error) {
    if (error instanceof Paused) return { bytes: error.nextByte - firstByte, parts, paused: { ...error } };
    if (firstByte > 0 && ['UploadNotFoundException', 'InvalidLayerPartException'].includes(error.name)) {
      // the upload expired, or is not where the result said: the blob is copied again, whole
      return copyBlob(upstream, ecr, image, digest, options, null);
    }
    throw error;
  } finally {
    part = null;
    spare = null;
  }
  try {
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: upload.uploadId, layerDigests: [digest] }));
  } catch (error) {
    if (error.name !== 'LayerAlreadyExistsException') throw error;
  }
  return { bytes, parts };
}

/** Pushes a manifest's exact bytes; false when ECR had it already (with that tag, if one is given). */
async function putManifest(ecr, repositoryName, pulled, tag) {
  const imageManifest = pulled.body.toString('utf8');
  if (!Buffer.from(imageManifest, 'utf8').equals(pulled.body)) {
    throw new Error(`manifest ${pulled.digest} is not UTF-8: ECR's PutImage takes text, and would store another digest`);
  }
  try {
    await ecr.send(new PutImageCommand({ repositoryName, imageManifest, imageManifestMediaType: pulled.type,
      imageDigest: pulled.digest, ...(tag ? { imageTag: tag } : {}) }));
    return true;
  } catch (error) {
    if (error.name === 'ImageAlreadyExistsException') return false;
    if (error.name === 'ImageTagAlreadyExistsException') {
      throw new Error(`tag ${tag} of ${repositoryName} points to another image and the repository's tags are immutable: `
        + 'copied registries need MUTABLE tags (the creation template\'s imageTagMutability) to follow a moved tag');
    }
    throw error;
  }
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
  const found = [];
  for (const suffix of COSIGN_SUFFIXES) {
    const tag = `sha256-${digest.slice('sha256:'.length)}.${suffix}`;
    try {
      found.push({ reference: tag, tag, pulled: await manifest(upstream, repository, tag, options) });
    } catch (error) {
      if (error.status !== 404) throw error;
    }
  }
  return found;
}

/**
 * Copies what is attached to the copied digest (signatures, attestations, SBOMs) after the image itself, as images
 * are copied: blobs ECR lacks, then the manifest's exact bytes; those of the tag scheme under their tag. A referrer
 * that is an index, and the referrers of referrers, are not copied.
 */
async function copyReferrers(upstream, shared, image, digest, options) {
  const referrers = await referrersOf(upstream, image.sourceRepository, digest, options);
  let pushed = 0;
  for (const referrer of referrers) {
    const pulled = referrer.pulled || await manifest(upstream, image.sourceRepository, referrer.reference, options);
    if (isIndex(pulled)) continue;
    const missing = await missingBlobs(shared.ecr, image.repository, [...blobsOf([pulled]).keys()]);
    for (const blob of missing) {
      const copied = await shared.transfers(() => copyBlob(upstream, shared.ecr, image, blob, options, null));
      if (copied.paused) throw new DeadlineReached(`the referrers of ${digest} were not copied in time`);
    }
    if (await putManifest(shared.ecr, image.repository, pulled, referrer.tag)) pushed++;
  }
  return { referrers: referrers.length, referrersPushed: pushed };
}

/** Copies one image: its manifests, the blobs ECR lacks, then the manifests bottom up, then its referrers. */
async function copyImage(image, shared, runOptions) {
  const started = Date.now();
  // blobs stop between parts this long before the deadline, which cuts any transfer
  const options = { ...runOptions, stopAt: runOptions.deadline - runOptions.pauseMarginMs };
  const upstream = await shared.upstreamOf(image);
  const platforms = options.platforms && options.platforms.map(parsePlatform);
  const top = await manifest(upstream, image.sourceRepository, image.reference, options);
  let pushedTop = top;
  let platformManifests = [];
  if (isIndex(top)) {
    const entries = chosenEntries(top, platforms);
    for (const entry of entries) platformManifests.push(await manifest(upstream, image.sourceRepository, entry.digest, options));
    if (entries.length < top.document.manifests.length) {
      if (image.reference.startsWith('sha256:')) {
        throw new Error(`${image.image} names an index by digest, which a copy of some of its platforms cannot keep: `
          + 'copy every platform (no Platforms) or name the image by tag');
      }
      pushedTop = partialIndex(top, entries);
    }
  }
  const imageManifests = isIndex(top) ? platformManifests : [top];
  const blobs = [...blobsOf(imageManifests).keys()];
  const missing = await missingBlobs(shared.ecr, image.repository, blobs);
  const resumed = (image.resume && image.resume.blobs) || {};
  const copied = await pool(missing, missing.length || 1, (digest) => shared.transfers(
    () => copyBlob(upstream, shared.ecr, image, digest, options, resumed[digest])));
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
  let pushed = 0;
  for (const platformManifest of platformManifests) {
    if (await putManifest(shared.ecr, image.repository, platformManifest, null)) pushed++;
  }
  const tag = image.reference.startsWith('sha256:') ? null : image.reference;
  if (await putManifest(shared.ecr, image.repository, pushedTop, tag)) pushed++;
  // the signatures of the upstream digest hold for the copy only when it has that digest (not an index in part)
  const attached = pushedTop.digest === top.digest ? await copyReferrers(upstream, shared, image, top.digest, options) : {};
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
 * The handler, for CloudFormation events and the schedule's input. Images are copied ImageConcurrency at a time; blobs
 * Concurrency at a time across all of them, which bounds the memory to Concurrency parts.
 * Each image: { image, upstream (the registry's URL), sourceRepository, reference (tag or digest), repository (in
 * ECR), credential (a secret's ARN, optional) }.
 * @param settings what a test may choose: ecr, ssm, lambda and secrets (the clients), and see DEFAULTS
 */
function createHandler(settings = {}) {
  const limits = { ...DEFAULTS, ...settings };
  const ecr = settings.ecr || new ECRClient({ maxAttempts: limits.ecrMaxAttempts });
  const secrets = settings.secrets || new SecretsManagerClient({});
  return createImageRunHandler({
    words: WORDS,
    limits,
    ssm: settings.ssm || new SSMClient({}),
    lambda: settings.lambda || new LambdaClient({}),
    // every platform: the index is copied as it is, with its digest
    defaultPlatforms: null,
    keyOf: (image) => `${image.upstream} ${image.sourceRepository}:${image.reference} ${image.repository}`,
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
      return { ecr, upstreamOf, transfers: semaphore(options.concurrency) };
    },
    processImage: copyImage,
  });
}

exports.handler = createHandler();
exports.createHandler = createHandler;
exports.PART = PART;
