import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { closeDueProcurements } from '../../src/modules/procurements';
import { seedBuiltInQuestionnaires } from '../../src/modules/questionnaires';
import { openDatabase, queryRows, type Database } from '../../src/platform/db';
import { bearer, createClock, problemOf, testConfig, type TestContext } from '../helpers/app';
import { createContractRecorder, logContract } from '../helpers/contract';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../helpers/db';
import { seedApiKey, seedInvitation, seedOpenProcurement, seedOrganisation, seedUser } from '../helpers/factories';
import { until } from '../helpers/wait';
import { startReceiver, type Receiver } from '../modules/integrations/receiver';
import { submittedResponses, triage } from '../modules/integrations/world';
import { smallDefinition } from '../modules/questionnaires/fixtures';

// Two app instances on one PostgreSQL database, each with its own pool, caches and rate-limit
// store, exactly like two processes behind a load balancer. The embedded database belongs to one
// process, so there is nothing to share there: the suite runs in the PostgreSQL pass.
const postgres = testPostgresUrl();
const SKIPPED = postgres ? '' : ' (skipped: needs PostgreSQL, DATABASE_URL; the embedded database belongs to one process)';

type LogLine = { level: number; msg: string };

type Pair = {
  a: FastifyInstance;
  b: FastifyInstance;
  /** Instance A as the factories expect it (they seed through A's pool and routes). */
  ctx: TestContext;
  /** B's own pool on the same database. */
  databaseB: Database;
  clock: ReturnType<typeof createClock>;
  /** What each instance logged at warn or above, and the listener's info lines. */
  logs: { a: LogLine[]; b: LogLine[] };
};

const START = new Date('2026-11-26T12:00:00.000Z');

/** One fresh database and two apps on it for a describe block, emptied and re-seeded before each test. */
function useTwoInstances(config: Record<string, string> | (() => Record<string, string>), { realTime = false }: { realTime?: boolean } = {}): Pair {
  const pair = { logs: { a: [], b: [] } } as unknown as Pair;
  const contract = createContractRecorder();
  let testDb: TestDatabase;
  const logger = (into: LogLine[]) => ({ level: 'info', stream: { write: (line: string) => void into.push(JSON.parse(line) as LogLine) } });
  beforeAll(async () => {
    testDb = await createTestDatabase();
    pair.databaseB = await openDatabase({ url: testDb.url, dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } });
    pair.clock = createClock(realTime ? new Date() : START);
    const settings = testConfig(typeof config === 'function' ? config() : config);
    const now = () => pair.clock.now();
    pair.a = await buildApp({ config: settings, database: testDb.database, now, logger: logger(pair.logs.a), observe: contract.observe });
    pair.b = await buildApp({ config: settings, database: pair.databaseB, now, logger: logger(pair.logs.b), observe: contract.observe });
    pair.ctx = { app: pair.a, database: testDb.database, clock: pair.clock, testDb };
  });
  beforeEach(async () => {
    await testDb.truncate();
    await seedBuiltInQuestionnaires({ db: testDb.database.db, now: new Date('2026-11-01T09:00:00.000Z') });
    pair.clock.set(realTime ? new Date() : START);
  });
  afterAll(async () => {
    const mismatches = contract.mismatches();
    logContract({ file: expect.getState().testPath, recorder: contract });
    await pair.a?.close();
    await pair.b?.close();
    await pair.databaseB?.close();
    await testDb?.close();
    if (mismatches.length > 0) throw new Error(`Answers that do not match /openapi.json:\n${mismatches.join('\n')}`);
  });
  return pair;
}

const call = (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

/**
 * Calls `probe` until `done` says so, as fast as the instance answers; the milliseconds that took.
 * Gives up after `limitMs` (far beyond what is asserted) so a failure reports a time, never hangs.
 */
async function timeUntil(probe: () => Promise<LightMyRequestResponse>, done: (response: LightMyRequestResponse) => boolean, limitMs = 10_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const response = await probe();
    const elapsed = performance.now() - started;
    if (done(response) || elapsed > limitMs) return elapsed;
  }
}


