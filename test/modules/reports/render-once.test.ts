import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app';
import { seedBuiltInQuestionnaires } from '../../../src/modules/questionnaires';
import { openDatabase, queryRows, type Database } from '../../../src/platform/db';
import { createPdfRenderer, type PdfRenderer } from '../../../src/platform/pdf';
import { bearer, createClock, testConfig, type TestContext } from '../../helpers/app';
import { createTestDatabase, testPostgresUrl } from '../../helpers/db';
import { seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { submittedResponses } from '../integrations/world';

const N = 8;
const config = testConfig();
const quiet = { warn: () => undefined, error: () => undefined };

/** The real worker-pool renderer, counting the documents it is asked to draw. */
function countingRenderer(): PdfRenderer & { renders: () => number } {
  const real = createPdfRenderer({ workers: config.reportWorkers });
  let renders = 0;
  return {
    render: (document) => {
      renders += 1;
      return real.render(document);
    },
    close: () => real.close(),
    renders: () => renders,
  };
}

type Instance = { app: FastifyInstance; database: Database; renderer: ReturnType<typeof countingRenderer> };

async function instance(database: Database, now: () => Date): Promise<Instance> {
  const renderer = countingRenderer();
  return { app: await buildApp({ config, database, now, logger: false, pdf: renderer }), database, renderer };
}

const get = (app: FastifyInstance, url: string, token: string) => app.inject({ method: 'GET', url, headers: bearer(token) });

async function storedReports(database: Database, subjectId: string) {
  return queryRows<{ id: string; sha256: string }>(database.db, sql`select id, sha256 from reports where subject_id = ${subjectId}`);
}

async function generatedEvents(database: Database, organisationId: string) {
  return queryRows<{ id: string }>(database.db, sql`select id from audit_events where organisation_id = ${organisationId} and action = 'report.generated'`);
}

/** `N` requests for one cold report at once, spread over the instances in turn. */
async function concurrently(instances: Instance[], url: string, token: string) {
  const answers = await Promise.all(Array.from({ length: N }, (_, i) => get(instances[i % instances.length]!.app, url, token)));
  for (const answer of answers) expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
  return answers;
}

describe('a report asked for by many at once', () => {
  const ctx = {} as TestContext;
  let one: Instance;
  beforeAll(async () => {
    ctx.testDb = await createTestDatabase();
    ctx.database = ctx.testDb.database;
    ctx.clock = createClock();
    one = await instance(ctx.database, () => ctx.clock.now());
    ctx.app = one.app;
  });
  beforeEach(async () => {
    await ctx.testDb.truncate();
    await seedBuiltInQuestionnaires({ db: ctx.database.db, now: new Date('2026-11-01T09:00:00.000Z') });
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.testDb?.close();
  });

  async function world(): Promise<{ org: SeededOrganisation; procurementId: string; responseId: string }> {
    const org = await seedOrganisation(ctx);
    const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    return { org, procurementId, responseId: responses[0]!.responseId };
  }

  it.each([
    ['evaluation report', (w: { responseId: string }) => ({ url: `/v1/responses/${w.responseId}/report.pdf`, subjectId: w.responseId })],
    ['comparison report', (w: { procurementId: string }) => ({ url: `/v1/procurements/${w.procurementId}/comparison.pdf`, subjectId: w.procurementId })],
  ])('draws the %s once for concurrent cold requests, and every caller gets the same stored file', async (_name, target) => {
    const w = await world();
    const { url, subjectId } = target(w);
    const before = one.renderer.renders();
    const answers = await concurrently([one], url, w.org.admin.token);
    const renders = one.renderer.renders() - before;

    expect(new Set(answers.map((a) => a.headers['x-content-sha256'])).size).toBe(1);
    expect(answers.every((a) => Buffer.compare(a.rawPayload, answers[0]!.rawPayload) === 0)).toBe(true);
    expect(new Set(answers.map((a) => a.headers['x-report-id'])).size).toBe(1);
    const stored = await storedReports(ctx.database, subjectId);
    expect(stored.map((r) => r.id)).toEqual([answers[0]!.headers['x-report-id']]);
    expect(await generatedEvents(ctx.database, w.org.organisationId)).toHaveLength(1);
    expect(renders, `the renderer drew ${renders} documents for ${N} requests`).toBe(1);

    // Warm: the stored file, no drawing at all.
    const again = await get(one.app, url, w.org.admin.token);
    expect(again.headers['x-report-id']).toBe(answers[0]!.headers['x-report-id']);
    expect(one.renderer.renders() - before).toBe(1);
  });

  it('keeps one flight per report: two reports asked for at once are each drawn once, each to its own file', async () => {
    const w = await world();
    const { responses } = await submittedResponses(ctx, w.org, ['Gamma Garage', 'Delta Data']);
    const [gamma, delta] = responses.map((r) => `/v1/responses/${r.responseId}/report.pdf`) as [string, string];
    const before = one.renderer.renders();
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => get(one.app, i % 2 === 0 ? gamma : delta, w.org.admin.token)));
    for (const answer of answers) expect(answer.statusCode, answer.body.slice(0, 300)).toBe(200);
    expect(new Set(answers.filter((_, i) => i % 2 === 0).map((a) => a.headers['x-report-id'])).size).toBe(1);
    expect(new Set(answers.filter((_, i) => i % 2 === 1).map((a) => a.headers['x-report-id'])).size).toBe(1);
    expect(answers[0]!.headers['x-report-id']).not.toBe(answers[1]!.headers['x-report-id']);
    expect(await generatedEvents(ctx.database, w.org.organisationId)).toHaveLength(2);
    expect(one.renderer.renders() - before).toBe(2);
  });

  describe.skipIf(!testPostgresUrl())('two instances on one PostgreSQL database (skipped on the embedded engine: one process owns its data)', () => {
    let two: Instance;
    beforeAll(async () => {
      const second = await openDatabase({ url: ctx.testDb.url!, dataDir: 'memory', logger: quiet, poolMax: 10 });
      two = await instance(second, () => ctx.clock.now());
    });
    afterAll(async () => {
      await two?.app.close();
      await two?.database.close();
    });

    it('draws the report once between them: one file, one audit event', async () => {
      const w = await world();
      const url = `/v1/responses/${w.responseId}/report.pdf`;
      const before = one.renderer.renders() + two.renderer.renders();
      const answers = await concurrently([one, two], url, w.org.admin.token);
      const renders = one.renderer.renders() + two.renderer.renders() - before;
      expect(new Set(answers.map((a) => a.headers['x-report-id'])).size).toBe(1);
      expect(answers.every((a) => Buffer.compare(a.rawPayload, answers[0]!.rawPayload) === 0)).toBe(true);
      expect(await storedReports(ctx.database, w.responseId)).toHaveLength(1);
      expect(await generatedEvents(ctx.database, w.org.organisationId)).toHaveLength(1);
      expect(renders, `the two instances drew ${renders} documents for ${N} requests`).toBe(1);
    });
  });
});
