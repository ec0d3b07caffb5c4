import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** What a put wrote: its size and SHA-256, both computed from the bytes as they passed. */
export type StoredBlob = { sizeBytes: number; sha256: string };

/** A stored blob, read back as a stream with its size (for Content-Length). */
export type BlobContent = { body: Readable; sizeBytes: number };

/** The bytes to store: a whole buffer, or chunks as they arrive (a request's file part). */
export type BlobBody = Uint8Array | AsyncIterable<Uint8Array>;

/**
 * Where file bytes live, outside any database transaction. A put streams its body and makes the blob
 * visible only once the last byte is stored; a body that throws (a limit, an aborted request) leaves
 * nothing behind, whatever was written of it.
 */
export type BlobStorage = {
  put: (input: { key: string; body: BlobBody }) => Promise<StoredBlob>;
  /** The blob, or undefined when there is none. */
  get: (input: { key: string }) => Promise<BlobContent | undefined>;
  /** Removes the blob; nothing happens when there is none. */
  remove: (input: { key: string }) => Promise<void>;
  /** Where blobs go, for the log at start (no secrets). */
  readonly describe: string;
};

/** Storage failed (a disk, a bucket), as opposed to the body it was given: the caller may retry later. */
export class BlobStorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStorageError';
  }
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Keys are made by the service (`evidence/<org>/<uuid>`); anything else, a `..` above all, is a bug. */
export function assertBlobKey(key: string): void {
  if (key.length > 512 || !KEY.test(key) || key.split('/').some((segment) => segment === '..' || segment === '.')) throw new Error(`invalid blob key: ${key}`);
}

/** The body's chunks, counted and hashed as they pass; `result()` once they have all passed. */
export function measure(body: BlobBody): { chunks: AsyncIterable<Uint8Array>; result: () => StoredBlob } {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  async function* chunks() {
    const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = body instanceof Uint8Array ? [body] : body;
    for await (const chunk of source) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      yield chunk;
    }
  }
  let digest: string | undefined;
  return { chunks: chunks(), result: () => ({ sizeBytes, sha256: (digest ??= hash.digest('hex')) }) };
}

/** A whole blob in memory, for callers that need one (a stored PDF); undefined when there is none. */
export async function readBlob(storage: BlobStorage, key: string): Promise<Buffer | undefined> {
  const content = await storage.get({ key });
  if (!content) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of content.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