const countOf = async (db: Database, statement: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(db.db, statement))[0]!.n;

describe.skipIf(!postgres)(`two instances on one PostgreSQL database: writes${SKIPPED}`, () => {
  const pair = useTwoInstances({});

  it('If-Match across instances: every 2xx is a new version, a stale one is 412, and no update is lost', async () => {
    const org = await seedOrganisation(pair.ctx);
    const procurementId = await seedOpenProcurement(pair.ctx, org, { definition: smallDefinition(), triage });
    const { token, responseId } = await seedInvitation(pair.ctx, org, procurementId);
    const put = (app: FastifyInstance, value: number, etag: string) => call(app, 'PUT', '/v1/supplier/response/answers/b.hours', token, { value }, { 'if-match': etag });

    const winners: Array<{ value: number; etag: string }> = [];
    let stale = 0;
    for (let round = 0; round < 10; round += 1) {
      // Each round both instances write against the version one of them read: exactly one may win.
      const etag = (await call(round % 2 ? pair.b : pair.a, 'GET', '/v1/supplier/response', token)).headers.etag as string;
      const results = await Promise.all([put(pair.a, 100 + round, etag), put(pair.b, 200 + round, etag)]);
      expect(results.map((r) => r.statusCode).sort(), results.map((r) => r.body).join('\n')).toEqual([200, 412]);
      for (const [i, result] of results.entries()) {
        if (result.statusCode === 200) winners.push({ value: (i === 0 ? 100 : 200) + round, etag: result.headers.etag as string });
        else {
          expect(problemOf(result).code).toBe('responses.stale');
          stale += 1;
        }
      }
    }
    expect(stale).toBe(10);
    // Every success is its own version, one after the other.
    const versions = winners.map((w) => Number(w.etag.replaceAll('"', '')));
    expect(new Set(versions).size).toBe(10);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    // The final state is the last winner's, read through either instance, and the history has every winner.
    for (const app of [pair.a, pair.b]) {
      const view = await call(app, 'GET', '/v1/supplier/response', token);
      expect(view.headers.etag).toBe(winners.at(-1)!.etag);
      expect(view.json().answers['b.hours'].value).toBe(winners.at(-1)!.value);
    }
    const history = await queryRows<{ value: number }>(pair.ctx.database.db, sql`select value from answer_versions where response_id = ${responseId} and question_key = 'b.hours' order by version`);
    expect(history.map((h) => h.value)).toEqual(winners.map((w) => w.value));
  });

  it('50 concurrent submits with one Idempotency-Key, split across both instances, make one submission', async () => {
    const org = await seedOrganisation(pair.ctx);
    const procurementId = await seedOpenProcurement(pair.ctx, org, { definition: smallDefinition(), triage });
    const { token, responseId } = await seedInvitation(pair.ctx, org, procurementId);
    expect((await call(pair.a, 'PUT', '/v1/supplier/response/import', token, { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 12 } } })).statusCode).toBe(200);

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call(i % 2 ? pair.b : pair.a, 'POST', '/v1/supplier/response/submit', token, { declaration: true }, { 'idempotency-key': 'submit-once-7f3a' })),
    );
    const ok = results.filter((r) => r.statusCode === 200);
    const others = results.filter((r) => r.statusCode !== 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    // Every success is the same submission; anything else is a clear conflict, never a 5xx.
    expect(new Set(ok.map((r) => r.body)).size).toBe(1);
    for (const other of others) expect([other.statusCode, problemOf(other).code]).toEqual([409, expect.stringMatching(/^responses\./)]);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from submissions where response_id = ${responseId}`)).toBe(1);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from audit_events where action = 'response.submitted' and subject_id = ${responseId}`)).toBe(1);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from events where type = 'response.submitted' and subject_id = ${responseId}`)).toBe(1);
  });

  it('a report asked for cold on both instances at once is stored and audited once, and both get the same file', async () => {
    const org = await seedOrganisation(pair.ctx);
    const { responses } = await submittedResponses(pair.ctx, org, ['Alpha AI']);
    const { responseId } = responses[0]!;
    const [fromA, fromB] = await Promise.all([pair.a, pair.b].map((app) => call(app, 'GET', `/v1/responses/${responseId}/report.pdf`, org.admin.token)));
    expect([fromA!.statusCode, fromB!.statusCode], fromA!.body.slice(0, 200)).toEqual([200, 200]);
    expect(fromA!.rawPayload.equals(fromB!.rawPayload)).toBe(true);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from reports where subject_id = ${responseId}`)).toBe(1);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from audit_events where action = 'report.generated' and subject_id = ${responseId}`)).toBe(1);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from events where type = 'report.generated' and subject_id = ${responseId}`)).toBe(1);
  });
});

