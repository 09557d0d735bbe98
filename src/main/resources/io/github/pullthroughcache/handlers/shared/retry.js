'use strict';
// The one way the handlers wait and try again, as aws-cdk's provider framework keeps one withRetries
// (@aws-cdk/custom-resource-handlers, lib/core/nodejs-entrypoint-handler/index.ts): the wait doubles from a first
// delay, up to a bound, and is jittered between half of it and all of it, so that handlers refused together do not
// come back together and no wait is near zero ("equal jitter",
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). A retry never waits past a deadline.
// The clock and the random source are options, so that tests never sleep for real.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real clock: what every handler uses unless a test gives another. */
const CLOCK = { now: () => Date.now(), sleep };

/**
 * The wait before try number attempt + 1.
 * @param options.firstDelayMs the bound of the first wait; it doubles with each attempt
 * @param options.maxDelayMs the bound no wait exceeds (default: none)
 * @param options.random a source of numbers in [0, 1) (default Math.random)
 */
function backoff(attempt, options) {
  const { firstDelayMs, maxDelayMs = Infinity, random = Math.random } = options;
  const bound = Math.min(firstDelayMs * 2 ** Math.min(attempt - 1, 30), maxDelayMs);
  return bound * (0.5 + random() / 2);
}

/**
 * Waits before try number attempt + 1, unless the wait would end at or after options.until.
 * @param options as backoff's, and until (ms since the epoch; default never), clock ({ now, sleep }; default the
 *   real one), onWait(delayMs) (called just before the wait, to log it)
 * @returns whether it waited: false means there is no time for another try
 */
async function waitToRetry(attempt, options) {
  return pause(backoff(attempt, options), options);
}

async function pause(delayMs, { until = Infinity, clock = CLOCK, onWait }) {
  if (clock.now() + delayMs >= until) return false;
  if (onWait) onWait(delayMs);
  await clock.sleep(delayMs);
  return true;
}

/**
 * Runs task(attempt) until it returns. A failure that options.retryable(error) accepts (default: every one) is tried
 * again after the backoff, while attempts remain and the wait ends before options.until; otherwise
 * options.exhausted(error, attempt) is thrown (default: the error itself). A failure retryable refuses is thrown as it
 * is.
 * @param options as waitToRetry's, and attempts (default: no limit), retryable, exhausted, delayOf(error, attempt) (a
 *   wait the failure names, such as a Retry-After, or undefined for the backoff), onRetry(error, attempt, delayMs)
 *   (just before each wait)
 */
async function withRetries(task, options) {
  const { attempts = Infinity, retryable = () => true, exhausted = (error) => error } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (!retryable(error)) throw error;
      const named = options.delayOf && options.delayOf(error, attempt);
      const delayMs = named === undefined ? backoff(attempt, options) : named;
      const waited = attempt < attempts && await pause(delayMs, { ...options,
        onWait: options.onRetry && ((delay) => options.onRetry(error, attempt, delay)) });
      if (!waited) throw exhausted(error, attempt);
    }
  }
}

module.exports = { backoff, waitToRetry, withRetries, sleep, CLOCK };
