'use strict';
// Custom resource Custom::EcrReplicationRules: owns some rules of the account's one ECR replication
// configuration in a region, and leaves every other rule as it is. ECR rules have no name, so a rule is
// known by its content: destinations and filters, in any order.
// Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 that the runtime provides.

const { DescribeRegistryCommand, PutReplicationConfigurationCommand } = require('@aws-sdk/client-ecr');
const { applyOwnedPart, settingHandler } = require('../shared/registry-setting');
const { sameBy } = require('../shared/policy-document');

const MAX_RULES = 10;
const MAX_DESTINATIONS = 25;

const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A rule in one spelling: sorted destinations and filters, fixed keys, a missing filter list read as an empty one,
 * so equal rules compare equal however ECR returns them (DescribeRegistry may leave out empty lists and return
 * rules, destinations and filters in another order than PutReplicationConfiguration was given:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRegistry.html).
 */
function canonical(rule) {
  return {
    destinations: (rule.destinations || [])
      .map((d) => ({ region: d.region, registryId: d.registryId }))
      .sort((a, b) => byText(`${a.registryId}/${a.region}`, `${b.registryId}/${b.region}`)),
    repositoryFilters: (rule.repositoryFilters || [])
      .map((f) => ({ filter: f.filter, filterType: f.filterType }))
      .sort((a, b) => byText(`${a.filterType}:${a.filter}`, `${b.filterType}:${b.filter}`)),
  };
}

const key = (rule) => JSON.stringify(canonical(rule));

/** Whether two lists of rules hold the same rules, in any order. */
const sameRules = sameBy(key);

/** The rules a resource's properties declare: a JSON array in the Rules property. */
function declared(properties) {
  if (!properties || properties.Rules === undefined) return [];
  const rules = JSON.parse(properties.Rules);
  for (const rule of rules) {
    if (!Array.isArray(rule.destinations) || rule.destinations.length === 0) {
      throw new Error('every owned rule needs a destination: ' + JSON.stringify(rule));
    }
  }
  // a rule declared twice is one rule
  return [...new Map(rules.map((rule) => [key(rule), canonical(rule)])).values()];
}

/** The current rules as ECR returns them: the foreign ones are written back exactly so. */
async function readRules(ecr) {
  const registry = await ecr.send(new DescribeRegistryCommand({}));
  return (registry.replicationConfiguration && registry.replicationConfiguration.rules) || [];
}

/**
 * The rules with every rule equal to an owned one taken out, and the desired ones added once after the others:
 * a rule that was there before this stack declared it becomes this stack's.
 */
function merge(current, owned, desired) {
  const ownedKeys = new Set(owned.map(key));
  const foreign = current.filter((rule) => !ownedKeys.has(key(rule)));
  return [...foreign, ...desired];
}

function checkLimits(next, ours) {
  const destinations = new Set(next.flatMap((rule) => rule.destinations.map((d) => `${d.registryId}/${d.region}`)));
  const counts = `${next.length - ours.length} rules of others and ${ours.length} of this stack`;
  if (next.length > MAX_RULES) {
    throw new Error(`The replication configuration would have ${next.length} rules (${counts}), and ECR allows `
      + `${MAX_RULES} per account and region; nothing was written`);
  }
  if (destinations.size > MAX_DESTINATIONS) {
    throw new Error(`The replication configuration would have ${destinations.size} distinct destinations (${counts}), `
      + `and ECR allows ${MAX_DESTINATIONS}; nothing was written`);
  }
}

async function handle(event, ecr, options) {
  const desired = event.RequestType === 'Delete' ? [] : declared(event.ResourceProperties);
  const previous = event.RequestType === 'Update' ? declared(event.OldResourceProperties) : [];
  // on delete the rules to remove are the ones this resource declared
  const owned = event.RequestType === 'Delete' ? declared(event.ResourceProperties) : [...previous, ...desired];
  await applyOwnedPart({
    name: 'replication configuration',
    read: () => readRules(ecr),
    merge: (current) => {
      const next = merge(current, owned, desired);
      checkLimits(next, desired);
      return next;
    },
    same: sameRules,
    write: (next) => ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: next } })),
  }, options);
  console.log(`${desired.length} rules of this stack are in the replication configuration`);
}

/** The handler; a test may pass settings (see registry-setting.js's settingHandler). */
const createHandler = (settings) => settingHandler(handle, settings);

exports.handler = createHandler();
exports.createHandler = createHandler;
