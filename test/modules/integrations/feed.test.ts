import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { scoreFeed } from '../../../src/modules/scoring';
import { inTransaction } from '../../../src/platform/db';
import { publishScore, type ScoreFeedItem } from '../../../src/modules/scoring/scoring.feed';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedApiKey, seedInvitation, seedOrganisation, seedUser, type SeededOrganisation } from '../../helpers/factories';
import { submittedResponses } from './world';

type FeedItem = ScoreFeedItem & { updatedAt: string };
type FeedPage = { items: FeedItem[]; nextCursor: string | null; resumeCursor: string | null };

const get = (ctx: TestContext, url: string, token: string, headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url, headers: { ...bearer(token), ...headers } });

async function page(ctx: TestContext, token: string, query: string): Promise<FeedPage> {
  const response = await get(ctx, `/v1/scores?${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const csvRows = (response: { body: string }): Record<string, string>[] => parse(response.body, { columns: true, record_delimiter: '\r\n', bom: true });

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

  it('sends the feed as CSV with Accept: text/csv, for machines: every value as stored, no BOM', async () => {
    const org = await seedOrganisation(ctx);
    const names = ['=HYPERLINK("http://evil.example","x")', '+44 20 7946 0000 Ltd', '-1 Ltd', '@SUM(A1:A9)', 'Plain, "quoted" Ltd'];
    await submittedResponses(ctx, org, names);
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    const json = await page(ctx, key.token, 'limit=100');
    const response = await get(ctx, '/v1/scores', key.token, { accept: 'text/csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers.vary).toBe('Accept');
    expect(response.rawPayload.subarray(0, 10).toString('utf8')).toBe('responseId');
    const rows = csvRows(response);
    expect(rows.map((r) => r.supplierName)).toEqual(names);
    for (const [i, row] of rows.entries()) {
      const item = json.items[i]!;
      expect(row).toMatchObject({ responseId: item.responseId, overallScore: String(item.overallScore), rating: item.rating, final: String(item.final), updatedAt: item.updatedAt });
      expect(row.sectionScores).toBe(item.sections.map((s) => `${s.ref ?? s.key}=${s.score ?? ''}`).join('; '));
    }
    // format=csv says the same without Accept.
    expect((await get(ctx, '/v1/scores?format=csv', key.token)).rawPayload.equals(response.rawPayload)).toBe(true);
    const forged = await get(ctx, '/v1/scores?cursor=forged', key.token, { accept: 'text/csv' });
    expect(problemOf(forged).code).toBe('pagination.invalid_cursor');
    // An error answer to a token is not stored either (the app marks it so from the Authorization header).
    expect(forged.headers['cache-control']).toBe('no-store');
  });

  it('sends the CSV for people with Accept: text/csv; profile=excel or format=excel: a BOM, and cells a spreadsheet would run neutralised', async () => {
    const org = await seedOrganisation(ctx);
    const names = ['=HYPERLINK("http://evil.example","x")', '+44 20 7946 0000 Ltd', '-1 Ltd', '@SUM(A1:A9)', 'Plain, "quoted" Ltd'];
    await submittedResponses(ctx, org, names);
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    const byAccept = await get(ctx, '/v1/scores', key.token, { accept: 'text/csv; profile=excel' });
    const byFormat = await get(ctx, '/v1/scores?format=excel', key.token);
    for (const response of [byAccept, byFormat]) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; profile=excel');
      expect([...response.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csvRows(response).map((r) => r.supplierName)).toEqual([`'${names[0]}`, `'${names[1]}`, `'${names[2]}`, `'${names[3]}`, names[4]]);
    }
    expect(byAccept.rawPayload.equals(byFormat.rawPayload)).toBe(true);
    expect(problemOf(await get(ctx, '/v1/scores?format=xlsx', key.token)).code).toBe('request.validation_failed');
  });

  it('pages the CSV as the JSON: `limit` rows, the next page in Link: rel="next" with the cursor of nextCursor, every row once', async () => {
    const org = await seedOrganisation(ctx);
    const names = Array.from({ length: 8 }, (_, i) => `Supplier ${i}`);
    await submittedResponses(ctx, org, names);
    const jsonWalk = await walk(ctx, org.admin.token, { limit: 3 });
    expect(jsonWalk).toHaveLength(8);

    const seen: string[] = [];
    let url: string | null = '/v1/scores?limit=3';
    let jsonCursor: string | null = null;
    for (let n = 0; url && n < 10; n += 1) {
      const response = await get(ctx, url, org.admin.token, { accept: 'text/csv' });
      expect(response.statusCode, response.body).toBe(200);
      const rows = csvRows(response);
      expect(rows.length).toBeLessThanOrEqual(3);
      seen.push(...rows.map((r) => r.responseId!));
      const json = await page(ctx, org.admin.token, `limit=3${jsonCursor ? `&cursor=${jsonCursor}` : ''}`);
      expect(rows.map((r) => r.responseId)).toEqual(json.items.map((i) => i.responseId));
      const link = response.headers.link as string | undefined;
      if (json.nextCursor) expect(link).toBe(`</v1/scores?limit=3&cursor=${json.nextCursor}>; rel="next"`);
      else expect(link).toBeUndefined();
      jsonCursor = json.nextCursor;
      url = link ? link.slice(1, link.indexOf('>')) : null;
    }
    expect(seen).toEqual(jsonWalk.map((i) => i.responseId));
    expect(new Set(seen).size).toBe(8);
    // A page is a page: without a limit, the default of 100 (not the whole feed) and no next link.
    const whole = await get(ctx, '/v1/scores?format=csv', org.admin.token);
    expect([csvRows(whole).length, whole.headers.link]).toEqual([8, undefined]);
  });

  it('answers If-None-Match with 304 and no body while a page is unchanged, and with a new ETag once an item on it changes', async () => {
    const org = await seedOrganisation(ctx);
    await submittedResponses(ctx, org, ['Alpha AI', 'Beta Bots']);
    const key = await seedApiKey(ctx, org, { scopes: ['scores:read'] });
    for (const accept of ['application/json', 'text/csv', 'text/csv; profile=excel']) {
      const first = await get(ctx, '/v1/scores?limit=10', key.token, { accept });
      expect(first.statusCode).toBe(200);
      const etag = first.headers.etag as string;
      expect(etag, accept).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
      const again = await get(ctx, '/v1/scores?limit=10', key.token, { accept, 'if-none-match': etag });
      expect([again.statusCode, again.body, again.headers.etag], accept).toEqual([304, '', etag]);
      // Weak comparison, a list, and `*` all match; another tag does not.
      expect((await get(ctx, '/v1/scores?limit=10', key.token, { accept, 'if-none-match': `"other", ${etag.slice(2)}` })).statusCode).toBe(304);
      expect((await get(ctx, '/v1/scores?limit=10', key.token, { accept, 'if-none-match': '*' })).statusCode).toBe(304);
      expect((await get(ctx, '/v1/scores?limit=10', key.token, { accept, 'if-none-match': 'W/"stale"' })).statusCode).toBe(200);
    }
    // Each representation has its own tag.
    const tags = await Promise.all(['application/json', 'text/csv', 'text/csv; profile=excel'].map(async (accept) => (await get(ctx, '/v1/scores?limit=10', key.token, { accept })).headers.etag));
    expect(new Set(tags).size).toBe(3);

    const before = await get(ctx, '/v1/scores?limit=10', key.token);
    const csvBefore = await get(ctx, '/v1/scores?limit=10', key.token, { accept: 'text/csv' });
    ctx.clock.advance(1000);
    await rescore(ctx, org, (before.json() as FeedPage).items[0]!, 12.5);
    for (const [accept, old] of [['application/json', before], ['text/csv', csvBefore]] as const) {
      const after = await get(ctx, '/v1/scores?limit=10', key.token, { accept, 'if-none-match': old.headers.etag as string });
      expect(after.statusCode, accept).toBe(200);
      expect(after.headers.etag).not.toBe(old.headers.etag);
      expect(after.body).not.toBe(old.body);
    }
  });

  it('changes the ETag when only the next cursor changes, and never shares one between councils', async () => {
    const a = await seedOrganisation(ctx);
    const b = await seedOrganisation(ctx);
    const { procurementId } = await submittedResponses(ctx, a, ['A1', 'A2']);
    const first = await get(ctx, `/v1/scores?limit=2&procurementId=${procurementId}`, a.admin.token);
    expect((first.json() as FeedPage).nextCursor).toBeNull();
    // A third response arrives after the page: its items are the same, but now there is a next page.
    const third = await seedInvitation(ctx, a, procurementId, { supplierName: 'A3' });
    await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/import', headers: bearer(third.token), payload: { answers: { 'a.training': { value: 'never' }, 'b.hours': { value: 5 } } } });
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(third.token), payload: { declaration: true } })).statusCode).toBe(200);
    const second = await get(ctx, `/v1/scores?limit=2&procurementId=${procurementId}`, a.admin.token, { 'if-none-match': first.headers.etag as string });
    expect(second.statusCode).toBe(200);
    expect((second.json() as FeedPage).items).toEqual((first.json() as FeedPage).items);
    expect((second.json() as FeedPage).nextCursor).not.toBeNull();
    expect(second.headers.etag).not.toBe(first.headers.etag);

    // Two councils' empty feeds look alike, but their tags differ; one council's tag is no use to the other.
    const c = await seedOrganisation(ctx);
    const emptyB = await get(ctx, '/v1/scores', b.admin.token);
    const emptyC = await get(ctx, '/v1/scores', c.admin.token);
    expect(emptyB.body).toBe(emptyC.body);
    expect(emptyB.headers.etag).not.toBe(emptyC.headers.etag);
    expect((await get(ctx, '/v1/scores', c.admin.token, { 'if-none-match': emptyB.headers.etag as string })).statusCode).toBe(200);
  });

  it('takes updatedSince as a date-time or as a date, from 00:00 UTC that day, and refuses anything else with 400', async () => {
    // A summer evening in London: 23:30 UTC on 15 July is 00:30 on the 16th by the clocks there.
    ctx.clock.set(new Date('2026-07-15T23:30:00.000Z'));
    const org = await seedOrganisation(ctx);
    await submittedResponses(ctx, org, ['Alpha AI']);
    const names = async (updatedSince: string) => (await page(ctx, org.admin.token, `updatedSince=${encodeURIComponent(updatedSince)}`)).items.map((i) => i.supplierName);
    expect(await names('2026-07-15')).toEqual(['Alpha AI']);
    expect(await names('2026-07-16')).toEqual([]);
    // London's midnight is said with its offset.
    expect(await names('2026-07-16T00:00:00+01:00')).toEqual(['Alpha AI']);
    expect(await names('2026-07-15T23:29:00Z')).toEqual(['Alpha AI']);
    expect(await names('2026-07-15T23:31:00Z')).toEqual([]);
    // The CSV reads it alike.
    expect(csvRows(await get(ctx, '/v1/scores?updatedSince=2026-07-16', org.admin.token, { accept: 'text/csv' }))).toEqual([]);
    expect(csvRows(await get(ctx, '/v1/scores?updatedSince=2026-07-15', org.admin.token, { accept: 'text/csv' }))).toHaveLength(1);

    for (const bad of ['2026-02-30', '2026-13-01', '01/12/2026', '2026-7-1', '2026-07-15T25:00:00Z', '0000-01-01', 'yesterday', '']) {
      const response = await get(ctx, `/v1/scores?updatedSince=${encodeURIComponent(bad)}`, org.admin.token);
      expect(response.statusCode, bad).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = problemOf(response) as { code: string; errors?: Array<{ path: string }> };
      expect(problem.code, bad).toBe('request.validation_failed');
      expect(problem.errors?.map((e) => e.path), bad).toContain('/querystring/updatedSince');
    }
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
