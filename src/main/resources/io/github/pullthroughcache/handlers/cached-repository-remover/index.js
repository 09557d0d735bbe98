'use strict';
// The cached repository remover (Custom::EcrCachedRepositories), as aws-cdk's Repository.emptyOnDelete empties a
// repository on delete: when its stack is deleted, it deletes (with their images) the repositories under the cache's
// prefixes that ECR created for the cache, and nothing else. ECR's Repository object does not say who created a
// repository (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html), so the cache's
// creation templates tag every repository they create (TagKey=TagValue, a value of this cache's own), and only a
// repository with that tag goes: not one that a user created under the prefix, nor one ECR created before the
// option was on.
// A Delete that is not the stack's own (the option turned off, the resource replaced) deletes nothing: the
// function asks CloudFormation for its stack's status and acts only on DELETE_IN_PROGRESS.
const { ECRClient, DescribeRepositoriesCommand, ListTagsForResourceCommand, DeleteRepositoryCommand } = require('@aws-sdk/client-ecr');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const { customResource, DeadlineReached } = require('../shared/cloudformation');
const { log } = require('../shared/log');
const { awsClient } = require('../shared/aws-clients');

async function stackIsBeingDeleted(cloudformation, stackId) {
  const response = await cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
  const stack = (response.Stacks || [])[0];
  return Boolean(stack && stack.StackStatus === 'DELETE_IN_PROGRESS');
}

/** The repositories under the prefixes that carry the tag. */
async function taggedRepositories(ecr, prefixes, tagKey, tagValue) {
  const found = [];
  let nextToken;
  do {
    const response = await ecr.send(new DescribeRepositoriesCommand({ nextToken }));
    for (const repository of response.repositories || []) {
      if (!prefixes.some((prefix) => repository.repositoryName.startsWith(`${prefix}/`))) continue;
      const { tags } = await ecr.send(new ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }));
      if ((tags || []).some((tag) => tag.Key === tagKey && tag.Value === tagValue)) found.push(repository.repositoryName);
    }
    nextToken = response.nextToken;
  } while (nextToken);
  return found;
}

async function removeAll(ecr, properties, deadline) {
  const prefixes = (properties.Prefixes || []).filter((prefix) => prefix && prefix !== 'ROOT');
  const names = await taggedRepositories(ecr, prefixes, properties.TagKey, properties.TagValue);
  const removed = [];
  for (const repositoryName of names) {
    if (Date.now() >= deadline) {
      throw new DeadlineReached(`${names.length - removed.length} cached repositories were left: delete the stack again `
        + 'to remove them');
    }
    try {
      await ecr.send(new DeleteRepositoryCommand({ repositoryName, force: true }));
      removed.push(repositoryName);
      log({ removed: repositoryName });
    } catch (error) {
      if (error.name !== 'RepositoryNotFoundException') throw error;
    }
  }
  return removed;
}

/** @param settings what a test may choose: ecr and cloudformation (the clients) */
function createHandler(settings = {}) {
  const ecr = awsClient(ECRClient, settings.ecr);
  const cloudformation = awsClient(CloudFormationClient, settings.cloudformation);
  return customResource(async (event, { deadline }) => {
    if (event.RequestType !== 'Delete') return {};
    if (!(await stackIsBeingDeleted(cloudformation, event.StackId))) {
      log({ kept: 'the stack is not being deleted: the cached repositories stay' });
      return {};
    }
    const removed = await removeAll(ecr, event.ResourceProperties, deadline);
    return { Removed: String(removed.length) };
  });
}

exports.handler = createHandler();
exports.createHandler = createHandler;
