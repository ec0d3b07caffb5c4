import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { seedBuiltInQuestionnaires } from '../../src/modules/questionnaires';
import { openDatabase } from '../../src/platform/db';
import { bearer, createClock, testConfig, type TestContext } from '../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation } from '../helpers/factories';
import { startPostgresInstance, type PostgresInstance } from '../helpers/postgres-instance';
import { until } from '../helpers/wait';
import { smallDefinition } from '../modules/questionnaires/fixtures';

// These tests cut PostgreSQL's connections; the embedded engine has none to cut. They run in the
// suite's PostgreSQL pass, on a cluster of their own (the suite's server is never restarted).
const onPostgres = Boolean(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL);
const quiet = { warn: () => undefined, error: () => undefined };
const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };


describe.skipIf(!onPostgres)('when PostgreSQL goes away in the middle of requests', () => {
  let instance: PostgresInstance;
  let admin: pg.Client;
  const ctx = {} as TestContext;

  beforeAll(async () => {
    instance = await startPostgresInstance();
    admin = new pg.Client({ connectionString: instance.url() });
    await admin.connect();
    await admin.query('create database aidd');
    await admin.end();
    ctx.database = await openDatabase({ url: instance.url('aidd'), dataDir: 'memory', logger: quiet, poolMax: 10, statementTimeoutMs: 2_000 });
    await ctx.database.migrate();
    await seedBuiltInQuestionnaires({ db: ctx.database.db, now: new Date('2026-11-01T09:00:00.000Z') });
    ctx.clock = createClock();
    ctx.app = await buildApp({ config: testConfig(), database: ctx.database, now: () => ctx.clock.now(), logger: false });
  }, 120_000);

  afterAll(async () => {
    await ctx.app?.close();
    await ctx.database?.close();
    await instance?.stop();
  });

  const autosave = (token: string, text: string) =>
    ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training_detail', headers: bearer(token), payload: { value: text } });

  /** Suppliers, each with its own response, ready to autosave a long answer. */
  async function suppliers(count: number) {
    const org = await seedOrganisation(ctx);
    const procurementId = await seedOpenProcurement(ctx, org, { definition: smallDefinition(), triage });
    const tokens: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { token } = await seedInvitation(ctx, org, procurementId, { supplierName: `Supplier ${i}` });
      const shown = await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training', headers: bearer(token), payload: { value: 'opt_in' } });
      expect(shown.statusCode, shown.body).toBe(200);
      tokens.push(token);
    }
    return tokens;
  }

  const stored = async (token: string) =>
    (await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response', headers: bearer(token) })).json().answers['a.training_detail']?.value as string | undefined;

  it('stays up when its connections are cut and the server restarts under autosave load, answers 503 meanwhile, and loses no acknowledged write', async () => {
    const tokens = await suppliers(8);
    const tally = { requests: 0, ok: 0, unavailable: 0, unexpected: [] as string[], badProblems: [] as string[] };
    const answered: Array<{ at: number; status: number }> = [];
    const acked = tokens.map(() => 0);
    const attempted = tokens.map(() => 0);
    let stop = false;

    const check503 = (response: LightMyRequestResponse) => {
      const problem = response.json();
      if (!String(response.headers['content-type']).startsWith('application/problem+json') || !response.headers['retry-after'] || problem.code !== 'service.unavailable') {
        tally.badProblems.push(`${response.headers['content-type']} ${response.body}`);
      }
    };
    // Each supplier writes "write 1", "write 2", … one after another, as autosave does.
    const workers = tokens.map(async (token, i) => {
      for (let n = 1; !stop; n += 1) {
        attempted[i] = n;
        const response = await autosave(token, `write ${n}`);
        tally.requests += 1;
        answered.push({ at: performance.now(), status: response.statusCode });
        if (response.statusCode === 200) {
          tally.ok += 1;
          acked[i] = n;
        } else if (response.statusCode === 503) {
          tally.unavailable += 1;
          check503(response);
        } else {
          tally.unexpected.push(`${response.statusCode} ${response.body}`);
        }
      }
    });

    const killer = new pg.Client({ connectionString: instance.url() });
    await killer.connect();
    let terminated = 0;
    try {
      await until('40 saves before the outage', () => tally.ok >= 40);
      // Cut every connection of the service ten times, letting requests run between the cuts.
      for (let round = 0; round < 10; round += 1) {
        const { rowCount } = await killer.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'aidd' and pid <> pg_backend_pid()");
        terminated += rowCount ?? 0;
        const seen = tally.requests;
        await until('20 more requests', () => tally.requests >= seen + 20);
      }
    } finally {
      await killer.end();
    }

    // Then restart the whole server: every connection goes, and nothing answers for a moment.
    const restartingAt = performance.now();
    await instance.restart();
    const restartedAt = performance.now();
    const okAfterRestart = tally.ok;
    await until('40 saves after the restart', () => tally.ok >= okAfterRestart + 40);
    stop = true;
    await Promise.all(workers);
    // Recovery: the first save that started after pg_ctl said the server was back, and the 503s of the restart.
    const firstSave = answered.find((a) => a.at >= restartedAt && a.status === 200);
    const recoveredMs = firstSave ? firstSave.at - restartedAt : Number.NaN;
    const restartRefusals = answered.filter((a) => a.at >= restartingAt && a.at <= (firstSave?.at ?? Infinity) && a.status === 503).length;

    // The test process is the service: had an 'error' event gone unhandled, it would have died here.
    const lost: string[] = [];
    for (const [i, token] of tokens.entries()) {
      const value = await stored(token);
      const n = Number(/^write (\d+)$/.exec(value ?? '')?.[1] ?? 0);
      // A write whose commit raced the cut may have landed without being acknowledged; an acknowledged one must be there.
      if (n < acked[i]! || n > attempted[i]!) lost.push(`supplier ${i}: stored ${n}, acknowledged ${acked[i]}, attempted ${attempted[i]}`);
    }
    process.stdout.write(
      `database outage under autosave load: ${tally.requests} requests, ${tally.ok} saved, ${tally.unavailable} answered 503, ` +
        `${terminated} connections terminated in 10 rounds, the restart (pg_ctl ${(restartedAt - restartingAt).toFixed(0)} ms) answered ${restartRefusals} × 503 and saving resumed ${recoveredMs.toFixed(0)} ms after it returned, ${lost.length} acknowledged writes lost\n`,
    );
    expect(tally.unexpected).toEqual([]);
    expect(tally.badProblems).toEqual([]);
    expect(terminated).toBeGreaterThan(0);
    expect(tally.unavailable).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    // Every client went back to the pool: one kept by a failed request would, ten cuts later, leave none.
    const pool = ctx.database.poolStats!();
    expect(pool.idle).toBe(pool.total);
  }, 300_000);

  it('answers 503 with Retry-After while the database is down, says not ready, and serves again once it is back', async () => {
    const [token] = await suppliers(1);
    const opened = await ctx.app.inject({ method: 'GET', url: `/respond/${token}` });
    const cookie = String(opened.headers['set-cookie']).split(';')[0]!;
    await instance.pause();
    try {
      // The supplier's web form says so in a page, not in JSON.
      const page = await ctx.app.inject({ method: 'GET', url: '/respond', headers: { cookie } });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['retry-after']).toBeDefined();
      expect(page.body).toContain('Sorry, the service is unavailable');

      const refused = await autosave(token!, 'while the database is down');
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toMatchObject({ status: 503, code: 'service.unavailable' });
      const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'not_ready', database: { reachable: false } });
    } finally {
      await instance.resume();
    }
    // The pool reconnects by itself: the first requests after the restart may still meet a stale connection.
    let saved = await autosave(token!, 'after the database came back');
    while (saved.statusCode === 503) saved = await autosave(token!, 'after the database came back');
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await stored(token!)).toBe('after the database came back');
  }, 120_000);

  it('answers 503 with Retry-After when a statement runs past the statement timeout, and keeps what was saved', async () => {
    const [token] = await suppliers(1);
    expect((await autosave(token!, 'saved before')).statusCode).toBe(200);
    const locker = new pg.Client({ connectionString: instance.url('aidd') });
    await locker.connect();
    try {
      // Another session holds the response's row, so the save waits until its statement times out (2 s).
      await locker.query('begin');
      await locker.query('select id from responses for update');
      const timedOut = await autosave(token!, 'never saved');
      expect(timedOut.statusCode, timedOut.body).toBe(503);
      expect(timedOut.headers['retry-after']).toBeDefined();
      expect(timedOut.json()).toMatchObject({ code: 'service.unavailable' });
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
    expect(await stored(token!)).toBe('saved before');
  }, 120_000);
});
