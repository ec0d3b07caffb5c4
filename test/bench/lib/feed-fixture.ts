// Scenario S4's data: 10,000 published scores in two councils, 9,000 in council A (the one an
// integrator walks: 90 pages of 100) and 1,000 in council B (whose rows must never show up in A's
// walk), interleaved in time over the same 30 days so that B's rows sit between A's in
// `updated_at` order, and some of them at exactly the same instant as one of A's.
//
// This is a read benchmark, so the rows are written straight into a fresh database with drizzle,
// in batches, before the server starts (through the API, 10,000 submitted and evaluated responses
// would take minutes): the app's own migrations and built-in questionnaire, the two councils, their
// admins and API keys through the app's own use cases, then, for every score, a real procurement,
// invitation and submitted response row (score_feed.response_id has a foreign key to responses),
// and a score_feed row whose item has the shape of ScoreFeedItem (8 sections of the built-in LGA
// questionnaire, with their refs, titles and high-tier weights). PGlite keeps its database inside
// the server process, so on both engines the seeding happens before the server opens it.
//
// `updated_at`: distinct for almost every row of a council, as publishScore makes them (it keeps a
// council's updatedAt strictly increasing), but with some deliberate ties, which publishScore never
// writes and the keyset must still handle: every 37th row of A has the instant of the row before
// it, and every 500th row of A the instant of the row before it, which puts a tie exactly across a
// page boundary (the last item of one page of 100 and the first of the next); every 10th row of B
// has the instant of one of A's rows.
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { prepareDatabase } from '../../../src/bootstrap';
import { createApiKey, createOrganisationWithAdmin, setupFirstOrganisation } from '../../../src/modules/accounts';
import { procurements } from '../../../src/modules/procurements';
import { questionnaires, type QuestionnaireDefinition, type RiskTier } from '../../../src/modules/questionnaires';
import { invitations, responses } from '../../../src/modules/responses';
import { scoreFeed, type ScoreFeedItem } from '../../../src/modules/scoring';
import { openDatabase, type Database } from '../../../src/platform/db';
import { seededRandom } from './scoring-fixture';
import { createBenchDatabase, serviceEnvironment, startProcess, type Engine, type RunningServer } from './servers';

export const ORG_A_ROWS = 9_000;
export const ORG_B_ROWS = 1_000;
/** Suppliers (responses) per procurement: council A has 90 procurements, council B 10. */
const RESPONSES_PER_PROCUREMENT = 100;
const SECTIONS_PER_ITEM = 8;
const BATCH = 1_000;
const TIER: RiskTier = 'high';
/** The feed spans 30 days, ending an hour before the seeding. */
const SPAN_MS = 30 * 24 * 60 * 60 * 1000;

export type Council = {
  id: string;
  name: string;
  /** A Bearer API key of this council with the scope scores:read only. */
  apiKey: string;
  procurementIds: string[];
  /** Every responseId of the council's score_feed rows, in feed order (updated_at, then response_id). */
  feedOrder: string[];
};

export type FeedFixture = { a: Council; b: Council; seedSeconds: number };

const NAME_FIRST = ['Civic', 'Northern', 'Bright', 'Albion', 'Clear', 'Open', 'Harbour', 'Meridian', 'Pennine', 'Severn', 'Thames', 'Granite', 'Kestrel', 'Lantern', 'Orchard', 'Quay'];
const NAME_SECOND = ['Analytics', 'Insight', 'Data', 'Vision', 'Logic', 'Assist', 'Signal', 'Triage', 'Scribe', 'Forecast', 'Routing', 'Care Tech', 'Voice', 'Labs'];
const NAME_SUFFIX = ['Ltd', 'Limited', 'plc', 'LLP', 'UK Ltd', 'Group Ltd'];
const RATINGS = ['acceptable', 'acceptable_with_conditions', 'significant_concerns', 'not_acceptable'] as const;

const round1 = (x: number) => Math.round(x * 10) / 10;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** PostgreSQL orders uuids by their bytes, which is the order of their lower-case hex text. */
const feedCompare = (x: { at: number; id: string }, y: { at: number; id: string }) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

type Row = { at: number; id: string; council: 'a' | 'b' };

