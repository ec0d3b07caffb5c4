import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataDirError } from './data-dir';

/** The file in DATA_DIR that says which process has the embedded database open. */
export const LOCK_FILE = 'embedded-database.lock';
/** The holder touches its lock this often, so another host (which cannot see its pid) can tell it is alive. */
const HEARTBEAT_MS = 10_000;
/** A lock no process on this host can vouch for (another host's, or unreadable) is stale once untouched this long. */
const UNVERIFIABLE_STALE_MS = 60_000;
/** A takeover in progress is abandoned (its process died mid-way) once this old. */
const TAKEOVER_STALE_MS = 10_000;

export type LockHolder = {
  pid: number;
  hostname: string;
  /** When the holding process started (ISO 8601, to the second). */
  startedAt: string;
  /** Who holds it, named to a refused opener: `server`, `cli`. */
  role?: string | undefined;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat), to tell a reused pid apart. */
  processStart?: string | undefined;
  /** Linux: which boot of the machine, so a lock from before a reboot is stale. */
  bootId?: string | undefined;
  /** Tells this holder's lock file apart from a later one on release. */
  token: string;
};

/** DATA_DIR is held by another live process: the message names it and says what to do. */
export class DataDirInUseError extends DataDirError {
  /** Undefined when the lock file could not be read. */
  readonly holder: LockHolder | undefined;
  constructor({ directory, holder }: { directory: string; holder: LockHolder | undefined }) {
    super({ directory, message: inUseMessage({ directory, holder }) });
    this.name = 'DataDirInUseError';
    this.holder = holder;
  }
}

function inUseMessage({ directory, holder }: { directory: string; holder: LockHolder | undefined }): string {
  if (!holder) return `The embedded database in ${directory} is in use by another process (its lock file ${path.join(directory, LOCK_FILE)} cannot be read). Stop it first, or set DATABASE_URL to use PostgreSQL.`;
  if (holder.pid === process.pid && holder.hostname === hostname()) return `The embedded database in ${directory} is already open in this process (pid ${holder.pid}): close it before opening it again.`;
  return `The embedded database in ${directory} is in use by process ${describeHolder(holder)}. Stop it first, or set DATABASE_URL to use PostgreSQL.`;
}

/** `1234 (server, started 2026-12-06T07:01:02Z)`, with the host when it is another one. */
function describeHolder(holder: LockHolder): string {
  const elsewhere = holder.hostname === hostname() ? '' : ` on host ${holder.hostname}`;
  return `${holder.pid} (${holder.role ? `${holder.role}, ` : ''}started ${holder.startedAt}${elsewhere})`;
}

export type DataDirLock = {
  /** Removes the lock file if it is still this process's; safe to call twice. */
  release(): void;
};

/** Directories this process holds: a second open in the same process is refused too. */
const heldHere = new Set<string>();

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Linux: field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and brackets). */
function processStartTicks(pid: number): string | undefined {
  const stat = readOptional(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function ownRecord(role: string | undefined): LockHolder {
  const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    pid: process.pid,
    hostname: hostname(),
    startedAt,
    role,
    processStart: processStartTicks(process.pid),
    bootId: readOptional('/proc/sys/kernel/random/boot_id'),
    token: randomBytes(12).toString('hex'),
  };
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0 || typeof value.hostname !== 'string' || typeof value.startedAt !== 'string') return undefined;
    return { token: '', ...value } as LockHolder;
  } catch {
    return undefined;
  }
}

/** Creates the lock file with its whole content in one step: a reader never sees it half written. */
function tryCreate(lockFile: string, record: LockHolder): boolean {
  const temporary = `${lockFile}.${record.pid}.${record.token}.tmp`;
  const fd = openSync(temporary, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, lockFile); // fails with EEXIST, atomically, when another process holds it
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, another user's
  }
}

/** Whether the process named in a lock file still holds it. Only a lock proved stale is ever taken over. */
function isStale({ holder, ageMs }: { holder: LockHolder | undefined; ageMs: number }): boolean {
  if (!holder || holder.hostname !== hostname()) return ageMs > UNVERIFIABLE_STALE_MS;
  const bootId = readOptional('/proc/sys/kernel/random/boot_id');
  if (holder.bootId && bootId && holder.bootId !== bootId) return true; // written before a reboot
  // Our own pid, yet not held here: left by an earlier run that had the same pid (a restarted container).
  if (holder.pid === process.pid) return true;
  if (!isAlive(holder.pid)) return true;
  const start = processStartTicks(holder.pid);
  return Boolean(holder.processStart && start && start !== holder.processStart); // the pid was reused
}

/** Removes a stale lock file, unless another process replaced it meanwhile; takeovers take turns. */
async function removeStale(lockFile: string, staleContent: string): Promise<void> {
  const takeover = `${lockFile}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statSync(takeover, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > TAKEOVER_STALE_MS) unlinkSync(takeover);
    else await sleep(50);
    return;
  }
  try {
    if (readOptional(lockFile) === staleContent) unlinkSync(lockFile);
  } finally {
    closeSync(fd);
    unlinkSync(takeover);
  }
}

/**
 * Takes the embedded database's directory for this process, before PGlite opens it: two PGlite
 * instances on one directory each keep their own view and lose each other's writes.
 * Throws a DataDirInUseError naming the holder when a live process has it.
 */
export async function acquireDataDirLock({ directory, role }: { directory: string; role?: string | undefined }): Promise<DataDirLock> {
  const key = realpathSync(directory);
  const record = ownRecord(role);
  if (heldHere.has(key)) throw new DataDirInUseError({ directory, holder: record });
  const lockFile = path.join(directory, LOCK_FILE);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    if (tryCreate(lockFile, record)) return held({ key, lockFile, record });
    const content = readOptional(lockFile);
    if (content === undefined) continue; // released meanwhile
    const holder = parseHolder(content);
    const ageMs = Date.now() - (statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (!isStale({ holder, ageMs })) throw new DataDirInUseError({ directory, holder });
    await removeStale(lockFile, content);
  }
  throw new DataDirError({ directory, message: `The embedded database in ${directory} could not be locked: ${lockFile} kept changing. Try again, or set DATABASE_URL to use PostgreSQL.` });
}

function held({ key, lockFile, record }: { key: string; lockFile: string; record: LockHolder }): DataDirLock {
  heldHere.add(key);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(lockFile, now, now);
    } catch {
      // gone (the directory was removed): nothing to keep fresh
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off('exit', release);
    heldHere.delete(key);
    const current = readOptional(lockFile);
    if (current !== undefined && parseHolder(current)?.token === record.token) {
      try {
        unlinkSync(lockFile);
      } catch {
        // already removed
      }
    }
  };
  // An exit without closing the database (process.exit after an error) still frees the directory.
  process.on('exit', release);
  return { release };
}
