'use strict';
// The one way the handlers log: one JSON object per line on standard output, whose first key says what happened
// ({"removed": "quay/app"}, {"retry": 1, "reason": "..."}). CloudWatch Logs Insights discovers the fields of a log
// event that is a JSON object
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html), so a
// failed image or a retry is found with a filter on its field. Written with process.stdout.write, as the metrics
// are (metrics.js), not console.log: the Node.js runtime's prefix (time, request id, level) would make the line
// something other than a JSON object.
//
// What is never logged: a secret, a token, a pre-signed URL. The handlers do not pass them, and the logger masks
// what would still slip through: the value of a field named like a credential, a URL's query (where a pre-signed
// URL carries its signature), the credential after Basic or Bearer.

/** Fields whose value is a credential, whatever it holds. */
const SECRET_FIELD = /^(authorization|password|passwd|secret|secretstring|token|accesstoken|access_token|sessiontoken|responseurl|signature)$/i;
const MASK = '[masked]';

/** A string with the query of every URL and every Basic or Bearer credential masked. */
function maskText(text) {
  return text
    .replace(/\b(https?:\/\/[^\s?#"']+)\?[^\s#"']*/gi, `$1?${MASK}`)
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${MASK}`);
}

/** The value as it may be logged: credentials masked, an error as its name and message. */
function masked(value, depth = 0) {
  if (typeof value === 'string') return maskText(value);
  if (value instanceof Error) return maskText(`${value.name}: ${value.message}`);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => masked(item, depth + 1));
  const result = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SECRET_FIELD.test(key) && item !== undefined ? MASK : masked(item, depth + 1);
  }
  return result;
}

/**
 * A logger that writes each record as one JSON line through `write` (default: standard output).
 * @returns log(record): record is an object whose first key says what happened
 */
function createLogger(write = (line) => process.stdout.write(line)) {
  return (record) => write(`${JSON.stringify(masked(record))}\n`);
}

/** The handlers' logger. */
const log = createLogger();

module.exports = { log, createLogger, masked, MASK };
