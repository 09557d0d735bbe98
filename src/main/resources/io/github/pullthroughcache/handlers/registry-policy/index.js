'use strict';
// Custom resource Custom::EcrRegistryPolicyStatements: owns some statements of the account's one ECR
// registry policy, identified by their Sids, and leaves every other statement as it is. A statement's Sid is the
// stack owner's (see ownerOf in registry-setting.js) followed by the statement's own name, so that two stacks of one
// app write two statements; properties of an earlier version (no OwnerScope) carry whole Sids.
// Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 that the runtime provides.

const {
  GetRegistryPolicyCommand,
  PutRegistryPolicyCommand,
  DeleteRegistryPolicyCommand,
  InvalidParameterException,
} = require('@aws-sdk/client-ecr');
const { applyOwnedPart, settingHandler, ownerOf } = require('../shared/registry-setting');
const { sameDocument, statementsOf, principalsOf } = require('../shared/policy-document');

// A statement's own name starts with an upper-case letter: so a Sid of the stack scheme ("Ptc", 10 lower-case hex
// digits, the name) is never a Sid of the construct scheme ("Ptc", 8 lower-case hex digits, a name that starts with
// an upper-case letter too), and the Delete that follows an upgrade cannot remove what the upgraded resource wrote.
// A Sid holds letters and digits only (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
const NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * The statements a resource's properties declare (a JSON array in the Statements property), each with the Sid it
 * has in the registry policy.
 */
function declared(event, properties) {
  if (!properties || properties.Statements === undefined) return [];
  const owner = ownerOf(event, properties);
  const statements = JSON.parse(properties.Statements);
  return statements.map((statement) => {
    if (typeof statement.Sid !== 'string' || statement.Sid === '') {
      throw new Error('every owned statement needs a Sid: ' + JSON.stringify(statement));
    }
    if (!owner.byStack) return statement;
    if (!NAME.test(statement.Sid)) {
      throw new Error(`the Sid of an owned statement is its name, an upper-case letter then letters and digits, `
        + `and is ${JSON.stringify(statement.Sid)}`);
    }
    return { ...statement, Sid: owner.stackOwner + statement.Sid };
  });
}

/** The current policy document, or null when the registry has none. Fails on text that is not a policy. */
async function readPolicy(ecr) {
  let text;
  try {
    text = (await ecr.send(new GetRegistryPolicyCommand({}))).policyText;
  } catch (error) {
    if (error.name === 'RegistryPolicyNotFoundException') return null;
    throw error;
  }
  let document;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error('The existing registry policy is not valid JSON, so it was left as it is: ' + error.message);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new Error('The existing registry policy is not a JSON object, so it was left as it is');
  }
  if (document.Statement !== undefined && !Array.isArray(document.Statement)
      && (document.Statement === null || typeof document.Statement !== 'object')) {
    throw new Error('The existing registry policy has a Statement that is neither an object nor a list, '
      + 'so it was left as it is');
  }
  return document;
}

/** The document with the owned Sids replaced by the desired statements; foreign statements untouched. */
function merge(current, ownedSids, desired) {
  const foreign = statementsOf(current).filter((statement) => !ownedSids.has(statement.Sid));
  const statements = [...foreign, ...desired];
  if (statements.length === 0) return null;
  return { ...(current || {}), Version: (current && current.Version) || '2012-10-17', Statement: statements };
}

/**
 * How ECR refuses a policy that names a principal IAM does not know (yet): InvalidParameterException, "Invalid
 * parameter at 'PolicyText' failed to satisfy constraint: 'Invalid registry policy provided'", which names no
 * principal (API reference: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutRegistryPolicy.html).
 * A role created seconds before in the same deployment is refused the same way until IAM has propagated it: IAM is
 * eventually consistent (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * The text cannot tell a principal that is not there yet from one that will never be, so the write is tried again
 * until the deadline, as Terraform's AWS provider does for the same error (IAM propagation timeout).
 */
function refusedForNow(error) {
  return error instanceof InvalidParameterException || error.name === 'ValidationException'
    ? /invalid registry policy|principal/i.test(String(error.message)) : false;
}

/** The failure when ECR still refuses the policy at the deadline: which principals, and what to do. */
function stillRefused(error, waitedMs, desired, current) {
  const known = new Set(principalsOf(statementsOf(current)));
  const all = principalsOf(desired);
  const fresh = all.filter((name) => !known.has(name));
  const named = fresh.length > 0 ? fresh : all;
  return new Error(`ECR refused the registry policy for ${Math.round(waitedMs / 1000)} s (${error.name}: `
    + `${error.message}). The statements of this stack name ${named.length === 1 ? 'this principal' : 'these principals'}`
    + `, which ECR did not accept: ${named.join(', ')}. A role or account created in this deployment can take `
    + 'minutes to be accepted (IAM is eventually consistent); one that does not exist never is. Check that '
    + 'each exists (a deleted role, a mistyped account id), then deploy again');
}

/** Writes the desired statements under the owned Sids, removing the other owned Sids. */
async function apply(ecr, ownedSids, desired, options) {
  let current = null;
  await applyOwnedPart({
    name: 'registry policy',
    read: async () => {
      current = await readPolicy(ecr);
      return current;
    },
    merge: (document) => merge(document, ownedSids, desired),
    same: sameDocument,
    write: async (next) => {
      if (next !== null) {
        await ecr.send(new PutRegistryPolicyCommand({ policyText: JSON.stringify(next) }));
        return;
      }
      try {
        await ecr.send(new DeleteRegistryPolicyCommand({}));
      } catch (error) {
        if (error.name !== 'RegistryPolicyNotFoundException') throw error;
      }
    },
    refusedForNow,
    stillRefused: (error, waitedMs) => stillRefused(error, waitedMs, desired, current),
  }, options);
}

async function handle(event, ecr, options) {
  const desired = event.RequestType === 'Delete' ? [] : declared(event, event.ResourceProperties);
  // the Sids of the old properties, each by its own scheme: an update from the construct scheme to the stack scheme
  // (and its rollback) removes the old Sids and writes the new ones in one write
  const previous = event.RequestType === 'Update' ? declared(event, event.OldResourceProperties) : [];
  // on delete the statements to remove are the ones this resource declared
  const owned = event.RequestType === 'Delete' ? declared(event, event.ResourceProperties) : [...previous, ...desired];
  await apply(ecr, new Set(owned.map((statement) => statement.Sid)), desired, options);
}

/** The handler; a test may pass settings (see registry-setting.js's settingHandler). */
const createHandler = (settings) => settingHandler(handle, settings);

exports.handler = createHandler();
exports.createHandler = createHandler;
exports.refusedForNow = refusedForNow;
