'use strict';
// What every custom resource handler of this library does the same way: answer CloudFormation on the
// pre-signed response URL, always, also when the Lambda function's time runs short, and never log the event
// or the URL (the URL is a credential). CloudFormation waits up to an hour for an answer that never comes
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html), so the answer
// must not depend on the work finishing.

const { withRetries } = require('./retry');
const { log } = require('./log');

/** Time kept back from the Lambda function's timeout to answer CloudFormation. */
const DEFAULT_RESERVE_MS = 15000;

/** The mark of what work returns when another party took the event over and will answer CloudFormation itself. */
const CONTINUED = Symbol('continued');

/** What work returns when another party (a state machine's execution) answers: result is the invocation's. */
const continued = (result = {}) => ({ [CONTINUED]: result });

/**
 * The physical id of a resource whose Create failed before it wrote anything. CloudFormation sends a Delete for it
 * when it rolls back; a Delete with this id removes nothing and succeeds. aws-cdk's provider framework does the same
 * with AWSCDK::CustomResourceProviderFramework::CREATE_FAILED (@aws-cdk/custom-resource-handlers,
 * lib/core/nodejs-entrypoint-handler/index.ts).
 */
const CREATE_FAILED = 'PullThroughCacheCdk::CREATE_FAILED';

/**
 * How the answer is delivered: like aws-cdk's provider framework (withRetries in the same file: 5 retries from 1 s
 * doubling; the jitter is retry.js's), but only what may pass is tried again: a network error, HTTP 429 or 5xx.
 * Another 4xx (an expired URL: 403) never passes. Each attempt and each wait ends before the Lambda function would be stopped.
 */
const RESPONSE_RETRY = { attempts: 6, firstDelayMs: 1000, attemptTimeoutMs: 10000 };

/** Work that stopped because the deadline came: its message says what was left undone and what to do. */
class DeadlineReached extends Error {}

/** A network error in a form that names no URL: its code (ECONNREFUSED, UND_ERR_SOCKET), or its message. */
function networkError(error) {
  const cause = error && error.cause;
  return (cause && (cause.code || cause.name)) || (error && error.name === 'TimeoutError' ? 'timed out' : 'network error');
}

/**
 * Sends the answer to CloudFormation, trying again on network errors, 429 and 5xx with backoff until
 * options.until. Logs the attempts that failed, never the URL.
 * @param options.until the time (ms since the epoch) past which no attempt or wait may go
 * @param options.firstDelayMs the first wait's bound; it doubles each time (retry.js's backoff)
 */
