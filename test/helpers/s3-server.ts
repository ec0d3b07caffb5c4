import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

type S3rverServer = { run: () => Promise<{ port: number }>; close: () => Promise<void> };
type S3rverClass = new (options: Record<string, unknown>) => S3rverServer;

/** s3rver's default account: it accepts these keys and no others. */
const ACCESS_KEY = 'S3RVER';

/**
 * A real S3-compatible server (s3rver, objects as files in a temporary directory) on a free
 * loopback port, with one bucket. It speaks the S3 REST API over HTTP; it checks the access key and
 * the request time, not V4 signatures, which the signature tests check against AWS's own examples.
 */
export async function startS3Server({ bucket = 'evidence' }: { bucket?: string } = {}) {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const directory = mkdtempSync(path.join(tmpdir(), 'aidd-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: ACCESS_KEY,
    secretAccessKey: ACCESS_KEY,
    /** Where s3rver keeps the bucket's objects (and unfinished multipart uploads) as files. */
    directory,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