/** Each score's updated_at, as described at the top: A every 280 ms apart on average, B in between. */
function timestamps(end: number): Row[] {
  const start = end - SPAN_MS;
  const step = Math.floor(SPAN_MS / ORG_A_ROWS);
  const rows: Row[] = [];
  let previousA = start;
  for (let j = 0; j < ORG_A_ROWS; j += 1) {
    const at = j > 0 && (j % 37 === 0 || j % 500 === 0) ? previousA : start + j * step + (j % 7) * 11;
    rows.push({ at, id: randomUUID(), council: 'a' });
    previousA = at;
  }
  const aTimes = rows.map((r) => r.at);
  for (let k = 0; k < ORG_B_ROWS; k += 1) {
    const at = k % 10 === 0 ? aTimes[k * (ORG_A_ROWS / ORG_B_ROWS)]! : start + k * step * (ORG_A_ROWS / ORG_B_ROWS) + Math.floor(step / 2) + 3;
    rows.push({ at, id: randomUUID(), council: 'b' });
  }
  return rows;
}

async function insertBatches<T>(items: T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) await write(items.slice(i, i + BATCH));
}

async function seed(database: Database): Promise<FeedFixture> {
  const started = performance.now();
  const { db } = database;
  const now = new Date();
  await prepareDatabase({ database, now });
  const first = await setupFirstOrganisation({ db, now, organisationName: 'Bench Council A', adminEmail: 'bench-a@example.gov.uk', adminName: 'Bench A' });
  const second = await createOrganisationWithAdmin({ db, now, organisationName: 'Bench Council B', adminEmail: 'bench-b@example.gov.uk', adminName: 'Bench B' });
  const [builtIn] = await db
    .select({ id: questionnaires.id, key: questionnaires.key, version: questionnaires.version, definition: questionnaires.definition })
    .from(questionnaires)
    .where(and(isNull(questionnaires.organisationId), eq(questionnaires.status, 'published')))
    .limit(1);
  if (!builtIn) throw new Error('no built-in questionnaire was seeded');
  const definition: QuestionnaireDefinition = builtIn.definition;
  const weights = definition.weights[TIER];
  const sections = definition.sections.slice(0, SECTIONS_PER_ITEM).map((s) => ({ key: s.key, ref: s.ref ?? null, title: s.title, weight: weights[s.key] ?? 0 }));
  const random = seededRandom(20_250_404);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;

  const rows = timestamps(now.getTime() - 60 * 60 * 1000);
  const councils: Record<'a' | 'b', Council> = {
    a: { id: first.organisation.id, name: 'Bench Council A', apiKey: '', procurementIds: [], feedOrder: [] },
    b: { id: second.organisation.id, name: 'Bench Council B', apiKey: '', procurementIds: [], feedOrder: [] },
  };
  for (const [tag, created] of [['a', first], ['b', second]] as const) {
    const council = councils[tag];
    const key = await createApiKey({ db, now, principal: { kind: 'system', organisationId: council.id, name: 'bench' }, name: 'S4 contract system', scopes: ['scores:read'] });
    council.apiKey = key.token;
    const ownRows = rows.filter((r) => r.council === tag);
    const procurementCount = Math.ceil(ownRows.length / RESPONSES_PER_PROCUREMENT);
    const procurementRows = Array.from({ length: procurementCount }, (_, p) => {
      const createdAt = new Date(ownRows[0]!.at - 45 * 24 * 60 * 60 * 1000 + p * 60_000);
      return {
        id: randomUUID(),
        organisationId: council.id,
        title: `AI ${pick(['transcription', 'triage', 'translation', 'fraud detection', 'chat assistant', 'route planning'])} service ${p + 1}`,
        reference: `${tag.toUpperCase()}CC-2025-${String(p + 1).padStart(4, '0')}`,
        description: 'Made by test/bench/lib/feed-fixture.ts.',
        questionnaireId: builtIn.id,
        triage: {},
        riskTier: TIER,
        riskTierReason: 'Bench fixture.',
        weights,
        deadline: new Date(createdAt.getTime() + 14 * 24 * 60 * 60 * 1000),
        status: 'evaluating' as const,
        createdBy: created.user.id,
        createdAt,
        updatedAt: createdAt,
        openedAt: createdAt,
        closedAt: new Date(createdAt.getTime() + 14 * 24 * 60 * 60 * 1000),
      };
    });
    council.procurementIds = procurementRows.map((p) => p.id);
    await insertBatches(procurementRows, (batch) => db.insert(procurements).values(batch));

    // Responses go to procurements in feed order, 100 each, so each procurement's scores are published together.
    const ordered = [...ownRows].sort(feedCompare);
    council.feedOrder = ordered.map((r) => r.id);
    const invitationRows: Array<typeof invitations.$inferInsert> = [];
    const responseRows: Array<typeof responses.$inferInsert> = [];
    const feedRows: Array<typeof scoreFeed.$inferInsert> = [];
    ordered.forEach((row, i) => {
      const procurement = procurementRows[Math.floor(i / RESPONSES_PER_PROCUREMENT)]!;
      const invitationId = randomUUID();
      const supplierName = `${pick(NAME_FIRST)} ${pick(NAME_SECOND)} ${pick(NAME_SUFFIX)}`;
      const companyNumber = random() < 0.9 ? String(Math.floor(random() * 16_000_000)).padStart(8, '0') : null;
      const submittedAt = new Date(procurement.deadline.getTime() - Math.floor(random() * 3 * 24 * 60 * 60 * 1000));
      invitationRows.push({
        id: invitationId,
        organisationId: council.id,
        procurementId: procurement.id,
        supplierName,
        contactEmail: `bids${i + 1}@supplier${i + 1}.example`,
        companyNumber,
        tokenHash: hex(32),
        displayPrefix: `inv_${hex(3)}`,
        createdBy: created.user.id,
        createdAt: procurement.createdAt,
        tokenIssuedAt: procurement.createdAt,
      });
      const withdrawn = random() < 0.02;
      responseRows.push({
        id: row.id,
        organisationId: council.id,
        procurementId: procurement.id,
        invitationId,
        status: withdrawn ? 'withdrawn' : 'submitted',
        version: 150 + Math.floor(random() * 60),
        submittedAt,
        createdAt: procurement.createdAt,
        updatedAt: submittedAt,
      });
      const quality = 0.3 + random() * 0.6;
      const itemSections = withdrawn ? [] : sections.map((s) => ({ ...s, score: random() < 0.04 ? null : round1(Math.min(100, Math.max(0, quality * 100 + (random() - 0.5) * 40))) }));
      const scored = itemSections.filter((s) => s.score !== null);
      const weightSum = scored.reduce((n, s) => n + s.weight, 0);
      const overallScore = withdrawn || weightSum === 0 ? null : round1(scored.reduce((n, s) => n + s.weight * s.score!, 0) / weightSum);
      const item: ScoreFeedItem = {
        responseId: row.id,
        procurementId: procurement.id,
        procurementReference: procurement.reference,
        supplierName,
        companyNumber,
        status: withdrawn ? 'withdrawn' : 'submitted',
        overallScore,
        rating: overallScore === null ? null : RATINGS[overallScore >= 75 ? 0 : overallScore >= 55 ? 1 : overallScore >= 35 ? 2 : 3]!,
        riskTier: TIER,
        gatewaysPassed: withdrawn ? null : random() < 0.85,
        final: withdrawn ? false : random() < 0.8,
        sections: itemSections,
        conditions: [],
        questionnaireKey: builtIn.key,
        questionnaireVersion: builtIn.version,
        scoringMethodVersion: '1.0.0',
      };
      feedRows.push({ responseId: row.id, organisationId: council.id, procurementId: procurement.id, item, updatedAt: new Date(row.at) });
    });
    await insertBatches(invitationRows, (batch) => db.insert(invitations).values(batch));
    await insertBatches(responseRows, (batch) => db.insert(responses).values(batch));
    await insertBatches(feedRows, (batch) => db.insert(scoreFeed).values(batch));
  }
  await db.execute(sql`analyze`);
  return { a: councils.a, b: councils.b, seedSeconds: (performance.now() - started) / 1000 };
}