async function respond(event, status, reason, physicalResourceId, data, options = {}) {
  // an option left undefined (a handler's responseRetryDelayMs that no test set) keeps the default
  const { attempts, firstDelayMs, attemptTimeoutMs } = Object.fromEntries(Object.entries(RESPONSE_RETRY)
    .map(([key, value]) => [key, options[key] === undefined ? value : options[key]]));
  const until = options.until === undefined ? Infinity : options.until;
  const body = JSON.stringify({
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data || {},
  });
  const put = async () => {
    let response;
    try {
      response = await fetch(event.ResponseURL, {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
        body,
        // an attempt gets a second at least, also when the function's time is all but gone
        signal: AbortSignal.timeout(Math.max(Math.min(attemptTimeoutMs, until - Date.now()), 1000)),
      });
    } catch (error) {
      throw Object.assign(new Error(networkError(error)), { failure: networkError(error) });
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    if (response.status !== 429 && response.status < 500) {
      throw new Error(`CloudFormation refused the ${status} answer: HTTP ${response.status}`);
    }
    throw Object.assign(new Error(`HTTP ${response.status}`), { failure: `HTTP ${response.status}` });
  };
  await withRetries(put, {
    attempts, firstDelayMs, until,
    retryable: (error) => error.failure !== undefined,
    onRetry: (error, attempt) => log({ answer: status, notDelivered: error.failure, nextAttempt: attempt + 1 }),
    exhausted: (error, attempt) => new Error(`The ${status} answer did not reach CloudFormation in ${attempt} attempts: `
      + `${error.failure}`),
  });
}

/** The time by which work must end so that CloudFormation still gets its answer. */
function deadlineOf(context, reserveMs) {
  return Math.max(endOf(context) - reserveMs, Date.now());
}

/** When the Lambda function will be stopped. */
function endOf(context) {
  const remaining = context && typeof context.getRemainingTimeInMillis === 'function'
    ? context.getRemainingTimeInMillis() : 15 * 60 * 1000;
  return Date.now() + remaining;
}

/**
 * A reason as CloudFormation shows it: one status line. A message that spans lines (a service's error body, its
 * trailing newline included) is joined into one, and long ones are cut.
 */
function oneLine(message) {
  return String(message).replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/**
 * Runs work(event, { deadline, context, signal, wrote, refused }) for a custom resource event and answers CloudFormation:
 * SUCCESS with the data work returns, or FAILED with the error's message. Work should end by the deadline (the
 * Lambda function's remaining time less options.reserveMs) with a message of its own; should it hang in a call,
 * FAILED is answered anyway half way through the reserve, and signal is aborted so that work writes nothing after.
 * Work that hands the event to another party returns continued(result): that party answers, and the invocation
 * returns result.
 *
 * The physical id: options.physicalId(event) on a Create or Update that succeeds (default: the one CloudFormation
 * holds, else "<logical id>-<properties' Owner>"); the one CloudFormation holds otherwise. With
 * options.marksFailedCreate, a Create that fails before it wrote anything is answered with CREATE_FAILED, and a
 * Delete of CREATE_FAILED removes nothing: work calls wrote() before each write and refused() after each write that
 * the service refused (one that changed nothing).
 * @param options.responseRetryDelayMs the first wait before the answer is sent again (tests shorten it)
 * @param options.otherwise(event, context) the handler of an event that is not CloudFormation's (no RequestType), for
 *   a function that is also invoked otherwise (a schedule, a state machine); without it such an event fails
 */
function customResource(work, options = {}) {
  const reserveMs = options.reserveMs === undefined ? DEFAULT_RESERVE_MS : options.reserveMs;
  const physicalIdOf = options.physicalId
    || ((event) => event.PhysicalResourceId
      || `${event.LogicalResourceId}-${(event.ResourceProperties && event.ResourceProperties.Owner) || 'resource'}`);
  return async (event, context) => {
    if (!event || !event.RequestType) {
      if (options.otherwise) return options.otherwise(event, context);
      throw new Error('The handler was invoked with an event that is not a custom resource\'s: '
        + `${JSON.stringify(Object.keys(event || {}))}`);
    }
    log({ request: event.RequestType, resource: event.LogicalResourceId });
    // a second away from the end, so that the last attempt ends before the function is stopped
    const delivery = { until: endOf(context) - 1000, firstDelayMs: options.responseRetryDelayMs };
    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED) {
      log({ nothingToDelete: 'the Create of this resource failed before it wrote anything' });
      await respond(event, 'SUCCESS', 'OK', CREATE_FAILED, {}, delivery);
      return;
    }
    const deadline = deadlineOf(context, reserveMs);
    const stop = new AbortController();
    // the writes that may have been done
    let writes = 0;
    let timer;
    const outOfTime = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineReached(`${event.ResourceType} did not finish before its Lambda `
        + 'function ran out of time, so nothing more was done. Deploy again; if it stops again, the function\'s '
        + 'log (log group HandlerLogs of the construct) says where it waited')), Math.max(deadline + reserveMs / 2 - Date.now(), 0));
    });
    let answer;
    let data;
    try {
      data = await Promise.race([work(event, { deadline, context, signal: stop.signal,
        wrote: () => { writes++; }, refused: () => { writes--; } }), outOfTime]);
      answer = data && data[CONTINUED] ? null
        : ['SUCCESS', 'OK', event.RequestType === 'Delete' ? event.PhysicalResourceId : physicalIdOf(event), data];
    } catch (error) {
      stop.abort();
      log({ failed: error.message });
      const failedCreate = event.RequestType === 'Create' && options.marksFailedCreate && writes === 0;
      let physicalResourceId = event.PhysicalResourceId;
      if (!physicalResourceId) {
        try {
          physicalResourceId = failedCreate ? CREATE_FAILED : physicalIdOf(event);
        } catch (unknown) {
          physicalResourceId = CREATE_FAILED;
        }
      }
      answer = ['FAILED', oneLine(error.message), physicalResourceId, {}];
    } finally {
      clearTimeout(timer);
    }
    if (!answer) return data[CONTINUED];
    try {
      await respond(event, ...answer, delivery);
    } catch (error) {
      // an invocation that fails may be tried again by Lambda
      // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html): the work, which is idempotent,
      // runs again and its answer gets another chance
      log({ notAnswered: error.message });
      throw error;
    }
  };
}

module.exports = {
  customResource, continued, respond, oneLine, deadlineOf, DeadlineReached, CREATE_FAILED, DEFAULT_RESERVE_MS,
};
