import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { assertBlobKey, BlobStorageError, measure, type BlobStorage } from './blob-storage';

const TEMPORARY = '.tmp';
/** A temporary file this old belongs to no upload still arriving (the server gives up on a request long before). */
const STALE_TEMPORARY_MS = 60 * 60 * 1000;

/**
 * Blobs as files under `directory`: `evidence/<org>/<id>` is `evidence/<org>/<first two of id>/<id>`,
 * so no directory grows past a few thousand entries. A put writes `.tmp/<random>.part`, flushes it to
 * disk and renames it into place: a reader sees the whole file or none, and a failed put removes its part.
 */
export function createFileBlobStorage({ directory }: { directory: string }): BlobStorage & { directory: string } {
  const root = path.resolve(directory);
  prepare(root);
  const temporary = path.join(root, TEMPORARY);
  const pathOf = (key: string) => {
    assertBlobKey(key);
    const segments = key.split('/');
    const name = segments.pop()!;
    return path.join(root, ...segments, name.slice(0, 2), name);
  };

  return {
    directory: root,
    describe: `files in ${root}`,
    put: async ({ key, body }) => {
      const target = pathOf(key);
      const part = path.join(temporary, `${randomUUID()}.part`);
      const measured = measure(body);
      let file;
      try {
        file = await open(part, 'wx').catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await mkdir(temporary, { recursive: true }); // removed since start (a clean-up of the directory)
          return open(part, 'wx');
        });
      } catch (error) {
        throw new BlobStorageError(`cannot write to ${temporary}`, { cause: error });
      }
      try {
        // Awaiting each write is the back-pressure: the next chunk is read only once this one is on its way to disk.
        for await (const chunk of measured.chunks) await step(`writing ${part}`, () => file!.write(chunk));
        await step(`flushing ${part}`, () => file!.datasync());
        await step(`closing ${part}`, () => file!.close());
        file = undefined;
        await step(`moving ${part} to ${target}`, async () => {
          await mkdir(path.dirname(target), { recursive: true });
          await rename(part, target);
        });
        return measured.result();
      } catch (error) {
        await file?.close().catch(() => undefined);
        await unlink(part).catch(() => undefined);
        throw error;
      }
    },
    get: async ({ key }) => {
      let file;
      try {
        file = await open(pathOf(key), 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new BlobStorageError(`cannot read blob ${key}`, { cause: error });
      }
      const { size } = await file.stat();
      return { body: file.createReadStream(), sizeBytes: size };
    },
    remove: async ({ key }) => {
      try {
        await unlink(pathOf(key));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new BlobStorageError(`cannot remove blob ${key}`, { cause: error });
      }
    },
  };
}

/** A file-system failure as storage failing, not as something wrong with the body being stored. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new BlobStorageError(`${what} failed`, { cause: error });
  }
}

/** Creates the directory (refusing the virtual file systems, where mkdir can loop for ever) and clears stale parts. */
function prepare(root: string): void {
  if (['/proc', '/sys'].some((fs) => root === fs || root.startsWith(`${fs}/`))) throw new BlobStorageError(`BLOB_DIR ${root} cannot be used: it is on a virtual file system`);
  const temporary = path.join(root, TEMPORARY);
  try {
    mkdirSync(temporary, { recursive: true });
  } catch (error) {
    throw new BlobStorageError(`BLOB_DIR ${root} cannot be used: creating ${temporary} failed (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  const now = Date.now();
  for (const name of readdirSync(temporary)) {
    const file = path.join(temporary, name);
    try {
      if (now - statSync(file).mtimeMs > STALE_TEMPORARY_MS) rmSync(file, { force: true });
    } catch {
      // removed by another process meanwhile
    }
  }
}
