'use strict';
// Writes this stack's part of a registry-wide ECR setting (the registry policy, the replication
// configuration) and keeps every other part. ECR has no conditional write, so the setting is read again
// just before writing (another writer changed it: start over) and after writing (another writer
// overwrote ours: start over). What ECR reads back is compared by meaning (setting.same), never by text:
// ECR returns a setting reformatted, and a no-change deploy must not write.
//
// Throttling (ThrottlingException, HTTP 429) and server errors (HTTP 5xx) are retried by the AWS SDK's
// standard retry mode, with the attempts of aws-clients.js. What the SDK cannot know is a refusal that goes away by
// itself: setting.refusedForNow tells it, and such a write is tried again with retry.js's backoff until the deadline.

const crypto = require('node:crypto');
const { ECRClient } = require('@aws-sdk/client-ecr');
const { customResource, DeadlineReached } = require('./cloudformation');
const { waitToRetry } = require('./retry');
const { log } = require('./log');
const { awsClient } = require('./aws-clients');

/**
 * Who owns a resource's part of a registry-wide setting. Properties with OwnerScope "Stack" are owned by the deployed
 * stack and the construct: the stack owner is "Ptc" and the first 10 hex digits of sha256("<StackId>/<Owner>"), so two
 * stacks deployed from one app (same Owner, another StackId) never share a Sid, a physical id or a claim. Properties
 * without OwnerScope come from a template of an earlier version, owned by the construct's Owner alone: their
 * physical id stays "<logical id>-<Owner>", as that version made it, so a Delete of such a resource still finds it.
 */
function ownerOf(event, properties) {
  const owner = properties && properties.Owner;
  if (typeof owner !== 'string' || !/^[A-Za-z0-9]+$/.test(owner)) {
    throw new Error(`${event.ResourceType}: property Owner must be letters and digits, and is ${JSON.stringify(owner)}`);
  }
  const stackOwner = 'Ptc' + crypto.createHash('sha256').update(`${event.StackId}/${owner}`).digest('hex').slice(0, 10);
  const scope = properties.OwnerScope;
  if (scope !== undefined && scope !== 'Stack') {
    throw new Error(`${event.ResourceType}: property OwnerScope must be "Stack" or absent, and is ${JSON.stringify(scope)}`);
  }
  return scope === 'Stack'
    ? { byStack: true, owner, stackOwner, physicalId: `${event.LogicalResourceId}-${stackOwner}`, claimKey: stackOwner }
    : { byStack: false, owner, stackOwner, physicalId: `${event.LogicalResourceId}-${owner}`, claimKey: `${stackOwner}Construct` };
}

/**
 * Whether a Delete names a resource other than the one its properties make: a physical id these properties do not
 * produce is one that an Update replaced (the owner scheme or the Owner changed), and CloudFormation deletes the
 * replaced id after the update (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html).
 * What it owned, the Update already removed or handed to the resource that replaced it; such a Delete removes nothing.
 */
function replacedBy(event) {
  return event.RequestType === 'Delete' && event.PhysicalResourceId !== ownerOf(event, event.ResourceProperties).physicalId;
}

const DEFAULTS = { maxAttempts: 5, retryDelayMs: 1000, maxRetryDelayMs: 15000 };

/**
 * @param setting.name what the setting is called in messages, such as 'registry policy'
 * @param setting.read async () => the current setting (null when there is none)
 * @param setting.merge (current) => the setting to write: the current one with our part replaced
 * @param setting.same (a, b) => whether two settings say the same
 * @param setting.write async (next) => writes the merged setting; the setting is read again after it, and a write
 *   is done again when another writer replaced ours
 * @param setting.refusedForNow (error) => whether a refused write may succeed later (optional)
 * @param setting.stillRefused (error, waitedMs) => the error to fail with when the deadline comes first (optional)
 * @param options.deadline the time by which to give up (ms since the epoch)
 * @param options.maxAttempts how many times to start over when another writer interferes
 * @param options.retryDelayMs the first wait before trying again; it doubles up to options.maxRetryDelayMs
 * @param options.wrote, options.refused, options.signal see writing
 * @returns whether anything was written
 */