/** The 16 columns of GET /v1/scores as CSV (FEED_CSV_COLUMNS), computed by the database from the same rows, in feed order. */
export function copySelect(organisationId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(organisationId)) throw new Error(`not a uuid: ${organisationId}`);
  const field = (name: string) => `item->>'${name}' as "${name}"`;
  return [
    'select',
    ['responseId', 'procurementId', 'procurementReference', 'supplierName', 'companyNumber', 'status', 'overallScore', 'rating', 'riskTier', 'gatewaysPassed', 'final'].map(field).join(', ') + ',',
    `(select string_agg(coalesce(s->>'ref', s->>'key') || '=' || coalesce(s->>'score', ''), '; ' order by o) from jsonb_array_elements(item->'sections') with ordinality as e(s, o)) as "sectionScores",`,
    ['questionnaireKey', 'questionnaireVersion', 'scoringMethodVersion'].map(field).join(', ') + ',',
    `to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt"`,
    `from score_feed where organisation_id = '${organisationId}' order by updated_at, response_id`,
  ].join(' ');
}

/** The statement feedPage sends for a page after `after` (or the first), with its parameters inlined: for pgbench and EXPLAIN. */
export function pageSelect(organisationId: string, after: { updatedAt: string; responseId: string } | null, limit = 101): string {
  const keyset = after ? ` and ("score_feed"."updated_at", "score_feed"."response_id") > ('${after.updatedAt}'::timestamptz, '${after.responseId}'::uuid)` : '';
  return (
    `select "item", "updated_at" from "score_feed" where ("score_feed"."organisation_id" = '${organisationId}'${keyset}) ` +
    `order by "score_feed"."updated_at" asc, "score_feed"."response_id" asc limit ${limit}`
  );
}

