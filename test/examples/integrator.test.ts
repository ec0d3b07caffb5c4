import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { submittedResponses } from '../modules/integrations/world';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const poller = path.join(root, 'examples/poll-scores.mjs');
const receiver = path.join(root, 'examples/webhook-receiver.mjs');

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the process's output once `done` says it is complete. */
function outputOf(child: ChildProcess, done: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; output so far:\n${text}`)), timeoutMs);
    const check = () => {
      if (done(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      check();
    });
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  });
}

describe('the README for integrators', () => {
  const ctx = useTestApp({ config: { WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_DELIVERY: 'true', WEBHOOK_POLL_MS: '50' } });
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
  });

  it('shows the example programs exactly as they are in examples/', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    for (const file of [poller, receiver]) expect(readme).toContain('```js\n' + (await readFile(file, 'utf8')).trimEnd() + '\n```');
  });

  it('polls the feed, receives and verifies webhooks, and fetches the OCDS package as the README says', async () => {
    ctx.clock.set(new Date()); // receivers check the signature's timestamp against their own clock
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const api = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const key = await fetch(`${api}/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(org.admin.token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Contract system', scopes: ['scores:read', 'webhooks:manage'] }),
    });
    expect(key.status).toBe(201);
    const { token } = (await key.json()) as { token: string };

    // The receiver, run as the README says, with the secret from registering it.
    const port = await freePort();
    const registered = await fetch(`${api}/v1/webhooks`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks/aidd`, events: ['response.submitted', 'evaluation.finalised'], description: 'Contract system' }),
    });
    expect(registered.status).toBe(201);
    const { secret } = (await registered.json()) as { secret: string };
    child = spawn(process.execPath, [receiver], { env: { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let everything = '';
    child.stdout!.on('data', (chunk: Buffer) => (everything += chunk.toString()));
    await outputOf(child, (text) => text.includes('listening'));
    const delivered = outputOf(child, (text) => text.split('\n').filter((l) => l.startsWith('verified')).length >= 4);

    const { procurementId } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    const lines = (await delivered).split('\n').filter((l) => l.startsWith('verified'));
    expect(lines.filter((l) => / response\.submitted http:\/\/localhost:\d+\/v1\/responses\/[0-9a-f-]{36}$/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => / evaluation\.finalised \S+\/v1\/responses\/[0-9a-f-]{36}\/evaluation$/.test(l))).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300)); // later polls send nothing more
    expect(everything.split('\n').filter((l) => l.startsWith('verified'))).toHaveLength(4);

    // The poller: every item, then where to resume; resuming finds nothing new.
    const first = await run(process.execPath, [poller], { env: { ...process.env, API: api, TOKEN: token } });
    expect(first.stdout).toMatch(/Alpha AI: submitted \d+(\.\d)? \S+/);
    expect(first.stdout).toMatch(/Beta Bots: submitted/);
    const resume = /resume from: (\S+)/.exec(first.stdout)![1]!;
    const again = await run(process.execPath, [poller], { env: { ...process.env, API: api, TOKEN: token, CURSOR: resume } });
    expect(again.stdout.trim()).toBe(`resume from: ${resume}`);

    const ocds = await fetch(`${api}/v1/procurements/${procurementId}/ocds`, { headers: bearer(token) });
    expect(ocds.status).toBe(200);
    const pkg = (await ocds.json()) as { version: string; releases: Array<{ ocid: string; tag: string[]; bids?: unknown }> };
    expect(pkg.version).toBe('1.1');
    expect(pkg.releases.at(-1)!.ocid).toBe(`ocds-aidd00-${procurementId}`);
    // The tender is still open: the release describes it, and says nothing of who has bid.
    expect(pkg.releases.at(-1)!.tag).toEqual(['tender']);
    expect(pkg.releases.every((release) => release.bids === undefined)).toBe(true);
  });
});
