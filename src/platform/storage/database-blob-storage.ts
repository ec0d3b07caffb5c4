import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { measure, type BlobStorage } from './blob-storage';
import { blobs } from './storage.table';

/**
 * Bytes in the `blobs` table, where uploads went before they streamed to blob storage. Its put
 * holds the whole body in memory, so it is no longer offered as a setting: it reads what is there.
 */
export function createDatabaseBlobStorage({ db }: { db: Db }): BlobStorage {
  return {
    describe: 'the database (blobs table)',
    put: async ({ key, body }) => {
      const measured = measure(body);
      const chunks: Uint8Array[] = [];
      for await (const chunk of measured.chunks) chunks.push(chunk);
      await db.insert(blobs).values({ key, bytes: Buffer.concat(chunks), createdAt: new Date() });
      return measured.result();
    },
    get: async ({ key }) => {
      const [row] = await db.select({ bytes: blobs.bytes }).from(blobs).where(eq(blobs.key, key));
      return row ? { body: Readable.from([row.bytes]), sizeBytes: row.bytes.length } : undefined;
    },
    remove: async ({ key }) => {
      await db.delete(blobs).where(eq(blobs.key, key));
    },
  };
}

/**
 * `primary` for everything new; a blob it does not have is looked for in `legacy` (files stored in
 * the database before), and a removal removes from both. So old rows stay readable with no migration.
 */
export function withLegacyFallback({ primary, legacy }: { primary: BlobStorage; legacy: BlobStorage }): BlobStorage {
  return {
    describe: `${primary.describe}, reading older files from ${legacy.describe}`,
    put: (input) => primary.put(input),
    get: async (input) => (await primary.get(input)) ?? legacy.get(input),
    remove: async (input) => {
      await primary.remove(input);
      await legacy.remove(input);
    },
  };
}
