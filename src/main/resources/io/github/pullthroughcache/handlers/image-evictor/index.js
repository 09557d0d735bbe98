'use strict';
// The image evictor: deletes the cached images nobody pulled for a while, so that a pull through cache does not only
// grow. ECR's lifecycle rules can archive an image by its last pull (sinceImagePulled) but not delete it
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html), hence this function,
// invoked by EventBridge Scheduler with { Prefixes, MaxAgeDays, InUse, DeleteEmptyRepositories }.
//
// What it deletes, and what never:
// - only repositories whose name starts with one of the cache's prefixes and a slash;
// - an image whose last recorded pull (ImageDetail.lastRecordedPullTime) is older than MaxAgeDays. An image never
//   pulled since it was cached has no lastRecordedPullTime: its age counts from imagePushedAt, the time the cache
//   stored it (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html);
// - never an image of InUse (the app's images, by tag or digest per repository), nor an archived one (its lifecycle
//   rule decides, and a deletion within 90 days is charged 90 days anyway:
//   https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html), nor a platform manifest that an
//   image index still references (ECR refuses it: ImageReferencedByManifestList,
//   https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageFailure.html);
// - an image pulled between the listing and the deletion is kept: each batch is described again just before;
// - with DeleteEmptyRepositories, a repository it emptied is deleted without force, so that one that a pull filled
//   again meanwhile stays (RepositoryNotEmptyException).
// It reports images deleted, bytes freed and repositories deleted as metrics (embedded metric format).
const {
  ECRClient, DescribeRepositoriesCommand, DescribeImagesCommand, BatchDeleteImageCommand, DeleteRepositoryCommand,
} = require('@aws-sdk/client-ecr');
const { deadlineOf } = require('../shared/cloudformation');
const { publish } = require('../shared/metrics');
const { log } = require('../shared/log');
const { awsClient } = require('../shared/aws-clients');

const DAY_MS = 24 * 60 * 60 * 1000;
// BatchDeleteImage and DescribeImages take at most 100 image ids
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html)
const BATCH = 100;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json']);
// time kept back from the Lambda function's timeout to publish the report
const DEFAULTS = { reserveMs: 30000 };

async function* pages(ecr, Command, input, key) {
  let nextToken;
  do {
    const response = await ecr.send(new Command({ ...input, nextToken }));
    yield* response[key] || [];
    nextToken = response.nextToken;
  } while (nextToken);
}

/** The repositories under the prefixes (`<prefix>/...`), by name. */
async function repositoriesUnder(ecr, prefixes) {
  const names = [];
  for await (const repository of pages(ecr, DescribeRepositoriesCommand, {}, 'repositories')) {
    if (prefixes.some((prefix) => repository.repositoryName.startsWith(`${prefix}/`))) names.push(repository.repositoryName);
  }
  return names;
}

const lastUsed = (image) => new Date(image.lastRecordedPullTime || image.imagePushedAt).getTime();
const isActive = (image) => !image.imageStatus || image.imageStatus === 'ACTIVE';

/** Whether the image is one the app uses: its digest or one of its tags is among them. */
function inUse(image, used) {
  return used.has(image.imageDigest) || (image.imageTags || []).some((tag) => used.has(tag));
}

/** The images of a batch as ECR describes them now; one deleted meanwhile is left out. */
async function describeNow(ecr, repositoryName, images) {
  const imageIds = images.map((image) => ({ imageDigest: image.imageDigest }));
  try {
    return (await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds }))).imageDetails || [];
  } catch (error) {
    // one missing image fails the whole call: ask for each
    if (error.name !== 'ImageNotFoundException') throw error;
  }
  const found = [];
  for (const imageId of imageIds) {
    try {
      found.push(...((await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }))).imageDetails || []));
    } catch (error) {
      if (error.name !== 'ImageNotFoundException') throw error;
    }
  }
  return found;
}

/** Deletes a batch of old images, each after a last look; returns what it deleted and what went otherwise. */
async function deleteBatch(ecr, repositoryName, batch, cutoff, used) {
  const now = await describeNow(ecr, repositoryName, batch);
  const still = now.filter((image) => isActive(image) && !inUse(image, used) && lastUsed(image) < cutoff);
  const outcome = { deleted: [], gone: batch.length - now.length, kept: now.length - still.length, failed: [] };
  if (still.length === 0) return outcome;
  const response = await ecr.send(new BatchDeleteImageCommand({ repositoryName,
    imageIds: still.map((image) => ({ imageDigest: image.imageDigest })) }));
  const deletedDigests = new Set((response.imageIds || []).map((id) => id.imageDigest));
  outcome.deleted = still.filter((image) => deletedDigests.has(image.imageDigest));
  for (const failure of response.failures || []) {
    if (failure.failureCode === 'ImageNotFound') outcome.gone++;
    else if (failure.failureCode === 'ImageReferencedByManifestList') outcome.kept++;
    else outcome.failed.push(`${repositoryName}@${failure.imageId && failure.imageId.imageDigest}: ${failure.failureCode} ${failure.failureReason || ''}`.trim());
  }
  return outcome;
}

