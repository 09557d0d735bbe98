'use strict';
// The credential validator: asks ECR to test each rule's stored credential against its upstream
// (ValidatePullThroughCacheRule: "retrieve the contents of the Secrets Manager secret, verify the syntax, and then
// validate that authentication to the upstream registry is successful",
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ValidatePullThroughCacheRule.html), and publishes
// CredentialValid (1 or 0) per rule in embedded metric format, which an alarm watches. An expired Docker Hub token
// or a revoked GitHub token otherwise shows only as first pulls that fail. Invoked by EventBridge Scheduler with
// { Prefixes }, and by CloudFormation (Custom::EcrCredentialCheck) so that the alarm has a value from the start;
// a credential that does not work never fails the deployment (a new secret holds a placeholder until the user puts
// the token in): the alarm says so.
const { ECRClient, ValidatePullThroughCacheRuleCommand } = require('@aws-sdk/client-ecr');
const { customResource } = require('../shared/cloudformation');
const { publish } = require('../shared/metrics');
const { log } = require('../shared/log');
const { awsClient } = require('../shared/aws-clients');

/** Validates one rule: { prefix, valid, failure }. A call that fails counts as a credential that does not work. */
async function validate(ecr, prefix) {
  try {
    const response = await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: prefix }));
    return { prefix, valid: response.isValid === true, failure: response.isValid === true ? undefined : response.failure || 'not valid' };
  } catch (error) {
    return { prefix, valid: false, failure: `${error.name}: ${error.message}` };
  }
}

/** Validates every rule and publishes a metric per rule; returns the results. */
async function validateAll(ecr, prefixes) {
  const results = [];
  for (const prefix of prefixes) {
    const result = await validate(ecr, prefix);
    results.push(result);
    publish({ Cache: process.env.METRICS_CACHE || 'unnamed', Rule: prefix },
      { CredentialValid: { value: result.valid ? 1 : 0, unit: 'Count' } });
    // the failure names the cause (as ECR words it), never the secret's value, which ECR does not return
    log(result.valid ? { valid: prefix } : { invalid: prefix, failure: result.failure });
  }
  return results;
}

/** @param settings what a test may choose: ecr (the client) */
function createHandler(settings = {}) {
  const ecr = awsClient(ECRClient, settings.ecr);
  return customResource(async (event) => {
    if (event.RequestType === 'Delete') return {};
    const results = await validateAll(ecr, event.ResourceProperties.Prefixes || []);
    return { Invalid: results.filter((result) => !result.valid).map((result) => result.prefix).join(',') };
  }, {
    // the schedule's { Prefixes }
    otherwise: async (input) => ({ results: await validateAll(ecr, (input && input.Prefixes) || []) }),
  });
}

exports.handler = createHandler();
exports.createHandler = createHandler;
