// Webhook deliveries across a restart of the real server process (`src/server.ts` in a child):
// SIGTERM while attempts are in flight, as an orchestrator stops a container, and kill -9 in the
// middle of an attempt, as a crash would. A real receiver on loopback counts every `webhook-id`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN_TRIAGE } from '../../helpers/built-in-triage';
import { createTestDatabase } from '../../helpers/db';
import { until } from '../../helpers/wait';
import { startReceiver, type Receiver } from './receiver';

const root = path.resolve(import.meta.dirname, '../../..');
const SETUP_TOKEN = 'restart-setup-token-0123456789';
const POLL_MS = 100;
const TRIAGE = BUILT_IN_TRIAGE;

type Server = {
  child: ChildProcess;
  url: string;
  /** Date.now() when it said it was listening. */
  readyAt: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** `node --import tsx src/server.ts`: one process, so a signal reaches the server itself. */
function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', SETUP_TOKEN, WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_POLL_MS: String(POLL_MS), REPORT_WORKERS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match) resolve({ child, url: `http://127.0.0.1:${match[1]}`, readyAt: Date.now(), output: () => text, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before listening:\n${text}`)));
  });
}

async function call<T>(server: Server, method: string, route: string, { token, body, headers = {} }: { token?: string; body?: object; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Over HTTP, with deliveries off: setup, an endpoint for `receiver`, then a procurement opened and
 * `invitations` suppliers invited, so `invitations + 1` deliveries wait for the next start.
 */
async function buildWorld(server: Server, receiver: Receiver, invitations: number) {
  const { token } = await call<{ token: string }>(server, 'POST', '/v1/setup', {
    headers: { 'x-setup-token': SETUP_TOKEN },
    body: { organisationName: 'Restart Borough Council', adminEmail: 'admin@restart.example.gov.uk', adminName: 'Ada Admin' },
  });
  const endpoint = await call<{ id: string; secret: string }>(server, 'POST', '/v1/webhooks', { token, body: { url: receiver.url, events: ['procurement.opened', 'invitation.sent'], description: 'Contract system' } });
  receiver.useSecret(endpoint.secret);
  const questionnaireId = (await call<{ items: Array<{ id: string; version: string }> }>(server, 'GET', '/v1/questionnaires?builtIn=true', { token })).items.find((q) => q.version === '1.1.0')!.id;
  const deadline = new Date(Date.now() + 60 * 24 * 3_600_000).toISOString();
  const { id: procurementId } = await call<{ id: string }>(server, 'POST', '/v1/procurements', { token, body: { title: 'Chatbot', questionnaireId, deadline, triage: TRIAGE } });
  await call(server, 'POST', `/v1/procurements/${procurementId}/open`, { token });
  for (let i = 0; i < invitations; i += 1) {
    await call(server, 'POST', `/v1/procurements/${procurementId}/invitations`, { token, body: { supplierName: `Supplier ${i}`, contactEmail: `bids${i}@supplier.example` } });
  }
  return { token, endpointId: endpoint.id, expected: invitations + 1 };
}

type Delivery = { id: string; status: string; attempts: number; log: Array<{ outcome: string }> };

const deliveriesOf = async (server: Server, token: string, endpointId: string) =>
  (await call<{ items: Delivery[] }>(server, 'GET', `/v1/webhooks/${endpointId}/deliveries?limit=100`, { token })).items;

describe('webhook deliveries across a restart of the server process', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A database for the children to share in turn: a DATA_DIR, or a fresh PostgreSQL database. */
  async function environment(): Promise<Record<string, string>> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aidd-restart-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const testDb = await createTestDatabase({ migrate: false });
    cleanups.push(() => testDb.close());
    return testDb.url ? { DATABASE_URL: testDb.url, DATA_DIR: dataDir } : { DATA_DIR: dataDir };
  }

  async function start(env: Record<string, string>): Promise<Server> {
    const server = await startServer(env);
    cleanups.push(() => void server.child.kill('SIGKILL'));
    return server;
  }

  async function stop(server: Server) {
    server.child.kill('SIGTERM');
    return server.exited;
  }

  it('on SIGTERM finishes the attempts in flight and claims no more; after a restart every webhook-id arrives exactly once', async () => {
    const env = await environment();
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const setup = await start({ ...env, WEBHOOK_DELIVERY: 'false' });
    const world = await buildWorld(setup, receiver, 20);
    expect(await stop(setup)).toEqual({ code: 0, signal: null });

    // The receiver holds its answers to the first four requests: the worker's four slots for this
    // endpoint are full, so nothing more can be claimed until one is answered.
    receiver.answerNext('hold', 'hold', 'hold', 'hold');
    const first = await start(env);
    await until('requests at the receiver', () => receiver.received.length, (n) => n >= 4);
    const inFlight = receiver.received.length;
    expect(inFlight).toBe(4);
    // Stop the service now, as a deploy would, and let the receiver answer only once shutdown has begun
    // (the service no longer takes requests, so its worker has stopped claiming): the worker records
    // those attempts during the grace, and an answered attempt must not lead to a new claim.
    const signalledAt = Date.now();
    const exited = stop(first);
    await until('the service to stop taking requests', () => fetch(`${first.url}/healthz`).then(() => false, () => true));
    receiver.release();
    const exit = await exited;
    const stoppedIn = Date.now() - signalledAt;
    expect(exit, first.output()).toEqual({ code: 0, signal: null });
    expect(stoppedIn, 'stopped within the 10 s grace').toBeLessThan(10_000);
    // Each attempt in flight was answered, and nothing was claimed after the signal.
    expect.soft(receiver.received.length, 'requests after the signal').toBe(inFlight);
    expect.soft(receiver.received.filter((r) => !r.answered).length, 'attempts cut off unanswered').toBe(0);

    const second = await start(env);
    const deliveries = await until('deliveries', () => deliveriesOf(second, world.token, world.endpointId), (items) => items.length === world.expected && items.every((d) => d.status === 'succeeded'));
    const ids = receiver.received.map((r) => r.id);
    expect(ids.length - new Set(ids).size, `${ids.length} requests for ${new Set(ids).size} webhook-ids`).toBe(0);
    expect(new Set(ids).size).toBe(world.expected);
    expect(receiver.acknowledged()).toHaveLength(world.expected);
    expect(deliveries.every((d) => d.attempts === 1 && d.log.map((l) => l.outcome).join() === 'succeeded')).toBe(true);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
  }, 240_000);

  it('after kill -9 in the middle of an attempt, the next start sends it again once its short lease has run out', async () => {
    const env = await environment();
    const timeoutMs = 4000;
    const leaseMs = timeoutMs + 2000; // the attempt timeout plus a margin
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const setup = await start({ ...env, WEBHOOK_DELIVERY: 'false' });
    const world = await buildWorld(setup, receiver, 0);
    expect(await stop(setup)).toEqual({ code: 0, signal: null });

    receiver.answerNext('hang');
    const first = await start({ ...env, WEBHOOK_TIMEOUT_MS: String(timeoutMs) });
    await until('the first attempt', () => receiver.received.length, (n) => n >= 1);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = await start({ ...env, WEBHOOK_TIMEOUT_MS: String(timeoutMs) });
    await until('the second attempt', () => receiver.received.length, (n) => n >= 2);
    const [sent, resent] = receiver.received as [(typeof receiver.received)[0], (typeof receiver.received)[0]];
    const after = resent.at - killedAt;
    // The dead instance's lease ran out no later than leaseMs after it died (its last heartbeat);
    // the second one claims on its first pass after that, or after it started if that was later.
    const bound = Math.max(leaseMs, second.readyAt - killedAt) + POLL_MS + 3000;
    process.stdout.write(`kill -9: sent again ${after} ms after the kill (lease ${leaseMs} ms; second instance ready after ${second.readyAt - killedAt} ms; bound ${bound} ms)\n`);
    expect(resent.id).toBe(sent.id);
    expect(after, `sent again ${after} ms after the kill; bound ${bound} ms`).toBeLessThanOrEqual(bound);
    const [delivery] = await until('the delivery', () => deliveriesOf(second, world.token, world.endpointId), (items) => items[0]?.status === 'succeeded');
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(receiver.received).toHaveLength(2);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
  }, 240_000);
});
