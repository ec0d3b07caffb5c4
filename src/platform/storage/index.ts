export { createDatabaseBlobStorage, type BlobStorage } from './blob-storage';
export { blobs } from './storage.table';
