'use strict';
// ECR's push API, added to the fake ECR (fake-ecr.js) as the service answers it, its unkind parts included:
// - InitiateLayerUpload names the part size ECR expects; UploadLayerPart takes parts whose first byte follows the last
//   one received (InvalidLayerPartException with lastValidByteReceived otherwise), of at most 10 MiB, each but the
//   last at least 5 MiB (LayerPartTooSmallException when a part follows a smaller one), 4,200 parts a layer at most
//   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html);
// - CompleteLayerUpload checks the digest of what was received (InvalidLayerException), refuses an upload without
//   parts (EmptyUploadException) and a layer the repository has (LayerAlreadyExistsException);
// - BatchCheckLayerAvailability takes 100 digests at most, and a repository that does not exist is an error;
// - PutImage checks the digest given against the manifest's (ImageDigestDoesNotMatchException), refuses a manifest
//   whose blobs (LayersNotFoundException) or an index whose manifests (ReferencedImagesNotFoundException) the
//   repository lacks, a push that changes nothing (ImageAlreadyExistsException), and a moved tag in a repository of
//   immutable tags (ImageTagAlreadyExistsException);
// - a push to a repository that does not exist creates it when a creation template applied for CREATE_ON_PUSH covers
//   its name (createOnPush prefixes), else RepositoryNotFoundException.
// Blobs are hashed as they arrive and never kept: a multi-GB layer costs the fake nothing.
// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_UploadLayerPart.html and the pages of each operation
const crypto = require('node:crypto');

const MiB = 1024 * 1024;
const MAX_PART = 10 * MiB;
const MAX_PARTS = 4200;
const sha256 = (buffer) => `sha256:${crypto.createHash('sha256').update(buffer).digest('hex')}`;

/**
 * @param fake the fake ECR (startFakeEcr)
 * @param options { createOnPush: prefixes whose templates apply for CREATE_ON_PUSH; partSize: what
 *   InitiateLayerUpload answers; immutable: prefixes whose repositories have immutable tags }
 * @returns the push state: repositories, counters and hooks
 */