export type EmbeddedProbe = {
  /** COPY (copySelect) TO '/dev/blob' in this process's PGlite on the seeded data directory, after warm-up. */
  copyMs: number[];
  copyLines: number;
  copyBytes: number;
  /** EXPLAIN ANALYZE of the first and the last page's statement. */
  explain: { first: string[]; last: string[] };
};

export type SeededService = RunningServer & {
  fixture: FeedFixture;
  databaseUrl?: string;
  /** PGlite only: what was measured in this process on the seeded database before the server opened it. */
  embedded?: EmbeddedProbe;
};

/** The 2nd-to-last page's last item in A's feed order: the cursor of A's last page. */
async function lastPageCursor(database: Database, fixture: FeedFixture): Promise<{ updatedAt: string; responseId: string }> {
  const lastPageStart = Math.floor((fixture.a.feedOrder.length - 1) / 100) * 100;
  const responseId = fixture.a.feedOrder[lastPageStart - 1]!;
  const [row] = await database.db.select({ at: scoreFeed.updatedAt }).from(scoreFeed).where(eq(scoreFeed.responseId, responseId));
  return { updatedAt: row!.at.toISOString(), responseId };
}

async function probeEmbedded(database: Database, fixture: FeedFixture, copyRuns: number): Promise<EmbeddedProbe> {
  type PgliteLike = { query: (sql: string, params?: unknown[], options?: { blob?: Blob }) => Promise<{ blob?: Blob; rows: unknown[] }> };
  const client = (database.db as unknown as { $client: PgliteLike }).$client;
  const copy = `copy (${copySelect(fixture.a.id)}) to '/dev/blob' with (format csv, header)`;
  let text = '';
  const copyMs: number[] = [];
  for (let i = 0; i < copyRuns + 2; i += 1) {
    const started = performance.now();
    const result = await client.query(copy);
    text = result.blob ? await result.blob.text() : '';
    if (i >= 2) copyMs.push(performance.now() - started);
  }
  const explain = async (statement: string) => {
    const result = await client.query(`explain (analyze, buffers) ${statement}`);
    return (result.rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]!);
  };
  return {
    copyMs,
    copyLines: text.split('\n').filter(Boolean).length,
    copyBytes: Buffer.byteLength(text),
    explain: { first: await explain(pageSelect(fixture.a.id, null)), last: await explain(pageSelect(fixture.a.id, await lastPageCursor(database, fixture))) },
  };
}

/**
 * A brand-new database of the engine, seeded as above, then the real service on it on loopback
 * (the same environment startService gives it). On PGlite, also COPY and EXPLAIN measured in this
 * process on the seeded files before the server opens them (the server holds them afterwards).
 */
export async function startSeededService({ engine, copyRuns = 5 }: { engine: Engine; copyRuns?: number }): Promise<SeededService> {
  const { dataDir, databaseUrl, cleanUp } = await createBenchDatabase({ engine, prefix: 'aidd_bench_s4' });
  try {
    const database = await openDatabase({ url: databaseUrl, dataDir, logger: console, poolMax: 2, statementTimeoutMs: 60_000 });
    let fixture: FeedFixture;
    let embedded: EmbeddedProbe | undefined;
    try {
      fixture = await seed(database);
      if (engine === 'embedded') embedded = await probeEmbedded(database, fixture, copyRuns);
    } finally {
      await database.close();
    }
    const server = await startProcess({
      script: 'src/server.ts',
      env: serviceEnvironment({ dataDir, databaseUrl }),
    });
    return {
      url: server.url,
      fixture,
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(embedded ? { embedded } : {}),
      stop: async () => {
        await server.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
