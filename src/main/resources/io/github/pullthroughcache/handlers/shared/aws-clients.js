'use strict';
// The one way the handlers build their AWS SDK clients: the SDK's standard retry mode, which tries again on
// throttling (ThrottlingException, HTTP 429) and on server errors (HTTP 5xx) with jittered backoff, with more
// attempts than its default three (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html):
// ECR, Parameter Store and CloudFormation limit the calls per second of an account and region, and a deployment or a
// run makes many. Throttling is the SDK's to retry; what the handlers retry themselves goes through retry.js.

/** What every client is built with. */
const CLIENT_CONFIG = Object.freeze({ maxAttempts: 8, retryMode: 'standard' });

/**
 * A client of the SDK class Client, built with CLIENT_CONFIG, or the one a test gave.
 * @param given the client a test passed in its settings (used as it is), or undefined
 */
function awsClient(Client, given) {
  return given || new Client({ ...CLIENT_CONFIG });
}

module.exports = { awsClient, CLIENT_CONFIG };