function addPushApi(fake, options = {}) {
  const push = {
    repositories: new Map(), // name -> { layers: Map digest -> size, manifests: Map digest -> { body, type }, tags: Map }
    uploads: new Map(),
    partSize: options.partSize || 10 * MiB,
    createOnPush: options.createOnPush || [],
    immutable: options.immutable || [],
    counts: { initiated: 0, parts: 0, bytes: 0, completed: 0, putImage: 0, imagesPushed: 0 },
    // hooks a test sets: called before an operation is answered, with its input
    beforeComplete: null,
    mostPartBytes: 0,
  };
  const error = (reply, type, message, extra = {}) => reply(400, { __type: type, message, ...extra });
  const under = (name, prefixes) => prefixes.some((prefix) => name.startsWith(`${prefix}/`));
  const repositoryOf = (name, create) => {
    if (!push.repositories.has(name) && create && under(name, push.createOnPush)) {
      push.repositories.set(name, { layers: new Map(), manifests: new Map(), tags: new Map(),
        immutable: under(name, push.immutable), createdOnPush: true });
    }
    return push.repositories.get(name);
  };
  const notFound = (reply, name) => error(reply, 'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '111111111111'`);

  fake.state.operations = {
    InitiateLayerUpload(input, reply) {
      if (!repositoryOf(input.repositoryName, true)) return notFound(reply, input.repositoryName);
      const uploadId = crypto.randomUUID();
      push.uploads.set(uploadId, { repository: input.repositoryName, hash: crypto.createHash('sha256'), next: 0,
        lastPart: null, parts: 0 });
      push.counts.initiated++;
      return reply(200, { uploadId, partSize: push.partSize });
    },
    UploadLayerPart(input, reply) {
      const upload = push.uploads.get(input.uploadId);
      if (!upload || upload.repository !== input.repositoryName) {
        return error(reply, 'UploadNotFoundException', 'The upload could not be found, or the specified upload ID is not valid for this repository.');
      }
      const part = Buffer.from(input.layerPartBlob, 'base64');
      const invalid = (message) => error(reply, 'InvalidLayerPartException', message, {
        registryId: '111111111111', repositoryName: input.repositoryName, uploadId: input.uploadId,
        lastValidByteReceived: upload.next - 1 });
      if (part.length > MAX_PART) return invalid(`layer part of ${part.length} bytes is larger than ${MAX_PART}`);
      if (input.partFirstByte !== upload.next) return invalid('The first byte specified is not consecutive to the last byte of a previous layer part upload.');
      if (input.partLastByte - input.partFirstByte + 1 !== part.length) return invalid('The layer part size is not valid.');
      if (upload.parts >= MAX_PARTS) return invalid(`a layer has ${MAX_PARTS} parts at most`);
      if (upload.lastPart !== null && upload.lastPart < 5 * MiB) {
        return error(reply, 'LayerPartTooSmallException', 'Layer parts must be at least 5 MiB in size.');
      }
      upload.hash.update(part);
      upload.next += part.length;
      upload.lastPart = part.length;
      upload.parts++;
      push.counts.parts++;
      push.counts.bytes += part.length;
      push.mostPartBytes = Math.max(push.mostPartBytes, part.length);
      return reply(200, { registryId: '111111111111', repositoryName: input.repositoryName, uploadId: input.uploadId,
        lastByteReceived: upload.next - 1 });
    },
    CompleteLayerUpload(input, reply) {
      if (push.beforeComplete) push.beforeComplete(input);
      const upload = push.uploads.get(input.uploadId);
      const repository = repositoryOf(input.repositoryName, false);
      if (!repository) return notFound(reply, input.repositoryName);
      if (!upload) return error(reply, 'UploadNotFoundException', 'The upload could not be found.');
      const [digest] = input.layerDigests;
      if (repository.layers.has(digest)) {
        push.uploads.delete(input.uploadId);
        return error(reply, 'LayerAlreadyExistsException', 'The image layer already exists in the associated repository.');
      }
      if (upload.next === 0) return error(reply, 'EmptyUploadException', 'The specified layer upload does not contain any layer parts.');
      const received = `sha256:${upload.hash.digest('hex')}`;
      push.uploads.delete(input.uploadId);
      if (received !== digest) {
        return error(reply, 'InvalidLayerException', `The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not match the digest specified (${received}).`);
      }
      repository.layers.set(digest, upload.next);
      push.counts.completed++;
      return reply(200, { registryId: '111111111111', repositoryName: input.repositoryName, uploadId: input.uploadId, layerDigest: digest });
    },
    BatchCheckLayerAvailability(input, reply) {
      if (!input.layerDigests || input.layerDigests.length < 1 || input.layerDigests.length > 100) {
        return error(reply, 'InvalidParameterException', 'layerDigests must have 1 to 100 members');
      }
      const repository = repositoryOf(input.repositoryName, false);
      if (!repository) return notFound(reply, input.repositoryName);
      return reply(200, { failures: [], layers: input.layerDigests.map((layerDigest) => ({ layerDigest,
        layerAvailability: repository.layers.has(layerDigest) ? 'AVAILABLE' : 'UNAVAILABLE',
        ...(repository.layers.has(layerDigest) ? { layerSize: repository.layers.get(layerDigest) } : {}) })) });
    },
    PutImage(input, reply) {
      push.counts.putImage++;
      const repository = repositoryOf(input.repositoryName, true);
      if (!repository) return notFound(reply, input.repositoryName);
      const body = Buffer.from(input.imageManifest, 'utf8');
      const digest = sha256(body);
      if (input.imageDigest && input.imageDigest !== digest) {
        return error(reply, 'ImageDigestDoesNotMatchException', `The specified image digest does not match the digest that Amazon ECR calculated for the image (${digest}).`);
      }
      const document = JSON.parse(input.imageManifest);
      const type = input.imageManifestMediaType || document.mediaType;
      if (Array.isArray(document.manifests)) {
        if (document.manifests.some((entry) => !repository.manifests.has(entry.digest))) {
          return error(reply, 'ReferencedImagesNotFoundException', 'The manifest list is referencing an image that does not exist.');
        }
      } else if ([document.config, ...(document.layers || [])].some((blob) => !repository.layers.has(blob.digest))) {
        return error(reply, 'LayersNotFoundException', 'The specified layers could not be found, or the specified layer is not valid for this repository.');
      }
      const tag = input.imageTag;
      if (repository.manifests.has(digest) && (!tag || repository.tags.get(tag) === digest)) {
        return error(reply, 'ImageAlreadyExistsException', 'The specified image has already been pushed, and there were no changes to the manifest or image tag after the last push.');
      }
      if (tag && repository.tags.has(tag) && repository.immutable) {
        return error(reply, 'ImageTagAlreadyExistsException', `The image tag '${tag}' already exists in the '${input.repositoryName}' repository and cannot be overwritten because the repository is immutable.`);
      }
      repository.manifests.set(digest, { body, type });
      if (tag) repository.tags.set(tag, digest);
      push.counts.imagesPushed++;
      return reply(200, { image: { registryId: '111111111111', repositoryName: input.repositoryName,
        imageId: { imageDigest: digest, ...(tag ? { imageTag: tag } : {}) }, imageManifest: input.imageManifest,
        imageManifestMediaType: type } });
    },
  };
  return push;
}

module.exports = { addPushApi, MAX_PART };
