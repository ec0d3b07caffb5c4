import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { scoreFeed } from '../../../src/modules/scoring';
import { inTransaction } from '../../../src/platform/db';
import { publishScore, type ScoreFeedItem } from '../../../src/modules/scoring/scoring.feed';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { submittedResponses } from './world';

type FeedItem = ScoreFeedItem & { updatedAt: string };
type FeedPage = { items: FeedItem[]; nextCursor: string | null; resumeCursor: string | null };

const get = (ctx: TestContext, url: string, token: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers: { ...bearer(token), ...headers } });

async function page(ctx: TestContext, token: string, query: string): Promise<FeedPage> {
  const response = await get(ctx, `/v1/scores?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Follows nextCursor to the end; `between` runs after every page but the last, as another writer would. */
async function walk(ctx: TestContext, token: string, { limit, between }: { limit: number; between?: (pageNumber: number) => Promise<void> }): Promise<FeedItem[]> {
  const seen: FeedItem[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n += 1) {
    const p: FeedPage = await page(ctx, token, `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen.push(...p.items);
    if (!p.nextCursor) return seen;
    // Changes stop once the walker reaches the end, as a poller's walk ends when it catches up.
    await between?.(n);
    cursor = p.nextCursor;
  }
  throw new Error('the walk did not end');
}

/** Another writer changes a published score, through the function the scoring module publishes with. */
async function rescore(ctx: TestContext, org: SeededOrganisation, item: FeedItem, overallScore: number): Promise<void> {
  await inTransaction(ctx.database.db, async (tx) => {
    const [current] = await tx.select({ item: scoreFeed.item }).from(scoreFeed).where(eq(scoreFeed.responseId, item.responseId));
    if (current!.item.status === 'withdrawn') return;
    await publishScore({ db: tx, organisationId: org.organisationId, item: { ...current!.item, overallScore }, now: ctx.clock.now() });
  });
}

