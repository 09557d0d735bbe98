'use strict';
// A run over a list of images, as the cache warmer and the image copier both make one, on a Step Functions state
// machine (images.ImageRunStateMachine) that invokes this function once per image: no invocation hands work to
// another, no parameter holds a run's progress, and retries of a throttled or unavailable registry are the state
// machine's. The function is invoked:
// - by CloudFormation (Custom::EcrCacheWarmer, Custom::EcrImageCopier): a Create, or an Update that changes the run,
//   starts an execution and answers nothing, the execution answers; a Delete or an Update that changes nothing of the
//   run is answered at once;
// - by the state machine, above DISTRIBUTED_ABOVE images given in its input (a schedule's), to write them to the run's
//   bucket ({ "Action": "list", "Images", "Execution" }): where the distributed Map reads them, { Bucket, Key };
// - by the state machine, per image ({ "Action": "image", "Image", "Settings", "Resume" }): the image's result, or an
//   error whose name says whether the state machine tries again (RegistryThrottled, RegistryUnavailable) or records
//   the image as failed (ImageFailed);
// - by the state machine, at the end ({ "Action": "answer", "Request", "Settings", "Results" | "Error" }): the counts,
//   answered on CloudFormation's response URL when a deployment started the run. Results are the inline Map's list,
//   or the distributed Map's { MapRunArn, ResultWriterDetails: { Bucket, Key } }: the manifest of the result files
//   it wrote to the run's bucket, read here, since a state's input and output hold 256 KiB at most;
// - by EventBridge, for an execution that stopped before it answered (timed out, aborted, failed outside its
//   states): FAILED is answered, so that CloudFormation never waits for an answer that will not come.
//   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html

const { StartExecutionCommand } = require('@aws-sdk/client-sfn');
const { S3Client, PutObjectCommand, GetObjectCommand } = require('@aws-sdk/client-s3');
const { customResource, continued, respond, oneLine, deadlineOf, DeadlineReached } = require('./cloudformation');
const { awsClient } = require('./aws-clients');
const { log } = require('./log');

/** The Fail states of the state machine that come after an answer: their executions were answered already. */
const ANSWERED = new Set(['ImagesFailed', 'RunFailed']);
/** The settings that make a run: an Update that changes none of them has nothing to do. */
const RUN_SETTINGS = ['Images', 'Platforms', 'Concurrency', 'ImageConcurrency', 'FailOnError'];
/**
 * Where a run's image lists go in its bucket (RUN_BUCKET), under the prefix of the function's grant; the state
 * machine's ResultWriter writes under runs/results/ (images.ImageRunStateMachine).
 */
const LISTS = 'runs/images/';

/** The settings of a run, from the custom resource's properties (strings) or the schedule's input. */
function runSettings(settings, defaultPlatforms) {
  return {
    platforms: settings.Platforms || defaultPlatforms,
    concurrency: Number(settings.Concurrency || 4),
    imageConcurrency: Number(settings.ImageConcurrency || 4),
    failOnError: String(settings.FailOnError) === 'true',
  };
}

/**
 * An error the state machine matches by name (a Node.js function's error name is its errorType). Its stack is its
 * first line only: the cause Step Functions records holds the trace, and every image's result must fit, with the
 * others, in a state's 256 KiB (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html).
 */
const named = (name, message) => {
  const error = Object.assign(new Error(message.slice(0, 1000)), { name });
  error.stack = `${name}: ${error.message}`;
  return error;
};

/**
 * The name under which the state machine sees a failure: a registry's 429 (or ECR's throttling) is tried again, as
 * are a 5xx and a network error; anything else fails the image.
 */
function classify(error) {
  const message = String(error && error.message);
  if (/\bHTTP 429\b/.test(message) || /Throttl|TooManyRequests/.test(`${error && error.name} ${message}`)) {
    return named('RegistryThrottled', message);
  }
  if (/\bHTTP 5\d\d\b/.test(message) || /ECONNRESET|ECONNREFUSED|UND_ERR|ETIMEDOUT|socket|network error/i.test(message)) {
    return named('RegistryUnavailable', message);
  }
  return named('ImageFailed', message);
}

/** What a failed image's result says went wrong: the function's message, else the state machine's error. */
function reasonOf(entry) {
  try {
    const cause = JSON.parse(entry.cause);
    if (cause && cause.errorMessage) return cause.errorMessage;
  } catch (notJson) {
    // a cause of Step Functions' own (States.Timeout...) is text
  }
  return entry.cause || entry.error || 'failed';
}

