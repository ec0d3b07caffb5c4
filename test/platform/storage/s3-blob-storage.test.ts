import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';
import { createS3BlobStorage, readBlob, type BlobStorage } from '../../../src/platform/storage';
import { signS3Request } from '../../../src/platform/storage/s3-signature';
import { bearer, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../../helpers/factories';
import { filesUnder, generatedUpload } from '../../helpers/uploads';
import { startS3Server } from '../../helpers/s3-server';
import { evidenceDefinition } from '../../modules/questionnaires/fixtures';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MB = 1024 * 1024;

// The worked examples of AWS's "Signature Calculations for the Authorization Header" (Signature Version 4, S3).
describe('S3 request signing', () => {
  const example = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', now: new Date('2013-05-24T00:00:00Z') };
  const signatureOf = (headers: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(headers.authorization!)?.[1];

  it.each([
    ['GET Object with a Range', 'GET', 'https://examplebucket.s3.amazonaws.com/test.txt', { range: 'bytes=0-9' }, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'],
    [
      'PUT Object with an encoded key and a storage class',
      'PUT',
      'https://examplebucket.s3.amazonaws.com/test%24file.text',
      { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
      '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    ],
    ['GET Bucket lifecycle (a query with no value)', 'GET', 'https://examplebucket.s3.amazonaws.com/?lifecycle', {}, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'],
    ['GET Bucket with query parameters', 'GET', 'https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J', {}, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'],
  ])('signs %s as AWS does', (_name, method, url, headers, payloadSha256, signature) => {
    expect(signatureOf(signS3Request({ ...example, method, url: new URL(url), headers, payloadSha256 }))).toBe(signature);
  });
});

describe('the blob storage setting', () => {
  it('is files by default, and S3 only with its bucket and keys, refused at start without them', () => {
    expect(loadConfig({}).blobStorage).toEqual({ kind: 'files', directory: undefined });
    expect(() => loadConfig({ BLOB_STORAGE: 's3', S3_BUCKET: 'evidence' })).toThrow(ConfigError);
    expect(() => loadConfig({ BLOB_STORAGE: 's3' })).toThrow(/S3_BUCKET: required when BLOB_STORAGE=s3[\s\S]*S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY/);
    expect(loadConfig({ BLOB_STORAGE: 's3', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' }).blobStorage).toEqual({
      kind: 's3',
      s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'b', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true },
    });
  });
});

describe('S3-compatible blob storage, against s3rver on loopback', () => {
  let server: Awaited<ReturnType<typeof startS3Server>>;
  let storage: BlobStorage;
  beforeAll(async () => {
    server = await startS3Server();
    storage = createS3BlobStorage({ endpoint: server.endpoint, bucket: server.bucket, region: 'us-east-1', accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, forcePathStyle: true });
  });
  afterAll(async () => server?.close());

  async function* chunks(bytes: Buffer, size = 64 * 1024) {
    for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
  }

  it.each([
    ['a small file, in one PutObject', 1000],
    ['an empty file', 0],
    ['a file of several parts, in a multipart upload', 12 * MB + 123],
  ])('stores %s and gives back the same bytes, then removes it', async (_name, size) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) bytes[i] = (i * 7919) % 251;
    const key = `evidence/org/${size}-file`;
    expect(await storage.put({ key, body: chunks(bytes) })).toEqual({ sizeBytes: size, sha256: sha256(bytes) });
    const content = await storage.get({ key });
    expect(content?.sizeBytes).toBe(size);
    content?.body.destroy(); // read below, whole
    expect((await readBlob(storage, key))?.equals(bytes)).toBe(true);
    await storage.remove({ key });
    expect(await storage.get({ key })).toBeUndefined();
  });

  it('makes nothing visible when the body fails part-way through a multipart upload', async () => {
    const key = 'evidence/org/failed-upload';
    async function* failing() {
      yield Buffer.alloc(6 * MB, 1); // one whole part is uploaded
      yield Buffer.alloc(MB, 2);
      throw new Error('the client went away');
    }
    await expect(storage.put({ key, body: failing() })).rejects.toThrow('the client went away');
    expect(await storage.get({ key })).toBeUndefined();
    // No object of that name in the bucket (s3rver keeps objects as files named after their key).
    expect(filesUnder(path.join(server.directory, server.bucket)).filter((f) => f.path.includes('failed-upload'))).toEqual([]);
  });

  it('treats a missing object as absent, and removing one as done', async () => {
    expect(await storage.get({ key: 'evidence/org/never-stored' })).toBeUndefined();
    await expect(storage.remove({ key: 'evidence/org/never-stored' })).resolves.toBeUndefined();
  });

  it('says the bucket refused, with S3’s code, when the keys are wrong', async () => {
    const wrong = createS3BlobStorage({ endpoint: server.endpoint, bucket: server.bucket, region: 'us-east-1', accessKeyId: 'NOT-A-KEY', secretAccessKey: 'x', forcePathStyle: true });
    await expect(wrong.put({ key: 'evidence/org/x', body: Buffer.from('x') })).rejects.toMatchObject({ name: 'BlobStorageError', message: expect.stringContaining('InvalidAccessKeyId') });
  });
});

describe('evidence uploads with BLOB_STORAGE=s3', () => {
  let server: Awaited<ReturnType<typeof startS3Server>>;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => server?.close());
  const ctx = useTestApp({
    config: () => ({ BLOB_STORAGE: 's3', S3_ENDPOINT: server.endpoint, S3_BUCKET: server.bucket, S3_ACCESS_KEY_ID: server.accessKeyId, S3_SECRET_ACCESS_KEY: server.secretAccessKey, S3_FORCE_PATH_STYLE: 'true' }),
  });

  it('uploads to the bucket, downloads the same bytes, and deletes the object with the file', async () => {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: evidenceDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const { token, responseId } = await seedInvitation(ctx, org, procurementId);
    const upload = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'policy.pdf', size: 7 * MB });
    const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(token), ...upload.headers }, payload: upload.body });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { evidence } = uploaded.json();
    expect(evidence).toMatchObject({ sizeBytes: 7 * MB, sha256: upload.sha256(), contentType: 'application/pdf' });
    const objects = () => filesUnder(path.join(server.directory, server.bucket)).filter((f) => f.path.includes(evidence.id) && f.path.endsWith('object'));
    expect(objects().map((f) => f.size)).toEqual([7 * MB]);

    const downloaded = await ctx.app.inject({ method: 'GET', url: `/v1/responses/${responseId}/evidence/${evidence.id}`, headers: bearer(org.admin.token) });
    expect(downloaded.statusCode).toBe(200);
    expect(sha256(downloaded.rawPayload)).toBe(upload.sha256());

    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/v1/supplier/response/evidence/${evidence.id}`, headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect(objects()).toEqual([]);
  });
});
