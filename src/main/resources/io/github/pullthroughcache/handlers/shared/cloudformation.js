'use strict';
// What every custom resource handler of this library does the same way: answer CloudFormation on the
// pre-signed response URL, always, also when the Lambda function's time runs short, and never log the event
// (the URL is a credential). CloudFormation waits up to an hour for an answer that never comes
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html), so the answer
// must not depend on the work finishing.

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Time kept back from the Lambda function's timeout to answer CloudFormation. */
const DEFAULT_RESERVE_MS = 15000;

/** What work returns when another invocation took the event over and will answer CloudFormation itself. */
const CONTINUED = Symbol('continued');

/** Work that stopped because the deadline came: its message says what was left undone and what to do. */
class DeadlineReached extends Error {}

async function respond(event, status, reason, physicalResourceId, data) {
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
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  if (!response.ok) throw new Error(`CloudFormation response was refused: HTTP ${response.status}`);
}

/** The time by which work must end so that CloudFormation still gets its answer. */
function deadlineOf(context, reserveMs) {
  const remaining = context && typeof context.getRemainingTimeInMillis === 'function'
    ? context.getRemainingTimeInMillis() : 15 * 60 * 1000;
  return Date.now() + Math.max(remaining - reserveMs, 0);
}

/**
 * Runs work(event, { deadline, context }) for a custom resource event and answers CloudFormation: SUCCESS with the
 * data work returns, or FAILED with the error's message. Work should end by the deadline (the Lambda function's
 * remaining time less options.reserveMs) with a message of its own; should it hang in a call, FAILED is answered
 * anyway half way through the reserve. The physical id is the one CloudFormation holds, else
 * "<logical id>-<properties' Owner>". Work that hands the event to another invocation returns CONTINUED, and that
 * invocation answers.
 */
function customResource(work, options = {}) {
  const reserveMs = options.reserveMs === undefined ? DEFAULT_RESERVE_MS : options.reserveMs;
  return async (event, context) => {
    console.log(`${event.RequestType} ${event.LogicalResourceId}`);
    const physicalResourceId = event.PhysicalResourceId
      || `${event.LogicalResourceId}-${(event.ResourceProperties && event.ResourceProperties.Owner) || 'resource'}`;
    const deadline = deadlineOf(context, reserveMs);
    let timer;
    const outOfTime = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new DeadlineReached(`${event.ResourceType} did not finish before its Lambda `
        + 'function ran out of time, so nothing more was done. Deploy again; if it stops again, the function\'s '
        + 'log (log group HandlerLogs of the construct) says where it waited')), Math.max(deadline + reserveMs / 2 - Date.now(), 0));
    });
    try {
      const data = await Promise.race([work(event, { deadline, context }), outOfTime]);
      if (data !== CONTINUED) await respond(event, 'SUCCESS', 'OK', physicalResourceId, data);
    } catch (error) {
      console.log(`failed: ${error.message}`);
      await respond(event, 'FAILED', String(error.message).slice(0, 1000), physicalResourceId);
    } finally {
      clearTimeout(timer);
    }
  };
}

module.exports = { customResource, respond, sleep, deadlineOf, DeadlineReached, CONTINUED, DEFAULT_RESERVE_MS };