/** Evicts the old images of one repository; deletes it when it emptied it and may. */
async function evictRepository(ecr, repositoryName, settings, report) {
  let images;
  try {
    images = [];
    for await (const image of pages(ecr, DescribeImagesCommand, { repositoryName }, 'imageDetails')) images.push(image);
  } catch (error) {
    if (error.name === 'RepositoryNotFoundException') return;
    throw error;
  }
  const used = new Set(settings.inUse[repositoryName] || []);
  const old = images.filter((image) => isActive(image) && !inUse(image, used) && lastUsed(image) < settings.cutoff);
  report.imagesKept += images.length - old.length;
  // image indexes first: their platform manifests can go only once no index references them
  old.sort((a, b) => Number(INDEX_TYPES.has(b.imageManifestMediaType)) - Number(INDEX_TYPES.has(a.imageManifestMediaType)));
  let deleted = 0;
  for (let i = 0; i < old.length; i += BATCH) {
    const outcome = await deleteBatch(ecr, repositoryName, old.slice(i, i + BATCH), settings.cutoff, used);
    deleted += outcome.deleted.length;
    report.imagesEvicted += outcome.deleted.length;
    report.bytesFreed += outcome.deleted.reduce((sum, image) => sum + (image.imageSizeInBytes || 0), 0);
    report.imagesGone += outcome.gone;
    report.imagesKept += outcome.kept;
    report.failures.push(...outcome.failed);
    for (const image of outcome.deleted) {
      log({ evicted: `${repositoryName}@${image.imageDigest}`, tags: image.imageTags || [],
        bytes: image.imageSizeInBytes, lastUsed: new Date(lastUsed(image)).toISOString() });
    }
  }
  if (settings.deleteEmptyRepositories && deleted > 0 && deleted === images.length) {
    try {
      await ecr.send(new DeleteRepositoryCommand({ repositoryName }));
      report.repositoriesDeleted++;
      log({ repositoryDeleted: repositoryName });
    } catch (error) {
      // filled again by a pull since: it stays
      if (error.name !== 'RepositoryNotEmptyException' && error.name !== 'RepositoryNotFoundException') throw error;
    }
  }
}

/** The settings of a run, from the schedule's input. */
function runSettings(input, now) {
  const maxAgeDays = Number(input.MaxAgeDays);
  if (!Number.isFinite(maxAgeDays) || maxAgeDays < 1) throw new Error(`MaxAgeDays ${input.MaxAgeDays} is invalid: expected 1 or more`);
  const prefixes = input.Prefixes || [];
  if (prefixes.length === 0 || prefixes.some((prefix) => !prefix || prefix === 'ROOT')) {
    throw new Error(`Prefixes ${JSON.stringify(prefixes)} is invalid: expected the cache's repository prefixes, never ROOT`);
  }
  return { prefixes: prefixes.map((prefix) => prefix.replace(/\/+$/, '')), cutoff: now - maxAgeDays * DAY_MS,
    inUse: input.InUse || {}, deleteEmptyRepositories: String(input.DeleteEmptyRepositories) === 'true' };
}

/**
 * @param settings what a test may choose: ecr (the client), now (a function giving the time), reserveMs
 */
function createHandler(settings = {}) {
  const limits = { ...DEFAULTS, ...settings };
  const ecr = awsClient(ECRClient, settings.ecr);
  const now = settings.now || Date.now;
  return async (input, context) => {
    const deadline = deadlineOf(context, limits.reserveMs);
    const run = runSettings(input || {}, now());
    const report = { imagesEvicted: 0, bytesFreed: 0, repositoriesDeleted: 0, imagesKept: 0, imagesGone: 0,
      repositoriesScanned: 0, unfinished: [], failures: [] };
    try {
      const listed = await repositoriesUnder(ecr, run.prefixes);
      // each day starts at another repository, so that a registry too large for one run is covered over several
      const offset = listed.length === 0 ? 0 : Math.floor(now() / DAY_MS) % listed.length;
      const repositories = [...listed.slice(offset), ...listed.slice(0, offset)];
      for (const repositoryName of repositories) {
        // the next run takes up what this one had no time for
        if (Date.now() >= deadline) {
          report.unfinished.push(repositoryName);
          continue;
        }
        await evictRepository(ecr, repositoryName, run, report);
        report.repositoriesScanned++;
      }
    } finally {
      publish({ Cache: process.env.METRICS_CACHE || 'unnamed' }, {
        ImagesEvicted: { value: report.imagesEvicted, unit: 'Count' },
        BytesFreed: { value: report.bytesFreed, unit: 'Bytes' },
        RepositoriesDeleted: { value: report.repositoriesDeleted, unit: 'Count' },
      });
      log({ report: { ...report, unfinished: report.unfinished.length } });
    }
    if (report.failures.length > 0) {
      throw new Error(`${report.failures.length} images could not be deleted: ${report.failures.slice(0, 10).join('; ')}`);
    }
    return report;
  };
}

exports.handler = createHandler();
exports.createHandler = createHandler;
