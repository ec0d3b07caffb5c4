// The DATA_DIR lock and checks as functions: who counts as a live holder (pid, its start time, the
// boot, the host), what is taken over, and a race of real processes for one lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireDataDirLock, DataDirInUseError, LOCK_FILE, type LockHolder } from '../../src/platform/db/data-dir-lock';
import { DataDirError, ensureDataDir } from '../../src/platform/db/data-dir';

const root = path.resolve(import.meta.dirname, '../..');
const onLinux = existsSync('/proc/self/stat');
const STARTED = '2026-12-06T07:01:02Z';

const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'aidd-lock-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** A process that stays alive until the test ends: a pid that is certainly running. */
function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  cleanups.push(() => void child.kill('SIGKILL'));
  return child;
}

/** The pid of a process that has exited: certainly not running (pids are not reused this soon). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

function startTicks(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

function writeLock(directory: string, holder: Partial<LockHolder> & { pid: number }): string {
  const content = JSON.stringify({ hostname: hostname(), startedAt: STARTED, role: 'server', token: 'theirs', ...holder });
  writeFileSync(path.join(directory, LOCK_FILE), content);
  return content;
}

const readLock = (directory: string) => JSON.parse(readFileSync(path.join(directory, LOCK_FILE), 'utf8')) as LockHolder;

async function refusal(directory: string): Promise<DataDirInUseError> {
  const error = await acquireDataDirLock({ directory, role: 'server' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataDirInUseError);
  return error as DataDirInUseError;
}

async function takesOver(directory: string): Promise<void> {
  const lock = await acquireDataDirLock({ directory, role: 'server' });
  cleanups.push(() => lock.release());
  expect(readLock(directory).pid).toBe(process.pid);
}

describe('the DATA_DIR lock', () => {
  it('records pid, host and start time, and removes its file on release', async () => {
    const directory = tempDir();
    const lock = await acquireDataDirLock({ directory, role: 'server' });
    const holder = readLock(directory);
    expect(holder).toMatchObject({ pid: process.pid, hostname: hostname(), role: 'server' });
    const started = new Date(holder.startedAt).getTime();
    expect(started).toBeLessThanOrEqual(Date.now());
    expect(started).toBeGreaterThan(Date.now() - process.uptime() * 1000 - 2_000);
    lock.release();
    lock.release();
    expect(existsSync(path.join(directory, LOCK_FILE))).toBe(false);
  });

  it('refuses a second open of the same directory in the same process', async () => {
    const directory = tempDir();
    const lock = await acquireDataDirLock({ directory, role: 'server' });
    cleanups.push(() => lock.release());
    expect((await refusal(directory)).message).toBe(`The embedded database in ${directory} is already open in this process (pid ${process.pid}): close it before opening it again.`);
  });

  it('refuses while a live process on this host holds it, naming the process, and leaves its lock alone', async () => {
    const directory = tempDir();
    const holder = liveProcess();
    const content = writeLock(directory, { pid: holder.pid!, ...(onLinux ? { processStart: startTicks(holder.pid!) } : {}) });
    const error = await refusal(directory);
    expect(error.message).toBe(`The embedded database in ${directory} is in use by process ${holder.pid} (server, started ${STARTED}). Stop it first, or set DATABASE_URL to use PostgreSQL.`);
    expect(error.holder?.pid).toBe(holder.pid);
    expect(readFileSync(path.join(directory, LOCK_FILE), 'utf8')).toBe(content);
  });

  it('takes over a lock whose process is no longer running', async () => {
    const directory = tempDir();
    writeLock(directory, { pid: await deadPid() });
    await takesOver(directory);
  });

  it.skipIf(!onLinux)('takes over a lock whose pid now belongs to another process (a reused pid: another start time)', async () => {
    const directory = tempDir();
    const other = liveProcess();
    writeLock(directory, { pid: other.pid!, processStart: String(Number(startTicks(other.pid!)) - 1) });
    await takesOver(directory);
  });

  it('takes over a lock naming this very pid that this process does not hold (an earlier run in a restarted container)', async () => {
    const directory = tempDir();
    writeLock(directory, { pid: process.pid });
    await takesOver(directory);
  });

  it.skipIf(!onLinux)('takes over a lock written before the machine restarted (another boot id)', async () => {
    const directory = tempDir();
    const other = liveProcess();
    writeLock(directory, { pid: other.pid!, bootId: '00000000-0000-0000-0000-000000000000' });
    await takesOver(directory);
  });

  it("refuses another host's lock while it is kept fresh, and takes it over once untouched for over a minute", async () => {
    const directory = tempDir();
    writeLock(directory, { pid: process.pid, hostname: 'elsewhere.example' });
    expect((await refusal(directory)).message).toBe(
      `The embedded database in ${directory} is in use by process ${process.pid} (server, started ${STARTED} on host elsewhere.example). Stop it first, or set DATABASE_URL to use PostgreSQL.`,
    );
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(path.join(directory, LOCK_FILE), twoMinutesAgo, twoMinutesAgo);
    await takesOver(directory);
  });

  it('refuses an unreadable lock file while it is fresh, and takes it over once over a minute old', async () => {
    const directory = tempDir();
    writeFileSync(path.join(directory, LOCK_FILE), 'not json');
    expect((await refusal(directory)).message).toContain(`is in use by another process (its lock file ${path.join(directory, LOCK_FILE)} cannot be read)`);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(path.join(directory, LOCK_FILE), twoMinutesAgo, twoMinutesAgo);
    await takesOver(directory);
  });

  it('keeps its lock file fresh while held, so another host does not take it over', async () => {
    const directory = tempDir();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const lock = await acquireDataDirLock({ directory, role: 'server' });
    cleanups.push(() => lock.release());
    const file = path.join(directory, LOCK_FILE);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    utimesSync(file, twoMinutesAgo, twoMinutesAgo);
    vi.advanceTimersByTime(10_000);
    expect(statSync(file).mtimeMs).toBeGreaterThan(Date.now() - 5_000);
  });

  describe('when several processes want it at the same moment, exactly one gets it', () => {
    async function race({ directory, contenders }: { directory: string; contenders: number }): Promise<string[]> {
      const signal = path.join(tempDir(), 'go');
      const results = await Promise.all(
        Array.from({ length: contenders }, async () => {
          const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['test/fixtures/hold-data-dir-lock.ts', directory, signal], { cwd: root, detached: true });
          cleanups.push(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          });
          let output = '';
          let ready: () => void = () => undefined;
          const isReady = new Promise<void>((resolve) => (ready = resolve));
          const result = new Promise<string>((resolve, reject) => {
            child.stdout.on('data', (chunk: Buffer) => {
              output += chunk.toString();
              if (output.includes('ready')) ready();
              const line = /^(acquired|refused) .*$/m.exec(output);
              if (line) resolve(line[0]);
            });
            child.on('exit', (code) => reject(new Error(`contender exited with ${code} before answering: ${output}`)));
          });
          return { isReady, result };
        }),
      );
      await Promise.all(results.map((r) => r.isReady));
      writeFileSync(signal, '');
      return Promise.all(results.map((r) => r.result));
    }

    function expectOneWinner(outcomes: string[], directory: string): void {
      const winners = outcomes.filter((o) => o.startsWith('acquired'));
      expect(winners, outcomes.join('\n')).toHaveLength(1);
      const winnerPid = Number(winners[0]!.split(' ')[1]);
      expect(readLock(directory).pid).toBe(winnerPid);
      for (const refused of outcomes.filter((o) => o.startsWith('refused'))) expect(refused).toContain(`is in use by process ${winnerPid} (race, started `);
    }

    it('on a fresh directory', async () => {
      const directory = tempDir();
      expectOneWinner(await race({ directory, contenders: 6 }), directory);
    }, 120_000);

    it('when the lock they all find is stale', async () => {
      const directory = tempDir();
      writeLock(directory, { pid: await deadPid() });
      expectOneWinner(await race({ directory, contenders: 6 }), directory);
    }, 120_000);
  });
});

describe('the DATA_DIR check', () => {
  const advice = 'Set DATA_DIR to a directory this user can write to, or DATABASE_URL to use PostgreSQL.';

  function failure(directory: string): string {
    try {
      ensureDataDir(directory);
    } catch (error) {
      expect(error).toBeInstanceOf(DataDirError);
      return (error as Error).message;
    }
    throw new Error(`ensureDataDir(${directory}) did not fail`);
  }

  it.each([
    ['/proc/aidd-test/data', 'it is under /proc, a virtual file system where directories cannot be created'],
    ['/proc', 'it is under /proc, a virtual file system where directories cannot be created'],
    ['/sys/aidd-test', 'it is under /sys, a virtual file system where directories cannot be created'],
  ])('refuses %s at once, saying why', (directory, reason) => {
    expect(failure(directory)).toBe(`DATA_DIR ${directory} cannot be used: ${reason}. ${advice}`);
  });

  it.skipIf(!onLinux)('refuses a path that reaches /proc through a symbolic link', () => {
    const base = tempDir();
    symlinkSync('/proc', path.join(base, 'link'));
    const directory = path.join(base, 'link', 'aidd', 'data');
    expect(failure(directory)).toBe(`DATA_DIR ${directory} cannot be used: ${path.join(base, 'link')} is in /proc, a virtual file system where directories cannot be created. ${advice}`);
  });

  it('refuses a path through a file, naming the file', () => {
    const base = tempDir();
    writeFileSync(path.join(base, 'a-file'), '');
    const directory = path.join(base, 'a-file', 'data');
    expect(failure(directory)).toBe(`DATA_DIR ${directory} cannot be used: ${path.join(base, 'a-file')} is a file, not a directory. ${advice}`);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a directory this user cannot write to (skipped as root, who can write anywhere)', () => {
    const base = tempDir();
    const locked = path.join(base, 'read-only');
    mkdirSync(locked, { mode: 0o555 });
    expect(failure(path.join(locked, 'data'))).toBe(`DATA_DIR ${path.join(locked, 'data')} cannot be used: ${locked} is not writable by this user. ${advice}`);
  });

  it('creates every missing level of a usable path', () => {
    const directory = path.join(tempDir(), 'a', 'b', 'data');
    ensureDataDir(directory);
    ensureDataDir(directory);
    expect(existsSync(directory)).toBe(true);
  });
});
