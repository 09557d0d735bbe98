'use strict';
// A run over a list of images, as the cache warmer and the image copier both make one: images in parallel, each
// reported in the order given as done, failed or deferred; what the deadline stops is deferred, kept in an SSM
// parameter of the function's own and taken first next run; a run longer than one invocation is handed to a new
// invocation of the function while it makes progress; a custom resource answered once, at the end, naming what was
// not done, and failing with it under FailOnError. Invoked by CloudFormation (create and update) and by EventBridge
// Scheduler ({ "Images": [...] }).

const crypto = require('node:crypto');
const { InvokeCommand } = require('@aws-sdk/client-lambda');
const { GetParameterCommand, PutParameterCommand, DeleteParameterCommand } = require('@aws-sdk/client-ssm');
const { customResource, deadlineOf, DeadlineReached, CONTINUED } = require('./cloudformation');
const { pool } = require('./registry-client');

// A list longer than one invocation goes on in the next: the function hands its event to itself (an asynchronous
// invoke) while a run makes progress. At deployment, CloudFormation waits an hour for the answer (the custom
// resource's ServiceTimeout, 3600 s at most:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html),
// which four invocations of Lambda's 15 minutes fit in. A scheduled run goes on for 15 invocations at most, under
// the 16 of one chain at which Lambda's recursive loop detection stops a function
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html).
const MAX_CONTINUATIONS = { deployment: 3, schedule: 14 };

// What a run deferred, kept for the next one in a String parameter of the standard tier (4 KB) that the
// function owns (DEFERRED_PARAMETER): a short key per image, so that a long list fits.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
const DEFERRED_LIMIT = 4096;

/** A short key of an image, for the parameter and a continuation's payload. */
const shortKey = (text) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);

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

async function keepDeferred(ssm, name, keys, words) {
  if (!name) return;
  let kept = keys;
  while (JSON.stringify(kept).length > DEFERRED_LIMIT) kept = kept.slice(0, Math.floor(kept.length * 0.9));
  try {
    await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(kept), Type: 'String', Overwrite: true,
      Description: `The images the ${words.what} deferred in its last run: they go first in the next` }));
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

/** The settings of a run: from the custom resource's properties or the schedule's input. */
function runSettings(properties, defaultPlatforms) {
  return {
    images: properties.Images || [],
    platforms: properties.Platforms || defaultPlatforms,
    concurrency: Number(properties.Concurrency || 4),
    imageConcurrency: Number(properties.ImageConcurrency || 4),
    failOnError: String(properties.FailOnError) === 'true',
  };
}

/**
 * A handler for CloudFormation events and the schedule's input that runs `processImage` over the images.
 * @param spec {
 *   words: { what, done, Done, NotDone, progress } — 'cache warmer', 'warmed', 'Warmed', 'NotWarmed', 'WarmerProgress';
 *   limits: { maxAttempts, retryDelayMs, reserveMs } and whatever processImage needs;
 *   ssm, lambda: the clients;
 *   defaultPlatforms: the platforms of a run that names none (null: every platform);
 *   keyOf(image): the text an image is known by across runs;
 *   prepare(options): what a run shares between its images (a registry session), given to processImage;
 *   processImage(image, shared, options): the work on one image, returning what the report says of it;
 *   publish(report, counts) (optional): this invocation's outcome as metrics, with its own counts of done, failed
 *     and deferred }
 */