async function applyOwnedPart(setting, options) {
  const { deadline, maxAttempts, retryDelayMs, maxRetryDelayMs } = { ...DEFAULTS, ...options };
  const started = Date.now();
  const wait = (retry, why) => waitToRetry(retry, { firstDelayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs,
    until: deadline, onWait: () => log({ retry, reason: why }) });
  let conflicts = 0;
  let refusals = 0;
  let wrote = false;
  const startOver = async (why) => {
    if (++conflicts >= maxAttempts) {
      throw new Error(`The ${setting.name} kept changing under ${maxAttempts} attempts to merge it; deploy again`);
    }
    if (!(await wait(conflicts, why))) {
      throw new DeadlineReached(`The ${setting.name} kept changing until the handler's time ran short; deploy again`);
    }
  };
  let written = false;
  for (;;) {
    const before = await setting.read();
    const next = setting.merge(before);
    if (setting.same(next, before)) return wrote;
    if (written) {
      // what we wrote is not what ECR holds now
      written = false;
      await startOver(`another writer replaced the ${setting.name}`);
      continue;
    }
    const check = await setting.read();
    if (!setting.same(check, before)) {
      await startOver(`the ${setting.name} changed while merging`);
      continue;
    }
    try {
      await writing(options, () => setting.write(next));
      wrote = true;
      written = true;
    } catch (error) {
      if (!setting.refusedForNow || !setting.refusedForNow(error)) throw error;
      refusals++;
      if (await wait(refusals, `ECR refused the ${setting.name} for now: ${error.message}`)) continue;
      throw setting.stillRefused ? setting.stillRefused(error, Date.now() - started) : error;
    }
  }
}

/**
 * Every write of a handler goes through here: none once CloudFormation has its answer (options.signal aborted), and
 * each one counts as done (options.wrote) unless the service refused it with a 4xx answer, which changes nothing; a
 * write whose answer did not come (a network error, a timeout, a 5xx) may have been done.
 */
async function writing(options, write) {
  if (options.signal && options.signal.aborted) throw new Error('CloudFormation was answered already; nothing more is written');
  if (options.wrote) options.wrote();
  try {
    return await write();
  } catch (error) {
    const status = error && error.$metadata && error.$metadata.httpStatusCode;
    if (status >= 400 && status < 500 && options.refused) options.refused();
    throw error;
  }
}

/**
 * A custom resource handler that runs handle(event, ecr, options) with the deadline, signal and wrote of
 * customResource in options. Its physical id is the owner's (ownerOf); a Create that fails before writing is answered
 * with CREATE_FAILED, and a Delete of a replaced resource (replacedBy) removes nothing.
 * @param settings what a test may choose: ecr (the client; default one of aws-clients.js), reserveMs
 *   (time kept to answer CloudFormation), responseRetryDelayMs, maxAttempts, retryDelayMs, maxRetryDelayMs (see
 *   applyOwnedPart), and what handle reads itself
 */
function settingHandler(handle, settings = {}) {
  const ecr = awsClient(ECRClient, settings.ecr);
  return customResource(async (event, { deadline, signal, wrote, refused }) => {
    if (replacedBy(event)) {
      log({ nothingToDelete: `${event.PhysicalResourceId} was replaced by ${ownerOf(event, event.ResourceProperties).physicalId}` });
      return {};
    }
    return handle(event, ecr, { ...settings, deadline, signal, wrote, refused });
  }, { ...settings, marksFailedCreate: true, physicalId: (event) => ownerOf(event, event.ResourceProperties).physicalId });
}

module.exports = { applyOwnedPart, settingHandler, ownerOf, writing };