describe.skipIf(!postgres)(`two instances on one PostgreSQL database: access changes reach both within 100 ms${SKIPPED}`, () => {
  // A minute of cache: only the other instance being told can explain a refusal within 100 ms.
  const pair = useTwoInstances({ AUTH_CACHE_TTL_MS: '60000' });
  const me = (app: FastifyInstance, token: string) => call(app, 'GET', '/v1/me', token);
  // What was measured, said once at the end.
  const measured: string[] = [];
  afterAll(() => {
    if (measured.length > 0) process.stdout.write(`two instances, time until B refused: ${measured.join(', ')}\n`);
  });

  /** Both instances have `token` cached (each answered it once). */
  async function warm(token: string, url = '/v1/me') {
    for (const app of [pair.a, pair.b]) expect((await call(app, 'GET', url, token)).statusCode).toBe(200);
  }

  it('an API key revoked on A is refused on B within 100 ms', async () => {
    const org = await seedOrganisation(pair.ctx);
    const key = await seedApiKey(pair.ctx, org, { scopes: ['procurements:read'] });
    await warm(key.token);
    const revoked = await call(pair.a, 'POST', `/v1/api-keys/${key.id}/revoke`, org.admin.token);
    expect(revoked.statusCode).toBe(200);
    const elapsed = await timeUntil(() => me(pair.b, key.token), (r) => r.statusCode === 401);
    measured.push(`API key revoked ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(100);
    expect(problemOf(await me(pair.b, key.token)).code).toBe('auth.invalid_token');
    expect((await me(pair.a, key.token)).statusCode).toBe(401);
  });

  it('a personal token revoked, and a user deactivated, on A are refused on B within 100 ms', async () => {
    const org = await seedOrganisation(pair.ctx);
    const officer = await seedUser(pair.ctx, org, { role: 'officer' });
    const second = await call(pair.a, 'POST', '/v1/me/tokens', officer.token, { name: 'laptop' });
    expect(second.statusCode).toBe(201);
    const laptop = second.json() as { token: string; personalToken: { id: string } };
    await warm(laptop.token);
    await warm(officer.token);
    expect((await call(pair.a, 'POST', `/v1/me/tokens/${laptop.personalToken.id}/revoke`, officer.token)).statusCode).toBe(200);
    const tokenElapsed = await timeUntil(() => me(pair.b, laptop.token), (r) => r.statusCode === 401);

    expect((await call(pair.a, 'PATCH', `/v1/users/${officer.id}`, org.admin.token, { active: false })).statusCode).toBe(200);
    const userElapsed = await timeUntil(() => me(pair.b, officer.token), (r) => r.statusCode === 401);
    measured.push(`personal token revoked ${tokenElapsed.toFixed(1)} ms`, `user deactivated ${userElapsed.toFixed(1)} ms`);
    expect(tokenElapsed).toBeLessThan(100);
    expect(userElapsed).toBeLessThan(100);
  });

  it('a role changed on A applies on B within 100 ms, to what the user may do and to who /v1/me says they are', async () => {
    const org = await seedOrganisation(pair.ctx);
    const officer = await seedUser(pair.ctx, org, { role: 'officer' });
    await warm(officer.token);
    await warm(officer.token, '/v1/procurements');
    expect((await call(pair.a, 'PATCH', `/v1/users/${officer.id}`, org.admin.token, { role: 'viewer' })).statusCode).toBe(200);
    const createOnB = () => call(pair.b, 'POST', '/v1/procurements', officer.token, { title: 'Chatbot', questionnaireId: '00000000-0000-4000-8000-000000000000', deadline: '2026-12-10T17:00:00.000Z', triage });
    const elapsed = await timeUntil(createOnB, (r) => r.statusCode === 403);
    measured.push(`role changed ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(100);
    expect(problemOf(await createOnB()).code).toBe('auth.forbidden');
    expect((await me(pair.b, officer.token)).json()).toMatchObject({ kind: 'user', user: { role: 'viewer' } });
  });

  it('an invitation revoked on A stops its supplier on B within 100 ms', async () => {
    const org = await seedOrganisation(pair.ctx);
    const procurementId = await seedOpenProcurement(pair.ctx, org, { definition: smallDefinition(), triage });
    const invitation = await seedInvitation(pair.ctx, org, procurementId);
    await warm(invitation.token, '/v1/supplier/response');
    expect((await call(pair.a, 'POST', `/v1/invitations/${invitation.id}/revoke`, org.admin.token)).statusCode).toBe(200);
    const elapsed = await timeUntil(() => call(pair.b, 'GET', '/v1/supplier/response', invitation.token), (r) => r.statusCode === 401);
    measured.push(`invitation revoked ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(100);
  });

  it('a change that rolls back tells no instance anything', async () => {
    const org = await seedOrganisation(pair.ctx);
    const other = await seedOrganisation(pair.ctx);
    const key = await seedApiKey(pair.ctx, org, { scopes: ['procurements:read'] });
    const otherKey = await seedApiKey(pair.ctx, other, { scopes: ['procurements:read'] });
    await warm(key.token);
    // Revoked behind the service's back: B lets it in only while B remembers it.
    await pair.ctx.database.db.execute(sql`update access_tokens set revoked_at = now() where id = ${key.id}`);
    // Refused inside its transaction (the last admin cannot be demoted): rolled back, nothing sent.
    const refused = await call(pair.a, 'PATCH', `/v1/users/${org.admin.id}`, org.admin.token, { role: 'viewer' });
    expect(problemOf(refused).code).toBe('accounts.last_admin');
    // A later change elsewhere is delivered after anything that change could have sent: once B has it, B has everything.
    await warm(otherKey.token);
    expect((await call(pair.a, 'POST', `/v1/api-keys/${otherKey.id}/revoke`, other.admin.token)).statusCode).toBe(200);
    await timeUntil(() => me(pair.b, otherKey.token), (r) => r.statusCode === 401);
    expect((await me(pair.b, key.token)).statusCode).toBe(200);
  });

  it('when its listening connection drops, an instance says so, listens again, and forgets what it may have missed', async () => {
    const org = await seedOrganisation(pair.ctx);
    const key = await seedApiKey(pair.ctx, org, { scopes: ['procurements:read'] });
    const later = await seedApiKey(pair.ctx, org, { scopes: ['procurements:read'], name: 'Later' });
    await warm(key.token);
    const logged = (app: 'a' | 'b', text: string) => pair.logs[app].filter((line) => line.msg.includes(text)).length;
    const lostBefore = logged('b', 'database notifications lost');
    const backBefore = logged('b', 'listening for database notifications again');

    // Both instances' listeners are cut, as a database restart or a network fault would.
    const cut = await queryRows<{ pid: number }>(pair.ctx.database.db, sql`select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = current_database() and application_name = 'aidd-listen'`);
    expect(cut).toHaveLength(2);
    await until('B to log that notifications were lost', () => logged('b', 'database notifications lost') > lostBefore);
    expect(logged('b', 'database notifications lost')).toBe(lostBefore + 1);

    // Revoked while B cannot hear: B lets the key in from its cache (the TTL is the backstop)…
    expect((await call(pair.a, 'POST', `/v1/api-keys/${key.id}/revoke`, org.admin.token)).statusCode).toBe(200);
    const heardAlready = logged('b', 'listening for database notifications again') > backBefore;
    if (!heardAlready) expect((await me(pair.b, key.token)).statusCode).toBe(200);
    // …until it listens again, when it forgets everything it had cached.
    await until('B to listen again', () => logged('b', 'listening for database notifications again') > backBefore);
    expect((await me(pair.b, key.token)).statusCode).toBe(401);

    // And it hears the next change as before.
    await warm(later.token);
    expect((await call(pair.a, 'POST', `/v1/api-keys/${later.id}/revoke`, org.admin.token)).statusCode).toBe(200);
    const elapsed = await timeUntil(() => me(pair.b, later.token), (r) => r.statusCode === 401);
    measured.push(`API key revoked after the listener reconnected ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(100);
  });

  it('another organisation’s cache is left alone', async () => {
    const org = await seedOrganisation(pair.ctx);
    const other = await seedOrganisation(pair.ctx);
    const key = await seedApiKey(pair.ctx, org, { scopes: ['procurements:read'] });
    const otherKey = await seedApiKey(pair.ctx, other, { scopes: ['procurements:read'] });
    await warm(otherKey.token);
    // Deleted behind the service's back: only a cached answer can still let it in.
    await pair.ctx.database.db.execute(sql`update access_tokens set revoked_at = now() where id = ${otherKey.id}`);
    expect((await call(pair.a, 'POST', `/v1/api-keys/${key.id}/revoke`, org.admin.token)).statusCode).toBe(200);
    await timeUntil(() => me(pair.b, key.token), (r) => r.statusCode === 401);
    expect((await me(pair.b, otherKey.token)).statusCode).toBe(200);
  });
});

describe.skipIf(!postgres)(`two instances on one PostgreSQL database: one rate limit${SKIPPED}`, () => {
  const LIMIT = 10;
  const pair = useTwoInstances({ RATE_LIMIT_PER_MINUTE: String(LIMIT), AUTH_FAILURE_LIMIT_PER_MINUTE: '4' });
  let address = 0;
  // Every test from its own documentation address (198.51.100.0/24), so counters never meet.
  const nextAddress = () => `198.51.100.${(address += 1)}`;

  it('N requests split across A and B use up the limit: the next is 429 on either', async () => {
    const org = await seedOrganisation(pair.ctx);
    const remoteAddress = nextAddress();
    const remaining: string[] = [];
    for (let i = 0; i < LIMIT; i += 1) {
      const response = await (i % 2 ? pair.b : pair.a).inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress });
      expect(response.statusCode).toBe(200);
      remaining.push(String(response.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    for (const app of [pair.a, pair.b]) {
      const refused = await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress });
      expect(refused.statusCode).toBe(429);
      expect(problemOf(refused).code).toBe('request.rate_limited');
    }
    // A restarted instance (a new process: its own pool, nothing in memory) counts on where the others left off.
    const restarted = await openDatabase({ url: pair.ctx.testDb.url, dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } });
    const fresh = await buildApp({ config: testConfig({ RATE_LIMIT_PER_MINUTE: String(LIMIT) }), database: restarted, now: () => pair.clock.now(), logger: false });
    try {
      expect((await fresh.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress })).statusCode).toBe(429);
    } finally {
      await fresh.close();
      await restarted.close();
    }
    // The window is the app's clock's: a minute later both let the principal in again.
    pair.clock.advance(60_000);
    for (const app of [pair.a, pair.b]) expect((await app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress })).statusCode).toBe(200);
  });

  it('concurrent requests on both instances: exactly the limit gets through', async () => {
    const org = await seedOrganisation(pair.ctx);
    const remoteAddress = nextAddress();
    const results = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => (i % 2 ? pair.b : pair.a).inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress })));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(LIMIT);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(2 * LIMIT);
  });

  it('failed authentications on A and B lock the address out of both', async () => {
    const org = await seedOrganisation(pair.ctx);
    const remoteAddress = nextAddress();
    for (let i = 0; i < 4; i += 1) {
      const failed = await (i % 2 ? pair.b : pair.a).inject({ method: 'GET', url: '/v1/me', headers: bearer(`aidd_pat_${'x'.repeat(43)}${i}`), remoteAddress });
      expect(failed.statusCode).toBe(401);
    }
    // B made the last failure and knows at once; A checks what it saw in the last READ_FRESH_MS (100 ms).
    const valid = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/v1/me', headers: bearer(org.admin.token), remoteAddress });
    expect((await valid(pair.b)).statusCode).toBe(429);
    const elapsed = await timeUntil(() => valid(pair.a), (r) => r.statusCode === 429, 5_000);
    process.stdout.write(`two instances: a lockout made on B reached A in ${elapsed.toFixed(1)} ms\n`);
    expect(elapsed).toBeLessThan(1_000);
    expect(problemOf(await valid(pair.a)).code).toBe('request.rate_limited');
  });
});

