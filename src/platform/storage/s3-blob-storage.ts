import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { assertBlobKey, BlobStorageError, measure, type BlobStorage } from './blob-storage';
import { EMPTY_SHA256, sha256Hex, signS3Request, uriEncode } from './s3-signature';

export type S3BlobStorageInput = {
  /** e.g. https://s3.eu-west-2.amazonaws.com or http://127.0.0.1:9000; AWS's regional endpoint when absent. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `endpoint/bucket/key` rather than `bucket.endpoint/key`: most S3-compatible servers want this. */
  forcePathStyle: boolean;
  /** Bytes per multipart part (S3's minimum is 5 MiB); also the most one upload holds in memory. */
  partSizeBytes?: number;
  /** Each request to the bucket gives up after this long. */
  requestTimeoutMs?: number;
};

const MIN_PART = 5 * 1024 * 1024;

/**
 * Blobs as objects in an S3-compatible bucket, spoken to directly (SigV4 over fetch) rather than
 * through an SDK. A body that fits one part is one PutObject; a longer one a multipart upload, one
 * part in memory at a time. Either way the object appears only when complete: S3 makes a PutObject
 * or CompleteMultipartUpload visible atomically, and a failed put aborts its multipart upload.
 */
export function createS3BlobStorage(input: S3BlobStorageInput): BlobStorage {
  const partSize = Math.max(MIN_PART, input.partSizeBytes ?? MIN_PART);
  const timeoutMs = input.requestTimeoutMs ?? 120_000;
  const base = new URL(input.endpoint ?? `https://s3.${input.region}.amazonaws.com`);
  const objectUrl = (key: string, query = '') => {
    assertBlobKey(key);
    const path = `/${uriEncode(key, { keepSlash: true })}`;
    const url = input.forcePathStyle ? new URL(`${base.origin}${base.pathname.replace(/\/$/, '')}/${uriEncode(input.bucket)}${path}`) : new URL(`${base.protocol}//${input.bucket}.${base.host}${path}`);
    url.search = query;
    return url;
  };

  /** One signed request; a 404 is undefined when `missingOk`, any other failure a BlobStorageError naming S3's code. */
  async function send(method: string, url: URL, { body, headers = {}, missingOk = false }: { body?: Buffer; headers?: Record<string, string>; missingOk?: boolean } = {}): Promise<Response | undefined> {
    const signed = signS3Request({ method, url, headers, payloadSha256: body ? sha256Hex(body) : EMPTY_SHA256, accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, region: input.region, now: new Date() });
    delete signed.host; // fetch sets it, from the URL
    let response: Response;
    try {
      response = await fetch(url, { method, headers: signed, ...(body ? { body } : {}), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new BlobStorageError(`${method} ${url.pathname} to S3 failed`, { cause: error });
    }
    if (response.status === 404 && missingOk) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    throw new BlobStorageError(`${method} ${url.pathname} to S3 answered ${response.status} ${xmlValue(text, 'Code') ?? ''}`.trim());
  }

  async function upload(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const buffer = Buffer.allocUnsafe(partSize);
    let filled = 0;
    let uploadId: string | undefined;
    const parts: Array<{ number: number; etag: string }> = [];
    const sendPart = async (bytes: Buffer) => {
      if (!uploadId) {
        const started = await send('POST', objectUrl(key, 'uploads'));
        uploadId = xmlValue(await started!.text(), 'UploadId');
        if (!uploadId) throw new BlobStorageError('S3 started a multipart upload without an UploadId');
      }
      const number = parts.length + 1;
      const answered = await send('PUT', objectUrl(key, `partNumber=${number}&uploadId=${encodeURIComponent(uploadId)}`), { body: bytes });
      await answered!.body?.cancel();
      parts.push({ number, etag: answered!.headers.get('etag') ?? '' });
    };
    try {
      for await (const chunk of body) {
        let offset = 0;
        while (offset < chunk.length) {
          const take = Math.min(chunk.length - offset, partSize - filled);
          buffer.set(chunk.subarray(offset, offset + take), filled);
          filled += take;
          offset += take;
          if (filled === partSize) {
            await sendPart(buffer);
            filled = 0;
          }
        }
      }
      if (!uploadId) {
        const whole = buffer.subarray(0, filled);
        const put = await send('PUT', objectUrl(key), { body: whole });
        await put!.body?.cancel();
        return;
      }
      if (filled > 0) await sendPart(buffer.subarray(0, filled));
      const manifest = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
      const completed = await send('POST', objectUrl(key, `uploadId=${encodeURIComponent(uploadId)}`), { body: Buffer.from(manifest), headers: { 'content-type': 'application/xml' } });
      // S3 can answer 200 and still fail the completion, with an <Error> in the body.
      const answer = await completed!.text();
      if (answer.includes('<Error>')) throw new BlobStorageError(`S3 did not complete the upload of ${key}: ${xmlValue(answer, 'Code') ?? 'error'}`);
    } catch (error) {
      // Parts of an upload never completed are not an object; aborting frees them (a bucket
      // lifecycle rule for incomplete multipart uploads is the backstop when this fails too).
      if (uploadId) await send('DELETE', objectUrl(key, `uploadId=${encodeURIComponent(uploadId)}`)).catch(() => undefined);
      throw error;
    }
  }

  return {
    describe: `S3 bucket ${input.bucket} at ${base.origin}`,
    put: async ({ key, body }) => {
      const measured = measure(body);
      await upload(key, measured.chunks);
      return measured.result();
    },
    get: async ({ key }) => {
      const response = await send('GET', objectUrl(key), { missingOk: true });
      if (!response) return undefined;
      const sizeBytes = Number(response.headers.get('content-length'));
      const body = response.body ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) : Readable.from([]);
      return { body, sizeBytes };
    },
    remove: async ({ key }) => {
      const response = await send('DELETE', objectUrl(key), { missingOk: true });
      await response?.body?.cancel();
    },
  };
}

function xmlValue(xml: string, element: string): string | undefined {
  return new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml)?.[1];
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