/**
 * A handler for the events above that runs `processImage` on one image at a time.
 * @param spec {
 *   words: { what, done, Done } — 'cache warmer', 'warmed', 'Warmed';
 *   limits: { reserveMs, responseRetryDelayMs } and whatever processImage needs (maxAttempts is 1: the state machine
 *     retries);
 *   states: the Step Functions client;
 *   defaultPlatforms: the platforms of a run that names none (null: every platform);
 *   prepare(options): what an image's work shares (a registry session), given to processImage;
 *   processImage(image, shared, options): the work on one image, returning what its result says of it; a status of
 *     its own ('skipped', or 'deferred' with a resume, which options.resume hands back on the next invocation);
 *   publish(report, counts) (optional): one image's outcome as metrics;
 *   now (optional): the clock, for tests }
 */
function createImageRunHandler(spec) {
  const { words, limits, states } = spec;
  const now = spec.now || Date.now;
  let s3;
  // made at first use: most invocations (an image's) never need it
  const objects = () => (s3 = s3 || awsClient(S3Client, spec.objects));
  // the state machine's threshold (images.ImageRunStateMachine.DISTRIBUTED_ABOVE), which its function's environment names
  const distributedAbove = () => Number(process.env.DISTRIBUTED_ABOVE || 400);

  /** Writes a run's image list to its bucket as the JSON array the distributed Map's ItemReader reads. */
  async function writeList(images, name) {
    const list = { Bucket: process.env.RUN_BUCKET, Key: `${LISTS}${name}.json`, Count: images.length };
    await objects().send(new PutObjectCommand({ Bucket: list.Bucket, Key: list.Key, Body: JSON.stringify(images),
      ContentType: 'application/json' }));
    log({ listed: images.length, key: list.Key });
    return list;
  }

  /** An object of the run's bucket, as JSON. */
  async function readJson(bucket, key) {
    const response = await objects().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await response.Body.transformToString());
  }

  /**
   * A run's results: the inline Map's list as it is; the distributed Map's, from the result files its manifest names
   * (ResultFiles.SUCCEEDED: each iteration's result, COMPACT, as a JSON array; an iteration that failed fails the
   * Map, whose Catch answers instead). https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
   */
  async function resultsOf(results) {
    if (!results || Array.isArray(results)) return results || [];
    const { Bucket, Key } = results.ResultWriterDetails;
    const manifest = await readJson(Bucket, Key);
    const files = await Promise.all(((manifest.ResultFiles || {}).SUCCEEDED || []).map((file) => readJson(Bucket, file.Key)));
    return files.flat();
  }

  async function processOne(event, context) {
    const name = event.Image && event.Image.image;
    const options = { ...runSettings(event.Settings || {}, spec.defaultPlatforms), ...limits, maxAttempts: 1,
      deadline: deadlineOf(context, limits.reserveMs), resume: event.Resume };
    let entry;
    try {
      const shared = await spec.prepare(options);
      const result = await spec.processImage(event.Image, shared, options);
      entry = { image: name, status: words.done, ...result };
    } catch (error) {
      // work the deadline cut is deferred, not failed
      if (!(error instanceof DeadlineReached) && now() < options.deadline) {
        const thrown = classify(error);
        log({ failed: name, error: thrown.name, message: thrown.message });
        if (spec.publish) spec.publish([{ image: name, status: 'failed' }], { done: 0, failed: 1, deferred: 0 });
        throw thrown;
      }
      entry = { image: name, status: 'deferred', error: error.message };
    }
    log({ [entry.status]: name, ...entry, image: undefined, resume: undefined });
    if (spec.publish) {
      spec.publish([entry], { done: entry.status === words.done ? 1 : 0, failed: 0,
        deferred: entry.status === 'deferred' ? 1 : 0 });
    }
    return entry;
  }

  /** The counts of a run, answered to CloudFormation if a deployment started it; with failOnError a failure. */
  async function answer(event) {
    const settings = runSettings(event.Settings || {}, spec.defaultPlatforms);
    let status = 'SUCCESS';
    let reason = 'OK';
    let data = {};
    if (event.Error) {
      status = 'FAILED';
      reason = `The ${words.what}'s run stopped before its images were done (execution ${event.Execution}): `
        + `${event.Error.Error}: ${reasonOf({ cause: event.Error.Cause, error: event.Error.Error })}`;
    } else {
      const results = await resultsOf(event.Results);
      const failed = results.filter((entry) => entry.status === 'failed');
      const deferred = results.filter((entry) => entry.status === 'deferred');
      data = { [words.Done]: results.length - failed.length - deferred.length, Failed: failed.length,
        Deferred: deferred.length };
      if (deferred.length > 0) data[`Not${words.Done}`] = deferred.map((entry) => entry.image).join(',').slice(0, 2048);
      log({ report: data, execution: event.Execution });
      if (settings.failOnError && failed.length + deferred.length > 0) {
        status = 'FAILED';
        reason = `${failed.length + deferred.length} of ${results.length} images were not ${words.done} `
          + `(execution ${event.Execution}): ${[...failed.map((entry) => `${entry.image}: ${reasonOf(entry)}`),
            ...deferred.map((entry) => `${entry.image}: not done in time`)].join('; ')}`;
      }
    }
    const request = event.Request || {};
    if (request.ResponseURL) {
      // a FAILED answer is one status line and carries no data, as every custom resource's here
      await respond(request, status, oneLine(reason), request.PhysicalResourceId, status === 'SUCCESS' ? data : {},
        { firstDelayMs: limits.responseRetryDelayMs });
    }
    return { ...data, Succeeded: status === 'SUCCESS', Reason: oneLine(reason) };
  }

  /** An execution that stopped before it answered: CloudFormation gets FAILED, a scheduled run nothing. */
  async function answerStopped(event) {
    const detail = event.detail || {};
    if (detail.status === 'FAILED' && ANSWERED.has(detail.error)) return { answered: 'before' };
    let input = {};
    try {
      input = JSON.parse(detail.input || '{}');
    } catch (unreadable) {
      input = {};
    }
    const request = input.Request || {};
    if (!request.ResponseURL) return { answered: 'nothing to answer' };
    const reason = `The ${words.what}'s run ${detail.status === 'TIMED_OUT' ? 'timed out'
      : detail.status === 'ABORTED' ? 'was stopped' : 'failed'} before it answered (execution ${detail.executionArn})`
      + `${detail.error ? `: ${detail.error}` : ''}${detail.cause ? `: ${detail.cause}` : ''}`;
    log({ stopped: detail.executionArn, status: detail.status });
    await respond(request, 'FAILED', oneLine(reason), request.PhysicalResourceId, {},
      { firstDelayMs: limits.responseRetryDelayMs });
    return { answered: 'FAILED' };
  }

  /**
   * A Create or an Update that changes the run starts an execution, which answers (continued); anything else is
   * answered now, by customResource, as every custom resource of the library is.
   */
  async function onCustomResource(event) {
    const properties = event.ResourceProperties || {};
    const physicalId = event.PhysicalResourceId || `${event.LogicalResourceId}-${properties.Owner || 'resource'}`;
    const old = event.OldResourceProperties || {};
    const unchanged = event.RequestType === 'Update'
      && RUN_SETTINGS.every((key) => JSON.stringify(properties[key]) === JSON.stringify(old[key]));
    if (event.RequestType === 'Delete' || unchanged) {
      return event.RequestType === 'Delete' ? {} : { [words.Done]: 0, Failed: 0, Deferred: 0 };
    }
    const settings = {};
    for (const key of RUN_SETTINGS.slice(1)) if (properties[key] !== undefined) settings[key] = properties[key];
    const images = properties.Images || [];
    const input = {
      Images: images,
      Settings: settings,
      Request: { ResponseURL: event.ResponseURL, StackId: event.StackId, RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: physicalId },
    };
    // named by the request: a retried invocation finds the execution it started
    // (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html)
    const name = String(event.RequestId).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
    try {
      // a long list goes to the bucket: StartExecution's input holds 256 KiB at most
      // (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html)
      if (images.length > distributedAbove()) {
        delete input.Images;
        input.ImageList = await writeList(images, name);
      }
      const started = await states.send(new StartExecutionCommand({ stateMachineArn: properties.StateMachine,
        name, input: JSON.stringify(input) }));
      log({ started: started.executionArn });
      return continued({ started: started.executionArn });
    } catch (error) {
      throw new Error(`The ${words.what}'s run did not start: ${error.message}`);
    }
  }

  return customResource(onCustomResource, {
    reserveMs: limits.reserveMs,
    responseRetryDelayMs: limits.responseRetryDelayMs,
    otherwise: async (event, context) => {
      if (event && event.Action === 'image') return processOne(event, context);
      if (event && event.Action === 'list') return writeList(event.Images || [], event.Execution);
      if (event && event.Action === 'answer') return answer(event);
      if (event && event.source === 'aws.states') return answerStopped(event);
      throw new Error(`The ${words.what} was invoked with an event it does not know: `
        + `${JSON.stringify(Object.keys(event || {}))}`);
    },
  });
}

module.exports = { createImageRunHandler, classify, ANSWERED, LISTS };
