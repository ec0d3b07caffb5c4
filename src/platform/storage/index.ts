export { assertBlobKey, BlobStorageError, measure, readBlob, type BlobBody, type BlobContent, type BlobStorage, type StoredBlob } from './blob-storage';
export { createBlobStorage } from './create-blob-storage';
export { createDatabaseBlobStorage, withLegacyFallback } from './database-blob-storage';
export { createFileBlobStorage } from './file-blob-storage';
export { createS3BlobStorage, type S3BlobStorageInput } from './s3-blob-storage';
export { createUploadSlots, type UploadSlot, type UploadSlots } from './upload-slots';
export { blobs } from './storage.table';