describe.skipIf(!postgres)(`two instances on one PostgreSQL database: background work once${SKIPPED}`, () => {
  // Receivers check the signature's timestamp against their own clock: the apps run on real time here.
  const pair = useTwoInstances({ WEBHOOK_DELIVERY: 'true', WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_POLL_MS: '50' }, { realTime: true });
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver({ delayMs: 20 });
  });
  afterEach(async () => receiver.close());

  const pending = (db: Database) =>
    countOf(
      db,
      sql`select ((select count(*) from events where dispatched_at is null) + (select count(*) from webhook_deliveries where status <> 'succeeded'))::int as n`,
    );

  /** Until both workers have nothing left: every event dispatched, every delivery answered. */
  async function settled(db: Database, limitMs = 20_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while ((await pending(db)) > 0) {
      if (Date.now() > deadline) throw new Error(`deliveries still pending after ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('each webhook is delivered once though both instances’ workers run', async () => {
    const org = await seedOrganisation(pair.ctx);
    const created = await call(pair.a, 'POST', '/v1/webhooks', org.admin.token, { url: receiver.url, events: ['invitation.sent', 'response.submitted', 'evaluation.updated'], description: 'Contract system' });
    expect(created.statusCode, created.body).toBe(201);
    receiver.useSecret(created.json().secret);
    // Events made through both instances, so both workers find work at once.
    const names = Array.from({ length: 6 }, (_, i) => `Supplier ${i + 1}`);
    await Promise.all([submittedResponses(pair.ctx, org, names.slice(0, 3)), submittedResponses({ ...pair.ctx, app: pair.b }, org, names.slice(3))]);
    await settled(pair.ctx.database);
    const deliveries = await countOf(pair.ctx.database, sql`select count(*)::int as n from webhook_deliveries`);
    expect(deliveries).toBe(6 * 3);
    expect(receiver.received).toHaveLength(deliveries);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(deliveries);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from webhook_attempts`)).toBe(deliveries);
  });

  it('the deadline sweep closes each procurement once though both instances sweep', async () => {
    const org = await seedOrganisation(pair.ctx);
    const deadline = new Date(pair.clock.now().getTime() + 86_400_000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push(await seedOpenProcurement(pair.ctx, org, { definition: smallDefinition(), triage, deadline, title: `Chatbot ${i}` }));
    pair.clock.advance(2 * 86_400_000);
    // The two workers sweep on their own; two more sweeps, one through each pool, race them.
    await Promise.all([closeDueProcurements({ db: pair.ctx.database.db, now: pair.clock.now() }), closeDueProcurements({ db: pair.databaseB.db, now: pair.clock.now() })]);
    await settled(pair.ctx.database);
    for (const id of ids) {
      expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from audit_events where action = 'procurement.closed' and subject_id = ${id}`)).toBe(1);
      expect(await countOf(pair.ctx.database, sql`select count(*)::int as n from events where type = 'procurement.closed' and subject_id = ${id}`)).toBe(1);
    }
    const statuses = await queryRows<{ status: string }>(pair.ctx.database.db, sql`select status from procurements`);
    expect(statuses.map((s) => s.status)).toEqual(['closed', 'closed', 'closed', 'closed']);
  });
});
