import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlobStorageConfig } from '../../config';
import type { Db } from '../db';
import type { BlobStorage } from './blob-storage';
import { createDatabaseBlobStorage, withLegacyFallback } from './database-blob-storage';
import { createFileBlobStorage } from './file-blob-storage';
import { createS3BlobStorage } from './s3-blob-storage';

/**
 * The configured storage, reading files stored in the database before as a fallback. Files go to
 * BLOB_DIR, else `<DATA_DIR>/blobs`; with DATA_DIR=memory (tests) to a temporary directory of this
 * instance, removed by `close()`, so tests exercise the same streaming path as a real server.
 */
export function createBlobStorage({ config, dataDir, db }: { config: BlobStorageConfig; dataDir: string; db: Db }): { storage: BlobStorage; close: () => void } {
  let close = () => undefined as void;
  let primary: BlobStorage;
  if (config.kind === 's3') {
    primary = createS3BlobStorage(config.s3);
  } else if (config.directory) {
    primary = createFileBlobStorage({ directory: config.directory });
  } else if (dataDir === 'memory') {
    const directory = mkdtempSync(path.join(tmpdir(), 'aidd-blobs-'));
    primary = createFileBlobStorage({ directory });
    close = () => rmSync(directory, { recursive: true, force: true });
  } else {
    primary = createFileBlobStorage({ directory: path.join(path.resolve(dataDir), 'blobs') });
  }
  return { storage: withLegacyFallback({ primary, legacy: createDatabaseBlobStorage({ db }) }), close };
}