describe('GET /v1/scores: the scores feed', () => {
  const ctx = useTestApp();

  it('publishes each submitted response with its evaluation, and moves it to the end when it changes', async () => {
    const org = await seedOrganisation(ctx);
    const { procurementId, responses } = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    const first = await page(ctx, org.admin.token, 'limit=10');
    expect(first.items.map((i) => i.supplierName)).toEqual(['Alpha AI', 'Beta Bots']);
    expect(first.nextCursor).toBeNull();
    const evaluation = (await get(ctx, `/v1/responses/${responses[0]!.responseId}/evaluation`, org.admin.token)).json();
    expect(first.items[0]).toMatchObject({
      responseId: responses[0]!.responseId,
      procurementId,
      status: 'submitted',
      overallScore: evaluation.overallScore,
      rating: evaluation.rating,
      riskTier: evaluation.riskTier,
      final: !evaluation.provisional,
      questionnaireKey: 'small-test',
      scoringMethodVersion: evaluation.scoringMethodVersion,
    });
    expect(first.items[0]!.sections.map((s) => s.score)).toEqual(evaluation.sections.filter((s: { visible: boolean }) => s.visible).map((s: { score: number | null }) => s.score));

    // Nothing new after the last page: the resume cursor returns an empty page.
    expect((await page(ctx, org.admin.token, `cursor=${first.resumeCursor}`)).items).toEqual([]);
    // Alpha withdraws: it moves behind Beta, withdrawn, without scores; the resume cursor gets only that.
    ctx.clock.advance(60_000);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/withdraw', headers: bearer(responses[0]!.token), payload: {} })).statusCode).toBe(200);
    const changes = await page(ctx, org.admin.token, `cursor=${first.resumeCursor}`);
    expect(changes.items).toHaveLength(1);
    expect(changes.items[0]).toMatchObject({ responseId: responses[0]!.responseId, status: 'withdrawn', overallScore: null, gatewaysPassed: null });
    expect(Date.parse(changes.items[0]!.updatedAt)).toBeGreaterThan(Date.parse(first.items[1]!.updatedAt));
    // A recompute that changes nothing publishes nothing.
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/procurements/${procurementId}/evaluations/recompute`, headers: bearer(org.admin.token) })).statusCode).toBe(200);
    expect((await page(ctx, org.admin.token, `cursor=${changes.resumeCursor}`)).items).toEqual([]);
  });

  it('pages with nextCursor and Link: rel="next", filters by updatedSince and procurement, and refuses a forged cursor', async () => {
    const org = await seedOrganisation(ctx);
    const one = await submittedResponses(ctx, org, ['A1', 'A2', 'A3']);
    ctx.clock.advance(60_000);
    const since = ctx.clock.now().toISOString();
    const two = await submittedResponses(ctx, org, ['B1', 'B2']);
    const response = await get(ctx, '/v1/scores?limit=2&procurementId=' + one.procurementId, org.admin.token);
    const body: FeedPage = response.json();
    expect(body.items.map((i) => i.supplierName)).toEqual(['A1', 'A2']);
    expect(response.headers.link).toBe(`</v1/scores?limit=2&procurementId=${one.procurementId}&cursor=${body.nextCursor}>; rel="next"`);
    const next = await get(ctx, (response.headers.link as string).slice(1, (response.headers.link as string).indexOf('>')), org.admin.token);
    expect(next.json().items.map((i: FeedItem) => i.supplierName)).toEqual(['A3']);
    expect(next.headers.link).toBeUndefined();
    expect((await page(ctx, org.admin.token, `updatedSince=${since}`)).items.map((i) => i.procurementId)).toEqual([two.procurementId, two.procurementId]);
    expect(problemOf(await get(ctx, '/v1/scores?cursor=not-a-cursor', org.admin.token)).code).toBe('pagination.invalid_cursor');
    expect(problemOf(await get(ctx, '/v1/scores?limit=0', org.admin.token)).status).toBe(400);
  });

  it('never mixes two councils: a key of one sees nothing of the other', async () => {
    const a = await seedOrganisation(ctx);
    const b = await seedOrganisation(ctx);
    const world = await submittedResponses(ctx, a, ['Alpha AI']);
    const keyA = await seedApiKey(ctx, a, { scopes: ['scores:read'] });
    const keyB = await seedApiKey(ctx, b, { scopes: ['scores:read'] });
    expect((await page(ctx, keyA.token, 'limit=10')).items).toHaveLength(1);
    expect((await page(ctx, keyB.token, 'limit=10')).items).toEqual([]);
    expect((await page(ctx, keyB.token, `procurementId=${world.procurementId}`)).items).toEqual([]);
    // A cursor made on A's feed shows B nothing of A either.
    const cursorA = (await page(ctx, keyA.token, 'limit=1')).resumeCursor!;
    expect((await page(ctx, keyB.token, `cursor=${cursorA}`)).items).toEqual([]);
    const csvB = await get(ctx, '/v1/scores', keyB.token, { accept: 'text/csv' });
    expect(csvB.body.trim().split('\r\n')).toHaveLength(1);
    // Any council user reads it; a key needs scores:read.
    const evaluator = await seedUser(ctx, a, { role: 'evaluator' });
    expect((await get(ctx, '/v1/scores', evaluator.token)).statusCode).toBe(200);
    const narrow = await seedApiKey(ctx, a, { scopes: ['procurements:read'] });
    expect((await get(ctx, '/v1/scores', narrow.token)).statusCode).toBe(403);
  });

  it('a walk while scores change sees every item, and ends with each in its final state, seen once', async () => {
    const org = await seedOrganisation(ctx);
    const names = Array.from({ length: 24 }, (_, i) => `Supplier ${String(i).padStart(2, '0')}`);
    const { responses } = await submittedResponses(ctx, org, names);
    const initial = await walk(ctx, org.admin.token, { limit: 100 });
    expect(initial).toHaveLength(24);

    // Between pages, change one item already read and one not yet read, and withdraw one response;
    // then several writers at once on a few pages.
    let score = 0;
    const walked = await walk(ctx, org.admin.token, {
      limit: 5,
      between: async (n) => {
        // Writers' clocks disagree: every other page, this one runs behind the last write, as an
        // instance with a slow clock would. The feed must still put its changes after the cursor.
        ctx.clock.advance(n % 2 === 0 ? 5000 : -3000);
        const behind = initial[n]!;
        const ahead = initial[23 - n]!;
        score += 1;
        await rescore(ctx, org, behind, 50 + score);
        await rescore(ctx, org, ahead, 10 + score);
        if (n === 1) {
          const withdrawn = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/withdraw', headers: bearer(responses[3]!.token), payload: {} });
          expect(withdrawn.statusCode).toBe(200);
        }
        if (n === 2 || n === 4) {
          await Promise.all(initial.slice(10, 16).map((item, k) => rescore(ctx, org, item, 80 + n + k)));
        }
      },
    });

    const final = new Map((await walk(ctx, org.admin.token, { limit: 100 })).map((i) => [i.responseId, i]));
    expect(final.size).toBe(24);
    // Every item was seen; the last time each was seen, it was in its final state.
    const lastSeen = new Map(walked.map((i) => [i.responseId, i]));
    expect([...lastSeen.keys()].sort()).toEqual([...final.keys()].sort());
    for (const [id, item] of final) expect(lastSeen.get(id)).toEqual(item);
    // Each final state once, and no version of any item twice.
    for (const item of final.values()) expect(walked.filter((w) => w.responseId === item.responseId && w.updatedAt === item.updatedAt)).toHaveLength(1);
    const versions = walked.map((w) => `${w.responseId}@${w.updatedAt}`);
    expect(new Set(versions).size).toBe(versions.length);
    // updatedAt never goes backwards along the walk, whatever the writers' clocks said.
    const times = walked.map((w) => Date.parse(w.updatedAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(final.get(responses[3]!.responseId)!.status).toBe('withdrawn');
  });

  it('streams the feed as CSV with Accept: text/csv, neutralising cells a spreadsheet would run', async () => {
    const org = await seedOrganisation(ctx);
    const names = ['=HYPERLINK("http://evil.example","x")', '+44 20 7946 0000 Ltd', '-1 Ltd', '@SUM(A1:A9)', 'Plain, "quoted" Ltd'];
    await submittedResponses(ctx, org, names);
    const json = await page(ctx, org.admin.token, 'limit=100');
    const response = await get(ctx, '/v1/scores', org.admin.token, { accept: 'text/csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows: Record<string, string>[] = parse(response.body, { columns: true, record_delimiter: '\r\n' });
    expect(rows.map((r) => r.supplierName)).toEqual([`'${names[0]}`, `'${names[1]}`, `'${names[2]}`, `'${names[3]}`, names[4]]);
    for (const [i, row] of rows.entries()) {
      const item = json.items[i]!;
      expect(row).toMatchObject({ responseId: item.responseId, overallScore: String(item.overallScore), rating: item.rating, final: String(item.final), updatedAt: item.updatedAt });
      expect(row.sectionScores).toBe(item.sections.map((s) => `${s.ref ?? s.key}=${s.score ?? ''}`).join('; '));
    }
    expect(problemOf(await get(ctx, '/v1/scores?cursor=forged', org.admin.token, { accept: 'text/csv' })).code).toBe('pagination.invalid_cursor');
  });

  it('keeps marking blind: an evaluator sees a procurement\'s scores only on its panel, and only once their own marks for the response are in', async () => {
    const org = await seedOrganisation(ctx);
    const member = await seedUser(ctx, org, { role: 'evaluator' });
    const outsider = await seedUser(ctx, org, { role: 'evaluator' });
    const moderator = await seedUser(ctx, org, { role: 'evaluator' });
    const officer = await seedUser(ctx, org, { role: 'officer' });
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    const paneled = await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots'], { evaluatorIds: [member.id], moderatorId: moderator.id });
    const other = await submittedResponses(ctx, org, ['Gamma Ltd']);
    const csvNames = async (token: string) => {
      const response = await get(ctx, '/v1/scores', token, { accept: 'text/csv' });
      expect(response.statusCode).toBe(200);
      return (parse(response.body, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[]).map((r) => r.supplierName);
    };
    const seenBy = async (token: string) => {
      const names = (await page(ctx, token, 'limit=100')).items.map((i) => i.supplierName);
      expect(await csvNames(token)).toEqual(names);
      return names;
    };
    const all = ['Alpha AI', 'Beta Bots', 'Gamma Ltd'];
    for (const token of [org.admin.token, officer.token, key.token]) expect(await seenBy(token)).toEqual(all);
    // Before their own marks are in, the panel member sees nothing; the outsider never does.
    expect(await seenBy(member.token)).toEqual([]);
    expect(await seenBy(outsider.token)).toEqual([]);
    expect(await seenBy(moderator.token)).toEqual([]);

    const call = (url: string, token: string, payload?: object) => ctx.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
    expect((await call(`/v1/procurements/${paneled.procurementId}/close`, org.admin.token)).statusCode).toBe(200);
    expect((await call(`/v1/procurements/${paneled.procurementId}/start-evaluation`, org.admin.token)).statusCode).toBe(200);
    expect((await call(`/v1/procurements/${paneled.procurementId}/declarations`, member.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    expect((await call(`/v1/responses/${paneled.responses[0]!.responseId}/marks/submit`, member.token)).statusCode).toBe(200);
    // Alpha only: Beta awaits the member's marks, and Gamma's procurement is not theirs.
    expect(await seenBy(member.token)).toEqual(['Alpha AI']);
    expect(await seenBy(outsider.token)).toEqual([]);
    expect((await page(ctx, member.token, `procurementId=${other.procurementId}`)).items).toEqual([]);
    // The moderator, once declared, sees every response of their procurement, as they see every mark.
    expect(await seenBy(moderator.token)).toEqual([]);
    expect((await call(`/v1/procurements/${paneled.procurementId}/declarations`, moderator.token, { hasConflict: false, details: 'None' })).statusCode).toBe(201);
    expect(await seenBy(moderator.token)).toEqual(['Alpha AI', 'Beta Bots']);
  });
});
