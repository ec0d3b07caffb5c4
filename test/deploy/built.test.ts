import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../helpers/db';
import { readPdf } from '../helpers/pdf';
import { smallDefinition } from '../modules/questionnaires/fixtures';
import { copiesOf, envOf, execForm, healthcheckOf, readDockerfile, root } from './dockerfile';

/**
 * The image without Docker: `npm run build` into a directory laid out as the Dockerfile's runtime
 * stage lays out /app (its COPY lines: package.json, dist/, migrations/, src/views/, the OCDS
 * extension, and node_modules as `npm prune --omit=dev` leaves it, here without tsx as well), then
 * the Dockerfile's CMD and HEALTHCHECK run there with its ENV, on a fresh DATA_DIR (and PostgreSQL
 * when the suite runs on it).
 */

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a command to its end; `guardMs` only turns a hang into a failure. */
function run(command: string, args: string[], { cwd, env, guardMs = 120_000 }: { cwd: string; env: Record<string, string>; guardMs?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} still running after ${guardMs} ms:\n${stdout}\n${stderr}`));
    }, guardMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** node_modules as `npm prune --omit=dev` leaves it (every package the lock file does not mark dev-only), less `without`. */
function productionNodeModules(target: string, { without }: { without: string[] }): void {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  for (const [key, entry] of Object.entries(lock.packages)) {
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1];
    if (!name || entry.dev || without.includes(name)) continue;
    const source = path.join(root, key);
    if (!existsSync(source)) continue; // an optional package for another platform
    mkdirSync(path.dirname(path.join(target, name)), { recursive: true });
    symlinkSync(source, path.join(target, name), 'dir');
  }
}

const stages = readDockerfile();
const runtime = stages.at(-1)!;
const cmd = execForm(runtime.instructions.find((i) => i.keyword === 'CMD')!.args)!;
const healthcheck = healthcheckOf(runtime)!;
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const nodeCommand = (command: string[]) => {
  expect(command[0]).toBe('node');
  return { command: process.execPath, args: command.slice(1) };
};
const inherited = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

describe('the compiled service, laid out and started as the image does it', () => {
  let scratch: string;
  let app: string;
  let testDb: TestDatabase | undefined;
  // Killed at the end whatever happened: a test that times out runs no `finally`.
  const servers: ChildProcess[] = [];
  let dataDirs = 0;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'aidd-image-'));
    app = path.join(scratch, 'app');
    mkdirSync(app);
    const built = await run('npm', ['run', 'build', '--', '--out-dir', path.join(app, 'dist'), '--metafile', path.join(scratch, 'meta.json')], { cwd: root, env: { ...inherited }, guardMs: 240_000 });
    expect(built.code, built.stderr).toBe(0);
    for (const { from, sources } of copiesOf(runtime)) {
      for (const source of sources) {
        if (from === 'build' && source === '/app/package.json') cpSync(path.join(root, 'package.json'), path.join(app, 'package.json'));
        else if (from === 'build' && source === '/app/node_modules/') productionNodeModules(path.join(app, 'node_modules'), { without: ['tsx'] });
        else if (from === 'build' && source === '/app/dist/') expect(existsSync(path.join(app, 'dist/server.mjs'))).toBe(true);
        else if (from === undefined) cpSync(path.join(root, source), path.join(app, source), { recursive: true });
        else throw new Error(`the test does not know how to lay out COPY --from=${from} ${source}`);
      }
    }
    const postgres = testPostgresUrl();
    if (postgres) testDb = await createTestDatabase({ migrate: false });
  }, 300_000);

  afterAll(async () => {
    for (const server of servers) server.kill('SIGKILL');
    await testDb?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The Dockerfile's ENV, with this machine's loopback, a free port and a fresh DATA_DIR instead of /data. */
  function environment(overrides: Record<string, string> = {}): Record<string, string> {
    dataDirs += 1;
    const dataDir = path.join(scratch, `data-${dataDirs}`);
    return {
      ...inherited,
      ...envOf(runtime),
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      REPORT_WORKERS: '1',
      ...(testDb?.url ? { DATABASE_URL: testDb.url } : {}),
      ...overrides,
    };
  }

  it('imports only production dependencies, and nothing imports tsx', () => {
    const meta = JSON.parse(readFileSync(path.join(scratch, 'meta.json'), 'utf8')) as { outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }> };
    expect(Object.keys(meta.outputs).filter((f) => f.endsWith('.mjs')).map((f) => path.basename(f)).sort()).toEqual(['cli.mjs', 'server.mjs', 'worker.mjs']);
    const packages = new Set<string>();
    for (const output of Object.values(meta.outputs)) {
      for (const imported of output.imports) {
        if (!imported.external || imported.path.startsWith('node:')) continue;
        packages.add(imported.path.split('/').slice(0, imported.path.startsWith('@') ? 2 : 1).join('/'));
      }
    }
    expect(packages.size).toBeGreaterThan(10);
    expect([...packages].filter((name) => !(name in manifest.dependencies))).toEqual([]);
    expect(packages.has('tsx')).toBe(false);
    for (const file of ['server.mjs', 'cli.mjs', 'worker.mjs']) {
      const text = readFileSync(path.join(app, 'dist', file), 'utf8');
      expect({ file, tsx: /(?:from|import|require)\s*\(?\s*["']tsx(?:\/[^"']*)?["']/.test(text) || text.includes('tsImport') }).toEqual({ file, tsx: false });
    }
    // The laid-out node_modules really lacks tsx, so a run-time import of it would fail the next tests.
    expect(existsSync(path.join(app, 'node_modules/tsx'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/fastify'))).toBe(true);
  });

  it('refuses to start in production without SECRETS_KEY: one line saying what is missing and how to make one, before touching DATA_DIR', async () => {
    const env = environment();
    const { command, args } = nodeCommand(cmd);
    const result = await run(command, args, { cwd: app, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ {2}- SECRETS_KEY: required in production .*SECRETS_KEY_FILE.*make one with: openssl rand -base64 32 \| tr \+\/ -_$/m);
    expect(result.stdout).not.toContain('listening');
    expect(existsSync(env.DATA_DIR!)).toBe(false);
  });

  it('migrates, answers /readyz and its healthcheck, renders a page and a PDF through the worker, and exits 0 promptly on SIGTERM', async () => {
    const keyFile = path.join(scratch, 'secrets_key');
    writeFileSync(keyFile, `${Buffer.alloc(32, 5).toString('base64url')}\n`);
    const env = environment({ SECRETS_KEY_FILE: keyFile }); // a compose secret: the key in a file, not in the environment
    const { command, args } = nodeCommand(cmd);
    const child = spawn(command, args, { cwd: app, env });
    servers.push(child);
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`did not start within 240 s:\n${output}`)), 240_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (match) {
            clearTimeout(guard);
            resolve(Number(match[1]));
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((code) => {
          clearTimeout(guard);
          reject(new Error(`exited with ${code}:\n${output}`));
        });
      });
      const base = `http://127.0.0.1:${port}`;

      // Ready, with every migration in migrations/ applied (found from dist/ through the project root).
      const migrationFiles = readdirSync(path.join(app, 'migrations')).filter((f) => f.endsWith('.sql')).length;
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', database: { kind: testDb ? 'postgres' : 'embedded', reachable: true, migrationsApplied: migrationFiles, migrationsExpected: migrationFiles } });
      const check = nodeCommand(healthcheck.command);
      expect((await run(check.command, check.args, { cwd: app, env: { ...env, PORT: String(port) } })).code).toBe(0);

      // A GOV.UK page from src/views, with GOV.UK Frontend's assets from node_modules, and the OCDS extension from openapi/.
      const page = await fetch(`${base}/respond/unknown-token`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toContain('<html lang="en-GB"');
      expect(html).toContain('Check that you copied the whole link from your invitation email');
      // Bodies read to the end: one left unread holds its connection open, and the shutdown below waits for it.
      const css = await fetch(`${base}/govuk/govuk-frontend.min.css`);
      expect({ status: css.status, bytes: (await css.arrayBuffer()).byteLength > 10_000 }).toEqual({ status: 200, bytes: true });
      const extension = await fetch(`${base}/ocds-extension/extension.json`);
      expect({ status: extension.status, name: ((await extension.json()) as { name: { en: string } }).name.en }).toEqual({ status: 200, name: expect.any(String) });

      // A supplier's receipt, drawn by dist/worker.mjs: set up with the printed token, then the shortest way to a submission.
      const setupToken = /Setup token \(valid until setup is done\): (\S+)/.exec(output)?.[1];
      expect(setupToken).toBeDefined();
      const call = async (method: string, url: string, token: string, body?: object, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
        const response = await fetch(`${base}${url}`, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
        const text = await response.text();
        expect(response.status, `${method} ${url}: ${text.slice(0, 500)}`).toBeLessThan(300);
        return JSON.parse(text) as Record<string, unknown> & { id: string };
      };
      const setup = await call('POST', '/v1/setup', '', { organisationName: 'Built Council', adminEmail: 'admin@built.example.gov.uk', adminName: 'Ada' }, { 'x-setup-token': setupToken! });
      const admin = setup.token as string;
      const questionnaire = await call('POST', '/v1/questionnaires', admin, smallDefinition());
      await call('POST', `/v1/questionnaires/${questionnaire.id}/publish`, admin);
      const deadline = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const procurement = await call('POST', '/v1/procurements', admin, { title: 'Chatbot', questionnaireId: questionnaire.id, deadline, triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
      await call('POST', `/v1/procurements/${procurement.id}/open`, admin);
      const invitation = await call('POST', `/v1/procurements/${procurement.id}/invitations`, admin, { supplierName: 'Acme AI Ltd', contactEmail: 'bids@acme.example' });
      const supplier = invitation.token as string;
      await call('PUT', '/v1/supplier/response/import', supplier, { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 10 } } });
      await call('POST', '/v1/supplier/response/submit', supplier, { declaration: true });
      const receipt = await fetch(`${base}/v1/supplier/response/receipt.pdf`, { headers: { authorization: `Bearer ${supplier}` } });
      expect(receipt.status).toBe(200);
      expect(receipt.headers.get('content-type')).toBe('application/pdf');
      const pdf = await readPdf(new Uint8Array(await receipt.arrayBuffer()));
      expect(pdf.text).toContain(receipt.headers.get('x-submission-reference')!);
      expect(pdf.text).toContain('Acme AI Ltd');

      // SIGTERM (what `docker stop` sends, through init to node): code 0, which only a close that finished
      // before SHUTDOWN_GRACE_MS (10 s) gives (past it the process is ended with code 1). Idle, it takes well under a second.
      const signalled = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
      expect(code, output.slice(-3000)).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect((await run(check.command, check.args, { cwd: app, env: { ...env, PORT: String(port) } })).code).toBe(1);

      // The built CLI on the same data: the audit chain the API calls wrote is whole.
      const cli = await run(process.execPath, ['dist/cli.mjs', 'audit', 'verify'], { cwd: app, env });
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toMatch(new RegExp(`^ok +${(setup.organisation as { id: string }).id}: \\d+ events`, 'm'));
    } finally {
      child.kill('SIGKILL');
    }
  }, 420_000);
});
