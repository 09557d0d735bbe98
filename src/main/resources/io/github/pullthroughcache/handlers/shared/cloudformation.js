'use strict';
// What every custom resource handler of this library does the same way: answer CloudFormation on the
// pre-signed response URL, and never log the event (the URL is a credential).

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * Runs work(event, context) for a custom resource event and answers CloudFormation: SUCCESS with the data work
 * returns, or FAILED with the error's message. The physical id is the one CloudFormation holds, else
 * "<logical id>-<properties' Owner>".
 */
function customResource(work) {
  return async (event, context) => {
    console.log(`${event.RequestType} ${event.LogicalResourceId}`);
    const physicalResourceId = event.PhysicalResourceId
      || `${event.LogicalResourceId}-${(event.ResourceProperties && event.ResourceProperties.Owner) || 'resource'}`;
    try {
      const data = await work(event, context);
      await respond(event, 'SUCCESS', 'OK', physicalResourceId, data);
    } catch (error) {
      console.log(`failed: ${error.message}`);
      await respond(event, 'FAILED', String(error.message).slice(0, 1000), physicalResourceId);
    }
  };
}

module.exports = { customResource, respond, sleep };
