'use strict';
// A loopback fake of the Amazon S3 object calls of the image runs (PutObject, GetObject), path-style
// (http://127.0.0.1:<port>/<bucket>/<key>), answering as S3 does: 200 with an ETag for a put, the object's bytes
// and Content-Type for a get, and the REST API's XML errors, NoSuchBucket for a bucket that does not exist and
// NoSuchKey (404) for a key never put (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
// The Step Functions driver reads and writes the same objects (ItemReader, ResultWriter) through putObject and
// getObject, as the service does with the state machine's role.
const http = require('node:http');
const crypto = require('node:crypto');

const xmlError = (code, message, resource) => '<?xml version="1.0" encoding="UTF-8"?>\n'
  + `<Error><Code>${code}</Code><Message>${message}</Message><Resource>${resource}</Resource>`
  + `<RequestId>${crypto.randomBytes(8).toString('hex').toUpperCase()}</RequestId></Error>`;

/**
 * @param buckets the names of the buckets that exist
 * @returns a promise of { state, url, putObject(bucket, key, body), getObject(bucket, key), client(S3Client), close }:
 *   state.buckets maps a bucket to its objects (key → { body: Buffer, contentType }), state.calls lists each request
 */
function startFakeS3(buckets) {
  const state = { buckets: new Map(buckets.map((name) => [name, new Map()])), calls: [] };
  const missing = (bucket, key) => {
    if (!state.buckets.has(bucket)) {
      return Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', status: 404 });
    }
    if (key !== undefined && !state.buckets.get(bucket).has(key)) {
      return Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', status: 404 });
    }
    return null;
  };
  const putObject = (bucket, key, body, contentType = 'application/octet-stream') => {
    const error = missing(bucket);
    if (error) throw error;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
    state.buckets.get(bucket).set(key, { body: bytes, contentType });
    return `"${crypto.createHash('md5').update(bytes).digest('hex')}"`;
  };
  const getObject = (bucket, key) => {
    const error = missing(bucket, key);
    if (error) throw error;
    return state.buckets.get(bucket).get(key);
  };
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url, 'http://127.0.0.1');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = rest.map(decodeURIComponent).join('/');
      state.calls.push({ method: request.method, bucket, key });
      try {
        if (request.method === 'PUT' && key) {
          const etag = putObject(bucket, key, Buffer.concat(chunks), request.headers['content-type']);
          response.writeHead(200, { etag });
          return response.end();
        }
        if (request.method === 'GET' && key) {
          const object = getObject(bucket, key);
          response.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length });
          return response.end(object.body);
        }
        const error = Object.assign(new Error('The specified method is not allowed against this resource.'),
          { name: 'MethodNotAllowed', status: 405 });
        throw error;
      } catch (error) {
        response.writeHead(error.status || 500, { 'content-type': 'application/xml' });
        return response.end(xmlError(error.name, error.message, url.pathname));
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        state, url, putObject, getObject,
        // path-style: a bucket named by its logical id is not a host name
        client: (S3Client) => new S3Client({ endpoint: url, forcePathStyle: true, region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' } }),
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

module.exports = { startFakeS3 };
