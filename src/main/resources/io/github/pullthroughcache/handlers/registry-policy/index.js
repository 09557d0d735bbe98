'use strict';
// Custom resource Custom::EcrRegistryPolicyStatements: owns some statements of the account's one ECR
// registry policy, identified by their Sids, and leaves every other statement as it is.
// Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 that the runtime provides.

const {
  ECRClient,
  GetRegistryPolicyCommand,
  PutRegistryPolicyCommand,
  DeleteRegistryPolicyCommand,
} = require('@aws-sdk/client-ecr');
const { customResource } = require('../shared/cloudformation');
const { applyOwnedPart } = require('../shared/registry-setting');

/** The statements a resource's properties declare: a JSON array in the Statements property. */
function declared(properties) {
  if (!properties || properties.Statements === undefined) return [];
  const statements = JSON.parse(properties.Statements);
  for (const statement of statements) {
    if (typeof statement.Sid !== 'string' || statement.Sid === '') {
      throw new Error('every owned statement needs a Sid: ' + JSON.stringify(statement));
    }
  }
  return statements;
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

function statementsOf(document) {
  if (!document || document.Statement === undefined) return [];
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

/** The document with the owned Sids replaced by the desired statements; foreign statements untouched. */
function merge(current, ownedSids, desired) {
  const foreign = statementsOf(current).filter((statement) => !ownedSids.has(statement.Sid));
  const statements = [...foreign, ...desired];
  if (statements.length === 0) return null;
  return { ...(current || {}), Version: (current && current.Version) || '2012-10-17', Statement: statements };
}

/** Whether the document holds exactly the desired statements under the owned Sids. */
function holds(document, ownedSids, desired) {
  const ours = statementsOf(document).filter((statement) => ownedSids.has(statement.Sid));
  return JSON.stringify(ours) === JSON.stringify(desired);
}

/** Writes the desired statements under the owned Sids, removing the other owned Sids. */
async function apply(ecr, ownedSids, desired) {
  await applyOwnedPart({
    name: 'registry policy',
    read: () => readPolicy(ecr),
    merge: (current) => merge(current, ownedSids, desired),
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
    holds: (after) => holds(after, ownedSids, desired),
  });
}

async function handle(event, ecr) {
  const desired = event.RequestType === 'Delete' ? [] : declared(event.ResourceProperties);
  const previous = event.RequestType === 'Update' ? declared(event.OldResourceProperties) : [];
  // on delete the statements to remove are the ones this resource declared
  const owned = event.RequestType === 'Delete' ? declared(event.ResourceProperties) : [...previous, ...desired];
  await apply(ecr, new Set(owned.map((statement) => statement.Sid)), desired);
}

exports.handler = customResource((event) => handle(event, new ECRClient({})));

exports.merge = merge;
