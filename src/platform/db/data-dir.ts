import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** DATA_DIR cannot be used, or is in use: said in one line, printed without a stack by the server and the CLI. */
export class DataDirError extends Error {
  readonly directory: string;
  constructor({ directory, message }: { directory: string; message: string }) {
    super(message);
    this.name = 'DataDirError';
    this.directory = directory;
  }
}

/** DATA_DIR as the server and the CLI both use it: `memory`, or an absolute path (relative ones from the working directory). */
export function resolveDataDir(dataDir: string): string {
  return dataDir === 'memory' ? dataDir : path.resolve(dataDir);
}

const VIRTUAL_FILE_SYSTEMS = ['/proc', '/sys'];

function unusable(directory: string, reason: string): DataDirError {
  return new DataDirError({
    directory,
    message: `DATA_DIR ${directory} cannot be used: ${reason}. Set DATA_DIR to a directory this user can write to, or DATABASE_URL to use PostgreSQL.`,
  });
}

function isUnder(candidate: string, parent: string): boolean {
  return candidate === parent || candidate.startsWith(`${parent}/`);
}

/** The deepest existing ancestor of `directory` (itself if it exists), and the directories missing below it, top down. */
function nearestExisting(directory: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let current = directory;
  for (;;) {
    try {
      statSync(current);
      return { existing: current, missing };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a file stands where a parent directory should; keep walking up to name it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw unusable(directory, `${current} cannot be read (${code})`);
    }
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) return { existing: current, missing };
    current = parent;
  }
}

/**
 * Checks DATA_DIR and creates what is missing of it, one level at a time: `mkdirSync(..., { recursive: true })`
 * loops for ever where mkdir answers ENOENT under an existing parent (/proc), a plain mkdir cannot.
 * Throws a DataDirError naming the path and what is wrong.
 */
export function ensureDataDir(directory: string): void {
  for (const root of VIRTUAL_FILE_SYSTEMS) {
    if (isUnder(directory, root)) throw unusable(directory, `it is under ${root}, a virtual file system where directories cannot be created`);
  }
  const { existing, missing } = nearestExisting(directory);
  const real = realpathSync(existing);
  for (const root of VIRTUAL_FILE_SYSTEMS) {
    if (isUnder(real, root)) throw unusable(directory, `${existing} is in ${root}, a virtual file system where directories cannot be created`);
  }
  if (!statSync(existing).isDirectory()) throw unusable(directory, `${existing} is a file, not a directory`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw unusable(directory, `${existing} is not writable by this user`);
  }
  for (const missingDirectory of missing) {
    try {
      mkdirSync(missingDirectory);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(missingDirectory).isDirectory()) continue; // made by another process meanwhile
      throw unusable(directory, `creating ${missingDirectory} failed (${code})`);
    }
  }
}
