'use strict';
// The pull side of a registry's /v2/ API (the OCI distribution spec), as the cache warmer and the image copier both
// read it: manifests in every media type, an index followed to its platforms, blobs streamed and checked against
// their digest, redirects followed without the credential, retries with backoff on 429 and 5xx, a deadline.
// A registry is { base, authorization(repository), challenged(response, repository) }: the credential it sends, and
// what it does when the registry answers 401 (a Bearer token exchange, say); neither is ever logged.

const crypto = require('node:crypto');
const { DeadlineReached } = require('./cloudformation');
const { backoff: sharedBackoff, sleep } = require('./retry');
const { httpFetch } = require('./http-fetch');

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(0, 2));
const MAX_REDIRECTS = 5;

const sha256 = (buffer) => `sha256:${crypto.createHash('sha256').update(buffer).digest('hex')}`;

/** A registry that sends one fixed credential (or none) and has nothing to do on a 401. */
function fixedRegistry(base, authorization) {
  return { base: base.replace(/\/+$/, ''), authorization: () => authorization, challenged: async () => false };
}

/**
 * A request (httpFetch: fetch's calls over node:http) with retries on 429, 5xx and network errors, and with
 * Retry-After honoured; never past the deadline.
 * @param limits { deadline, maxAttempts, retryDelayMs }
 */
async function request(url, options, limits) {
  const { deadline, maxAttempts } = limits;
  // the handlers' one backoff (retry.js); this loop keeps its own shape for the deadline and Retry-After of a fetch
  const backoff = (attempt) => sharedBackoff(attempt, { firstDelayMs: limits.retryDelayMs });
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) throw new DeadlineReached('deadline reached');
    let response;
    try {
      // no redirect is followed here: get() follows them, without the credential to another host
      response = await httpFetch(url, { ...options, signal: AbortSignal.timeout(left) });
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
 * The error code of a registry's error body ({"errors":[{"code":"MANIFEST_UNKNOWN",...}]}, the OCI distribution spec's
 * error format), with a space before it; an empty string when the body has none. The body itself, indented and with
 * its newline, never goes into a message: a message ends up as CloudFormation's one-line status reason.
 */
async function errorCodeOf(response) {
  const text = await response.text().catch(() => '');
  try {
    const codes = (JSON.parse(text).errors || []).map((error) => error.code).filter((code) => /^[A-Z_]{1,40}$/.test(code));
    return codes.length ? ` ${[...new Set(codes)].join(',')}` : '';
  } catch (notJson) {
    return '';
  }
}

/**
 * GET from the registry, following redirects. The credential goes to the registry only: a redirect to another host
 * (a CDN, or S3 with a pre-signed URL) is followed without it. A 401 is answered once by the registry's challenged().
 */
async function get(registry, repository, path, headers, limits) {
  let url = `${registry.base}${path}`;
  let challenged = false;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameHost = new URL(url).origin === new URL(registry.base).origin;
    const authorization = sameHost ? registry.authorization(repository) : undefined;
    const response = await request(url, { headers: authorization ? { ...headers, authorization } : headers }, limits);
    if (response.status === 401 && sameHost && !challenged) {
      challenged = true;
      if (await registry.challenged(response, repository, limits)) {
        await response.body?.cancel();
        hop--;
        continue;
      }
    }
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      await response.body?.cancel();
      url = new URL(response.headers.get('location'), url).toString();
      continue;
    }
    if (!response.ok) {
      throw Object.assign(new Error(`GET ${path}: HTTP ${response.status}${await errorCodeOf(response)}`),
        { status: response.status });
    }
    return response;
  }
  throw new Error(`GET ${path}: more than ${MAX_REDIRECTS} redirects`);
}

/** Checks a body read whole or streamed against the digest it was asked by; fails naming both. */
function checkDigest(what, expected, actual, bytes) {
  if (expected && expected.startsWith('sha256:') && actual !== expected) {
    throw new Error(`${what ? `${what}: ` : ''}digest mismatch: expected ${expected}, got ${actual} (${bytes} bytes)`);
  }
}

/**
 * Streams a blob's body through `sink(chunk)` (awaited: a slow sink slows the download, nothing piles up in memory),
 * hashing it; fails when its sha256 is not the expected digest.
 */
async function stream(response, expectedDigest, sink) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    bytes += chunk.length;
    if (sink) await sink(chunk);
  }
  const actual = `sha256:${hash.digest('hex')}`;
  checkDigest(null, expectedDigest, actual, bytes);
  return { bytes, digest: actual };
}

/** Reads a body to nowhere, hashing it. */
const drain = (response, expectedDigest) => stream(response, expectedDigest, null);

/** A manifest: its exact bytes (the digest is theirs), media type, parsed document and digest, checked. */
async function manifest(registry, repository, reference, limits) {
  const response = await get(registry, repository, `/v2/${repository}/manifests/${reference}`,
    { accept: MANIFEST_TYPES.join(', ') }, limits);
  const type = (response.headers.get('content-type') || '').split(';')[0].trim();
  const body = Buffer.from(await response.arrayBuffer());
  const digest = sha256(body);
  const expected = reference.startsWith('sha256:') ? reference : response.headers.get('docker-content-digest');
  checkDigest(`manifest ${repository}@${reference}`, expected, digest, body.length);
  const document = JSON.parse(body.toString('utf8'));
  return { type: type || document.mediaType, document, digest, body, bytes: body.length };
}

const isIndex = (top) => INDEX_TYPES.has(top.type) || Array.isArray(top.document.manifests);

function parsePlatform(text) {
  const [os, architecture, variant] = text.split('/');
  return { os, architecture, variant };
}

const platformName = (p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

function matches(entry, wanted) {
  const platform = entry.platform || {};
  return platform.os === wanted.os && platform.architecture === wanted.architecture
    && (!wanted.variant || platform.variant === wanted.variant);
}

/**
 * The entries of an index for the wanted platforms (every entry when `platforms` is null); fails naming what the
 * index has when none matches.
 */
function chosenEntries(index, platforms) {
  const entries = index.document.manifests || [];
  if (!platforms) return entries;
  const chosen = entries.filter((entry) => platforms.some((wanted) => matches(entry, wanted)));
  if (chosen.length === 0) {
    const offered = entries.map((entry) => entry.platform && platformName(entry.platform));
    throw new Error(`no manifest for ${platforms.map(platformName).join(', ')} (the index has ${offered.join(', ') || 'none'})`);
  }
  return chosen;
}

/** The config and layer descriptors of image manifests, each digest once. */
function blobsOf(manifests) {
  const blobs = new Map();
  for (const { document } of manifests) {
    for (const descriptor of [document.config, ...(document.layers || [])].filter(Boolean)) {
      blobs.set(descriptor.digest, descriptor);
    }
  }
  return blobs;
}

/** Runs tasks with at most `limit` at a time, results in the order of the items. */
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

/** A counting semaphore: at most `limit` holders of run() at once, across every caller. */
function semaphore(limit) {
  let active = 0;
  const waiting = [];
  return async (task) => {
    if (active >= limit) await new Promise((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      if (waiting.length) waiting.shift()();
    }
  };
}

module.exports = {
  MANIFEST_TYPES, INDEX_TYPES, sha256, fixedRegistry, request, get, errorCodeOf, stream, drain, manifest, isIndex, parsePlatform,
  platformName, chosenEntries, blobsOf, pool, semaphore,
};