function createImageRunHandler(spec) {
  const { words, limits, ssm, lambda } = spec;

  /** Processes the images imageConcurrency at a time; one the deadline stops, or that no worker reached, is deferred. */
  async function processAll(images, options) {
    const shared = await spec.prepare(options);
    return pool(images, options.imageConcurrency, async (image) => {
      const name = image.image;
      if (Date.now() >= options.deadline) return { image: name, status: 'deferred' };
      try {
        const result = await spec.processImage(image, shared, options);
        console.log(JSON.stringify({ [words.done]: name, ...result }));
        return { image: name, status: words.done, ...result };
      } catch (error) {
        // a transfer the deadline cut (its body's read aborted, too) is deferred, not failed
        const status = error instanceof DeadlineReached || Date.now() >= options.deadline ? 'deferred' : 'failed';
        console.log(JSON.stringify({ [status]: name, error: error.message }));
        return { image: name, status, error: error.message };
      }
    });
  }

  /**
   * One invocation's share of a run. A first invocation takes every image, those the last run deferred first; a
   * continuation only what the invocation before it left. `progress` carries the counts of the run's earlier
   * invocations.
   */
  async function runOnce(properties, runLimits, progress) {
    const options = { ...runSettings(properties, spec.defaultPlatforms), ...runLimits };
    const parameter = process.env.DEFERRED_PARAMETER;
    const deferred = await deferredBefore(ssm, parameter);
    // a continuation carries what is left itself: the parameter may hold only the head of a long list
    const remaining = progress.remaining && new Set(progress.remaining);
    const keys = new Map(options.images.map((image) => [image, shortKey(spec.keyOf(image))]));
    const images = remaining ? options.images.filter((image) => remaining.has(keys.get(image))) : options.images;
    const ordered = deferredFirst(images, (image) => deferred.has(keys.get(image)));
    const results = await processAll(ordered, options);
    // reported in the order given, whatever order they ran in
    const resultOf = new Map(ordered.map((image, i) => [image, results[i]]));
    const report = images.map((image) => ({ ...resultOf.get(image), key: keys.get(image) }));
    const deferredKeys = report.filter((entry) => entry.status === 'deferred').map((entry) => entry.key);
    await keepDeferred(ssm, parameter, deferredKeys, words);
    const failed = [...progress.failed, ...report.filter((entry) => entry.status === 'failed')
      .map(({ image, error }) => ({ image, error }))];
    const count = (status) => report.filter((entry) => entry.status === status).length;
    if (spec.publish) spec.publish(report, { done: count(words.done), failed: count('failed'), deferred: count('deferred') });
    const counts = { [words.Done]: progress.done + count(words.done), Failed: failed.length, Deferred: count('deferred') };
    console.log(JSON.stringify({ report: counts, invocation: progress.continuation + 1 }));
    return { options, report, counts, failed, deferredKeys, madeProgress: report.some((entry) => entry.status !== 'deferred') };
  }

  /** Hands the rest of the run to a new invocation of this function, when the run may and should go on. */
  async function continueRun(context, payload, result, progress, limit) {
    const functionName = context && context.invokedFunctionArn;
    if (!functionName || result.counts.Deferred === 0 || !result.madeProgress || progress.continuation >= limit) {
      return false;
    }
    const next = { continuation: progress.continuation + 1, [words.done]: result.counts[words.Done], failed: result.failed,
      remaining: result.deferredKeys };
    try {
      await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ ...payload, [words.progress]: next })) }));
      console.log(JSON.stringify({ continued: result.counts.Deferred, invocation: next.continuation + 1 }));
      return true;
    } catch (error) {
      console.log(JSON.stringify({ notContinued: error.message }));
      return false;
    }
  }

  /** The end of a run: its counts, and with failOnError a failure naming what was not done and why. */
  function finish(result, images) {
    const { counts, failed, report, options } = result;
    const deferredImages = report.filter((entry) => entry.status === 'deferred').map((entry) => entry.image);
    if (deferredImages.length > 0) console.log(JSON.stringify({ [`not${words.Done}InTime`]: deferredImages }));
    if (options.failOnError && (failed.length > 0 || deferredImages.length > 0)) {
      throw new Error(`${failed.length + deferredImages.length} of ${images.length} images were not ${words.done}: `
        + [...failed.map((entry) => `${entry.image}: ${entry.error}`),
          ...deferredImages.map((image) => `${image}: not reached in time`)].join('; '));
    }
    const data = { ...counts };
    if (deferredImages.length > 0) data[`Not${words.Done}`] = deferredImages.join(',').slice(0, 2048);
    return data;
  }

  const progressOf = (payload) => {
    const given = payload[words.progress] || {};
    return { continuation: 0, failed: [], ...given, done: given[words.done] || 0 };
  };

  const onCustomResource = customResource(async (event, { deadline, context }) => {
    if (event.RequestType === 'Delete') {
      await forgetDeferred(ssm, process.env.DEFERRED_PARAMETER);
      return {};
    }
    const progress = progressOf(event);
    const result = await runOnce(event.ResourceProperties, { ...limits, deadline }, progress);
    if (await continueRun(context, event, result, progress, MAX_CONTINUATIONS.deployment)) return CONTINUED;
    return finish(result, event.ResourceProperties.Images || []);
  }, limits);

  return async (event, context) => {
    if (event && event.RequestType) return onCustomResource(event, context);
    const input = event || {};
    const progress = progressOf(input);
    const result = await runOnce(input, { ...limits, deadline: deadlineOf(context, limits.reserveMs) }, progress);
    if (await continueRun(context, input, result, progress, MAX_CONTINUATIONS.schedule)) {
      return { counts: result.counts, report: result.report, continued: true };
    }
    return { counts: finish(result, input.Images || []), report: result.report };
  };
}

module.exports = { createImageRunHandler, MAX_CONTINUATIONS };
