'use strict';
// Metrics in CloudWatch embedded metric format (EMF): one JSON line on standard output, from which CloudWatch Logs
// extracts the metrics of a Lambda function's log with no PutMetricData call and no permission
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Lambda.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
// Written with process.stdout.write, not console.log: the runtime's prefix (time, request id, level) would make
// the line something other than the JSON object the specification asks for.

/** The namespace of every metric the library's handlers publish. */
const NAMESPACE = 'PullThroughCache';

/**
 * The EMF document of one set of values.
 * @param dimensions { name: value }: every metric is published under all of them together
 * @param metrics { name: { value, unit } } with a CloudWatch unit such as Count or Bytes
 * @param timestamp milliseconds since the epoch
 */
function emfDocument(dimensions, metrics, timestamp = Date.now()) {
  const values = {};
  for (const [name, { value }] of Object.entries(metrics)) values[name] = value;
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: NAMESPACE,
        Dimensions: [Object.keys(dimensions)],
        Metrics: Object.entries(metrics).map(([name, { unit }]) => ({ Name: name, Unit: unit })),
      }],
    },
    ...dimensions,
    ...values,
  };
}

/** Writes the metrics as one EMF line; `write` is for tests (default: standard output). */
function publish(dimensions, metrics, write = (line) => process.stdout.write(line)) {
  write(`${JSON.stringify(emfDocument(dimensions, metrics))}\n`);
}

module.exports = { NAMESPACE, emfDocument, publish };
