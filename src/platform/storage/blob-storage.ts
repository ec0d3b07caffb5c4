import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { blobs } from './storage.table';

/**
 * Where file bytes live. Each call gets the caller's database handle so that, with the database
 * implementation, the bytes and the caller's metadata share one transaction.
 */
export type BlobStorage = {
  put: (input: { db: Db; key: string; bytes: Buffer; now: Date }) => Promise<void>;
  get: (input: { db: Db; key: string }) => Promise<Buffer | undefined>;
  remove: (input: { db: Db; key: string }) => Promise<void>;
};

export function createDatabaseBlobStorage(): BlobStorage {
  return {
    put: async ({ db, key, bytes, now }) => {
      await db.insert(blobs).values({ key, bytes, createdAt: now });
    },
    get: async ({ db, key }) => {
      const [row] = await db.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.key, key));
      return row?.bytes;
    },
    remove: async ({ db, key }) => {
      await db.delete(blobs).where(eq(blobs.key, key));
    },
  };
}
