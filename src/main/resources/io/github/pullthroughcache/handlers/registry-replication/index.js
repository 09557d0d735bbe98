'use strict';
// Custom resource Custom::EcrReplicationRules: owns some rules of the account's one ECR replication
// configuration in a region, and leaves every other rule as it is. ECR rules have no name, so a rule is
// known by its content: destinations and filters, in any order.
//
// Two stacks (two deployments of one app, or two apps) may declare the same rule, which ECR holds once. Each owner
// claims the rules it declares in a ledger: one String parameter per owner in SSM Parameter Store, under
// CLAIMS_PATH in the same account and region as the configuration, named by the owner (ownerOf in
// registry-setting.js), holding the hashes of its rules. A rule an owner gives up leaves the configuration only when
// no other owner claims it. An owner claims before it writes the configuration and gives up before it removes, and
// the claims are read again with the configuration after every write, so a rule another owner claimed meanwhile is
// put back.
// Runs on the Lambda Node.js 22 runtime with the AWS SDK v3 that the runtime provides.

const crypto = require('node:crypto');
const { DescribeRegistryCommand, PutReplicationConfigurationCommand } = require('@aws-sdk/client-ecr');
const { SSMClient, GetParametersByPathCommand, PutParameterCommand, DeleteParameterCommand } = require('@aws-sdk/client-ssm');
const { applyOwnedPart, settingHandler, ownerOf, writing } = require('../shared/registry-setting');
const { log } = require('../shared/log');
const { awsClient } = require('../shared/aws-clients');
const { sameBy } = require('../shared/policy-document');

/**
 * Where the owners' claims are. GetParametersByPath is authorized on this path itself, PutParameter and
 * DeleteParameter on each parameter under it
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
 */
const CLAIMS_PATH = '/pull-through-cache/replication-rules';

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

/** What a claim holds for a rule: short, so that ten rules fit a standard parameter (4 KB) many times over. */
const hashOf = (rule) => crypto.createHash('sha256').update(key(rule)).digest('hex').slice(0, 16);

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
 * The ledger of claims. Every call is retried by the SDK's standard retry mode on throttling
 * (ThrottlingException: Parameter Store limits the transactions per second of an account and region,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-throughput.html).
 */
function claims(ssm) {
  const nameOf = (owner) => `${CLAIMS_PATH}/${owner.claimKey}`;
  return {
    /** The hashes of the rules that owners other than `owner` claim. */
    async claimedByOthers(owner) {
      const claimed = new Set();
      let NextToken;
      do {
        // a page may hold fewer parameters than MaxResults (at most 10), even none, and still a NextToken
        // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html)
        const page = await ssm.send(new GetParametersByPathCommand({ Path: CLAIMS_PATH, MaxResults: 10, NextToken }));
        for (const parameter of page.Parameters || []) {
          if (parameter.Name === nameOf(owner)) continue;
          let hashes;
          try {
            hashes = JSON.parse(parameter.Value).rules;
          } catch (error) {
            hashes = undefined;
          }
          if (!Array.isArray(hashes)) {
            throw new Error(`The claim ${parameter.Name} is not what this handler writes ({"rules": [...]}), so no rule `
              + 'was removed: another stack may rely on it. Delete that parameter if no stack wrote it, then deploy again');
          }
          for (const hash of hashes) claimed.add(String(hash));
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return claimed;
    },
    async claim(owner, rules, options) {
      await writing(options, () => ssm.send(new PutParameterCommand({ Name: nameOf(owner), Type: 'String', Overwrite: true,
        Value: JSON.stringify({ rules: rules.map(hashOf).sort() }),
        Description: 'The ECR replication rules a Pull-Through Cache CDK stack relies on: kept while any stack claims them' })));
    },
    async release(owner, options) {
      try {
        await writing(options, () => ssm.send(new DeleteParameterCommand({ Name: nameOf(owner) })));
      } catch (error) {
        if (error.name !== 'ParameterNotFound') throw error;
      }
    },
  };
}

/**
 * The rules to write: each owned rule that is desired, or that another owner claims, is there once (where it was, or
 * added after the others); each other owned rule is taken out; every rule not owned stays as it is. A rule that was
 * there before this stack declared it becomes this stack's.
 */
function merge(current, owned, desired, claimedByOthers) {
  const needed = new Map(desired.map((rule) => [key(rule), rule]));
  for (const rule of owned) {
    if (claimedByOthers.has(hashOf(rule)) && !needed.has(key(rule))) needed.set(key(rule), canonical(rule));
  }
  const ownedKeys = new Set(owned.map(key));
  const kept = current.filter((rule) => !ownedKeys.has(key(rule)) || needed.has(key(rule)));
  const present = new Set(kept.map(key));
  return [...kept, ...[...needed].filter(([text]) => !present.has(text)).map(([, rule]) => rule)];
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
  const ledger = claims(options.ssm);
  const owner = ownerOf(event, event.ResourceProperties);
  const desired = event.RequestType === 'Delete' ? [] : declared(event.ResourceProperties);
  const previous = event.RequestType === 'Update' ? declared(event.OldResourceProperties) : [];
  // on delete the rules to remove are the ones this resource declared
  const owned = event.RequestType === 'Delete' ? declared(event.ResourceProperties) : [...previous, ...desired];
  if (event.RequestType === 'Delete') {
    await ledger.release(owner, options);
  } else {
    await ledger.claim(owner, desired, options);
    // an update to another owner (the construct scheme to the stack scheme, or back) gives up the old owner's claim
    const before = event.RequestType === 'Update' && ownerOf(event, event.OldResourceProperties);
    if (before && before.claimKey !== owner.claimKey) await ledger.release(before, options);
  }
  await applyOwnedPart({
    name: 'replication configuration',
    read: async () => ({ rules: await readRules(ecr), claimed: await ledger.claimedByOthers(owner) }),
    merge: (current) => {
      const next = merge(current.rules, owned, desired, current.claimed);
      checkLimits(next, desired);
      return { rules: next, claimed: current.claimed };
    },
    same: (a, b) => sameRules(a.rules, b.rules) && sameBy(String)([...a.claimed], [...b.claimed]),
    write: (next) => ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: next.rules } })),
  }, options);
  log({ rulesOfThisStack: desired.length });
}

/**
 * The handler; a test may pass settings (see registry-setting.js's settingHandler), and ssm (the client of the
 * claims; default one of aws-clients.js).
 */
const createHandler = (settings = {}) => settingHandler(handle, { ...settings, ssm: awsClient(SSMClient, settings.ssm) });

exports.handler = createHandler();
exports.createHandler = createHandler;
exports.CLAIMS_PATH = CLAIMS_PATH;
exports.hashOf = hashOf;
