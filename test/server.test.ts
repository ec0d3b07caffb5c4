import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/db';

const root = path.resolve(import.meta.dirname, '..');

type Started = { child: ChildProcessWithoutNullStreams; port: number; output: () => string; exited: Promise<number | null> };

/**
 * `node --import tsx src/server.ts`, one process: the tsx CLI would relay SIGTERM to a child of its own
 * and SIGKILL it if the child did not acknowledge within 30 ms, twice (tsx 4), which a loaded machine
 * misses (exit 143 instead of a graceful 0; seen in CI in test/platform/data-dir.test.ts).
 */
const SERVER_ARGS = ['--import', 'tsx', 'src/server.ts'];

function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, SERVER_ARGS, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${text}`)), 45_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => text, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${text}`));
    });
  });
}

describe('the server process', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function environment(): Promise<Record<string, string>> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aidd-server-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const testDb: TestDatabase = await createTestDatabase({ migrate: false });
    cleanups.push(() => testDb.close());
    return testDb.url ? { DATABASE_URL: testDb.url, DATA_DIR: dataDir } : { DATA_DIR: dataDir };
  }

  it('refuses to start on a wrong setting and names it', async () => {
    const child = spawn(process.execPath, SERVER_ARGS, { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: 'eighty' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
  });

  it('starts, migrates, prints a setup token, and on SIGTERM finishes the request in flight before exiting 0', async () => {
    const server = await startServer(await environment());
    cleanups.push(() => void server.child.kill('SIGKILL'));
    const setupToken = /Setup token \(valid until setup is done\): (\S+)/.exec(server.output())?.[1];
    expect(setupToken).toBeDefined();
    expect(server.output()).toMatch(/Set up the service in your browser, with that token: http:\/\/\S+\/setup\n/);

    const ready = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(ready.status).toBe(200);

    // A request whose body is still arriving when the signal comes must still be answered.
    const body = JSON.stringify({ organisationName: 'Graceful Council', adminEmail: 'g@example.gov.uk', adminName: 'G' });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/v1/setup', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-setup-token': setupToken } },
        (response) => {
          let text = '';
          response.on('data', (c: Buffer) => (text += c.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      request.write(body.slice(0, 10));
      setTimeout(() => {
        server.child.kill('SIGTERM');
        setTimeout(() => request.end(body.slice(10)), 300);
      }, 200);
    });
    const result = await answered;
    expect(result.status).toBe(201);
    expect(JSON.parse(result.body).organisation.name).toBe('Graceful Council');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutting down');
  }, 60_000);
});
