// Scenario S4: an integrator pulls the scores feed. 10,000 published scores in two councils (9,000
// in council A, 1,000 in council B, interleaved in time; test/bench/lib/feed-fixture.ts). With
// council A's API key (scope scores:read), one connection, one request at a time as a contract
// system would, per repetition:
//  - WALKS whole walks of GET /v1/scores?limit=100 following nextCursor (90 pages), each page timed
//    (request sent to body read); a walk must return exactly A's 9,000 rows in feed order, no
//    duplicate, none of B's, with `Link: rel="next"` matching nextCursor;
//  - page depth, directly: PAIRS pairs of the first page and the last page (page 90, with the
//    cursor the walk was given for it), alternating which goes first; p99 of each and the ratio
//    last/first (target ≤ 1.5), per repetition (median of 3 printed) and pooled. The walks' pages
//    1–10 against pages 81–90 are printed as well (80 samples per repetition: p50 and p95);
//  - the CSV export, GET /v1/scores?limit=500 with `Accept: text/csv`, following `Link: rel="next"`
//    (18 pages, each body read whole, 9,000 rows + a header per page),
//    alternating with the database writing the same 16 columns of the same rows as CSV:
//    `COPY (…) TO STDOUT` through psql, timed by psql's \timing (so without psql's start and
//    connection, also printed) on PostgreSQL (target ≤ 3×). PGlite keeps its database inside the
//    server process, so there the COPY (to '/dev/blob') is timed in this process on the same
//    seeded files just before the server opens them: same data, same run, not interleaved.
//  - PostgreSQL only, the DB floor: pgbench (1 client) running feedPage's statement for the first
//    and for the last page, back to back with the above.
// Afterwards: council B's key walks B's feed (1,000 rows, none of A's), and A's key asking for one
// of B's procurements gets no rows. EXPLAIN ANALYZE of the first and last page's statement.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { copySelect, ORG_A_ROWS, ORG_B_ROWS, pageSelect, startSeededService, type Council, type SeededService } from './lib/feed-fixture';
import { percentile } from './lib/gated-load';
import { assertLoopback, cv, fmt, median } from './lib/load';
import { pgbench } from './lib/pgbench';
import type { Engine } from './lib/servers';

const LIMIT = 100;
/** The CSV feed's largest page (the same bound as JSON). */
const CSV_LIMIT = 500;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const WALKS = Number(process.env.BENCH_FEED_WALKS ?? 8);
const PAIRS = Number(process.env.BENCH_FEED_PAIRS ?? 250);
const CSV_RUNS = Number(process.env.BENCH_FEED_CSV_RUNS ?? 3);
const PGBENCH_SECONDS = Number(process.env.BENCH_FEED_PGBENCH_SECONDS ?? 2);
/** Pages at each end of a walk compared with each other. */
const EDGE = 10;
const PAGE_TARGET = 1.5;
const CSV_TARGET = 3;

const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);
const pct = (values: number[]) => `${fmt(cv(values) * 100, 1)}%`;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const p99 = (values: number[]) => percentile(sorted(values), 99);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

// ---------------------------------------------------------------------------------------------
// One keep-alive connection, one request at a time.

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer; ms: number };

function client(base: string, token: string) {
  assertLoopback(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (route: string, accept = 'application/json') =>
    new Promise<Answer>((resolve, reject) => {
      const started = performance.now();
      const request = http.get(`${base}${route}`, { agent, headers: { authorization: `Bearer ${token}`, accept } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), ms: performance.now() - started }));
        response.on('error', reject);
      });
      request.on('error', reject);
    });
  return { get, close: () => agent.destroy() };
}
type Client = ReturnType<typeof client>;

type FeedJson = { items: Array<{ responseId: string; procurementId: string; updatedAt: string; sections: unknown[] }>; nextCursor: string | null; resumeCursor: string | null };

const route = (cursor?: string | null, extra = '') => `/v1/scores?limit=${LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${extra}`;

type Walk = { pageMs: number[]; ids: string[]; cursors: Array<string | null>; totalMs: number; problems: string[] };

/** Follows nextCursor from the first page to the end. */
async function walk(api: Client, extra = ''): Promise<Walk> {
  const pageMs: number[] = [];
  const ids: string[] = [];
  const cursors: Array<string | null> = [];
  const problems: string[] = [];
  let cursor: string | null = null;
  const started = performance.now();
  for (let page = 0; page < 1_000; page += 1) {
    const answer = await api.get(route(cursor, extra));
    pageMs.push(answer.ms);
    cursors.push(cursor);
    if (answer.status !== 200) {
      problems.push(`page ${page + 1}: status ${answer.status} ${answer.body.toString().slice(0, 200)}`);
      break;
    }
    const json = JSON.parse(answer.body.toString()) as FeedJson;
    for (const item of json.items) ids.push(item.responseId);
    const link = answer.headers.link;
    const linkCursor = typeof link === 'string' ? /[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/.exec(link)?.[1] : undefined;
    if ((linkCursor ? decodeURIComponent(linkCursor) : null) !== json.nextCursor) problems.push(`page ${page + 1}: Link ${String(link)} does not match nextCursor ${json.nextCursor}`);
    if (json.nextCursor && json.items.length !== LIMIT) problems.push(`page ${page + 1}: ${json.items.length} items before the end`);
    cursor = json.nextCursor;
    if (!cursor) break;
  }
  return { pageMs, ids, cursors, totalMs: performance.now() - started, problems };
}

/** What is wrong with a walk (or a CSV) of a council's feed: count, duplicates, order, the other council's rows. */
function checkIds(ids: string[], own: Council, other: Council): { count: number; otherRows: number; duplicates: number; inOrder: boolean } {
  const otherIds = new Set(other.feedOrder);
  return {
    count: ids.length,
    otherRows: ids.filter((id) => otherIds.has(id)).length,
    duplicates: ids.length - new Set(ids).size,
    inOrder: ids.length === own.feedOrder.length && ids.every((id, i) => id === own.feedOrder[i]),
  };
}

// ---------------------------------------------------------------------------------------------
// CSV: the service's export and the database's COPY of the same rows.

type Csv = { ms: number; bytes: number; ids: string[] };

const firstColumn = (text: string) =>
  text
    .split(/\r?\n/)
    .filter(Boolean)
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(',')));

/** The CSV feed pages like the JSON one: pages of CSV_LIMIT rows, following `Link: rel="next"`; `ms` is the sum of the pages. */
async function csvExport(api: Client): Promise<Csv> {
  let route: string | null = `/v1/scores?limit=${CSV_LIMIT}`;
  const result: Csv = { ms: 0, bytes: 0, ids: [] };
  while (route) {
    const answer = await api.get(route, 'text/csv');
    if (answer.status !== 200 || !String(answer.headers['content-type']).startsWith('text/csv')) throw new Error(`GET ${route} as CSV answered ${answer.status} ${String(answer.headers['content-type'])}`);
    result.ms += answer.ms;
    result.bytes += answer.body.length;
    result.ids.push(...firstColumn(answer.body.toString()));
    const next = /<([^>]+)>;\s*rel="next"/.exec(String(answer.headers.link ?? ''));
    const url = next ? new URL(next[1]!, 'http://feed.invalid') : null;
    route = url ? `${url.pathname}${url.search}` : null;
  }
  return result;
}

type Copy = Csv & { wallMs: number };

/** `COPY (…) TO STDOUT WITH (FORMAT csv, HEADER)` through psql; `ms` is psql's own \timing of it. */
function psqlCopy(databaseUrl: string, organisationId: string): Promise<Copy> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', '\\timing on', '-c', `copy (${copySelect(organisationId)}) to stdout with (format csv, header)`, databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      const text = Buffer.concat(chunks).toString();
      const timing = /^Time: ([\d.]+) ms/m.exec(text);
      if (code !== 0 || !timing) return reject(new Error(`psql COPY exited with ${code}: ${errors.slice(0, 500)}`));
      const csv = text.slice(0, timing.index);
      resolve({ ms: Number(timing[1]), wallMs, bytes: Buffer.byteLength(csv), ids: firstColumn(csv) });
    });
  });
}

// ---------------------------------------------------------------------------------------------

type Repetition = {
  walkTotals: number[];
  firstEdge: number[];
  lastEdge: number[];
  directFirst: number[];
  directLast: number[];
  csvMs: number[];
  copyMs: number[];
  copyWallMs: number[];
  floorFirst: number | null;
  floorLast: number | null;
};

const decodeCursor = (cursor: string) => {
  const [updatedAt, responseId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
  return { updatedAt, responseId };
};

async function explainPostgres(databaseUrl: string, statements: string[]): Promise<string[][]> {
  const db = new pg.Client({ connectionString: databaseUrl, application_name: 'aidd-bench-s4' });
  await db.connect();
  try {
    const plans: string[][] = [];
    for (const statement of statements) {
      const { rows } = await db.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${statement}`);
      plans.push(rows.map((r) => r['QUERY PLAN']));
    }
    return plans;
  } finally {
    await db.end();
  }
}

/** The plan's node lines and execution time, in one line. */
const planSummary = (plan: string[]) =>
  plan
    .filter((line) => /->|^\S|Index Cond|Filter|Rows Removed|Execution Time/.test(line.trim()) && !/Planning|Buffers|^Sort Key/.test(line.trim()))
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .join(' | ');

async function runEngine(engine: Engine): Promise<string[]> {
  const started = performance.now();
  console.log(`  [${engine}] seeding ${fmt(ORG_A_ROWS + ORG_B_ROWS)} scores, then starting the service`);
  const service: SeededService = await startSeededService({ engine, copyRuns: CSV_RUNS * REPETITIONS });
  const { a, b, seedSeconds } = service.fixture;
  const lines: string[] = [];
  const apiA = client(service.url, a.apiKey);
  const apiB = client(service.url, b.apiKey);
  try {
    console.log(`  [${engine}] seeded in ${fmt(seedSeconds, 1)} s; warming up`);
    // Warm-up (JIT, pool connections, caches), and the last page's cursor.
    const warm = await walk(apiA);
    if (warm.problems.length > 0) throw new Error(`the warm-up walk failed: ${warm.problems.slice(0, 3).join('; ')}`);
    const lastCursor = warm.cursors[warm.cursors.length - 1]!;
    const pages = warm.pageMs.length;
    for (let i = 0; i < 30; i += 1) {
      await apiA.get(route(null));
      await apiA.get(route(lastCursor));
    }
    await csvExport(apiA);

    const firstStatement = pageSelect(a.id, null);
    const lastStatement = pageSelect(a.id, decodeCursor(lastCursor));
    const reps: Repetition[] = [];
    const walkChecks: Array<ReturnType<typeof checkIds>> = [];
    const csvChecks: Array<ReturnType<typeof checkIds>> = [];
    const copyChecks: Array<ReturnType<typeof checkIds>> = [];
    const walkProblems: string[] = [];
    let csvBytes = 0;
    let copyBytes = 0;
    for (let r = 0; r < REPETITIONS; r += 1) {
      console.log(`  [${engine}] repetition ${r + 1}/${REPETITIONS}`);
      const rep: Repetition = { walkTotals: [], firstEdge: [], lastEdge: [], directFirst: [], directLast: [], csvMs: [], copyMs: [], copyWallMs: [], floorFirst: null, floorLast: null };
      for (let w = 0; w < WALKS; w += 1) {
        const one = await walk(apiA);
        rep.walkTotals.push(one.totalMs);
        rep.firstEdge.push(...one.pageMs.slice(0, EDGE));
        rep.lastEdge.push(...one.pageMs.slice(-EDGE));
        walkChecks.push(checkIds(one.ids, a, b));
        walkProblems.push(...one.problems);
      }
      for (let i = 0; i < PAIRS; i += 1) {
        const order = i % 2 === 0 ? [null, lastCursor] : [lastCursor, null];
        for (const cursor of order) {
          const answer = await apiA.get(route(cursor));
          if (answer.status !== 200) throw new Error(`page request answered ${answer.status}`);
          (cursor ? rep.directLast : rep.directFirst).push(answer.ms);
        }
      }
      for (let i = 0; i < CSV_RUNS; i += 1) {
        const csv = await csvExport(apiA);
        rep.csvMs.push(csv.ms);
        csvBytes = csv.bytes;
        csvChecks.push(checkIds(csv.ids, a, b));
        if (service.databaseUrl) {
          const copy = await psqlCopy(service.databaseUrl, a.id);
          rep.copyMs.push(copy.ms);
          rep.copyWallMs.push(copy.wallMs);
          copyBytes = copy.bytes;
          copyChecks.push(checkIds(copy.ids, a, b));
        }
      }
      if (service.databaseUrl) {
        rep.floorFirst = (await pgbench({ databaseUrl: service.databaseUrl, clients: 1, threads: 1, seconds: PGBENCH_SECONDS, script: `${firstStatement};\n` })).latencyMs;
        rep.floorLast = (await pgbench({ databaseUrl: service.databaseUrl, clients: 1, threads: 1, seconds: PGBENCH_SECONDS, script: `${lastStatement};\n` })).latencyMs;
      }
      reps.push(rep);
    }

    // Isolation: B's own walk, and A asking for one of B's procurements.
    const walkB = await walk(apiB);
    const checkB = checkIds(walkB.ids, b, a);
    const crossProcurement = await apiA.get(route(null, `&procurementId=${b.procurementIds[0]!}`));
    const crossItems = crossProcurement.status === 200 ? (JSON.parse(crossProcurement.body.toString()) as FeedJson).items.length : -1;

    // Per repetition, then the median over repetitions and its cv.
    const per = (f: (rep: Repetition) => number) => reps.map(f);
    const directFirstP99 = per((x) => p99(x.directFirst));
    const directLastP99 = per((x) => p99(x.directLast));
    const directRatio = reps.map((_, i) => directLastP99[i]! / directFirstP99[i]!);
    const directFirstP50 = per((x) => median(x.directFirst));
    const directLastP50 = per((x) => median(x.directLast));
    const all = (f: (rep: Repetition) => number[]) => reps.flatMap(f);
    const p95 = (values: number[]) => percentile(sorted(values), 95);
    const edgeFirstP95 = per((x) => p95(x.firstEdge));
    const edgeLastP95 = per((x) => p95(x.lastEdge));
    const edgeRatio = reps.map((_, i) => edgeLastP95[i]! / edgeFirstP95[i]!);
    const edgeFirstP50 = per((x) => median(x.firstEdge));
    const edgeLastP50 = per((x) => median(x.lastEdge));
    const walkTotal = per((x) => median(x.walkTotals));
    const csvMs = per((x) => median(x.csvMs));
    const copyMs = service.embedded ? [] : per((x) => median(x.copyMs));
    const copyWall = per((x) => (x.copyWallMs.length ? median(x.copyWallMs) : 0));
    const worst = <K extends keyof ReturnType<typeof checkIds>>(checks: Array<ReturnType<typeof checkIds>>, key: K) => checks.map((c) => c[key]);
    const sumOf = (values: number[]) => values.reduce((n, v) => n + v, 0);

    const directRatioMedian = median(directRatio);
    lines.push(
      `S4 setup [${engine}]: ${fmt(ORG_A_ROWS)} scores in council A + ${fmt(ORG_B_ROWS)} in council B (interleaved in time, with ties), written straight into the database in ${fmt(seedSeconds, 1)} s; ` +
        `A's walk is ${pages} pages of ${LIMIT}; ${REPETITIONS} repetitions of ${WALKS} walks, ${PAIRS} first/last page pairs, ${CSV_RUNS} CSV exports${service.databaseUrl ? ` beside ${CSV_RUNS} COPYs and pgbench ${PGBENCH_SECONDS} s × 2` : ''}`,
      `S4 page depth [${engine}] direct, page 1 vs page ${pages} (its cursor), ${PAIRS} each per repetition, one connection: ` +
        `first p99 ${ms(median(directFirstP99))} ms (p50 ${ms(median(directFirstP50))}, cv of p99 ${pct(directFirstP99)}) | last p99 ${ms(median(directLastP99))} ms (p50 ${ms(median(directLastP50))}, cv ${pct(directLastP99)})` +
        ` | ratio last/first p99 ${directRatioMedian.toFixed(3)} (per repetition ${directRatio.map((x) => x.toFixed(3)).join(', ')}; target ≤ ${PAGE_TARGET}: ${met(directRatioMedian <= PAGE_TARGET)})` +
        ` | p50 ratio ${(median(directLastP50) / median(directFirstP50)).toFixed(3)}` +
        ` | all ${REPETITIONS} repetitions pooled (${REPETITIONS * PAIRS} each): p99 ${ms(p99(all((x) => x.directFirst)))} vs ${ms(p99(all((x) => x.directLast)))} ms, ratio ${(p99(all((x) => x.directLast)) / p99(all((x) => x.directFirst))).toFixed(3)}`,
      `S4 page depth [${engine}] in the walks, pages 1–${EDGE} vs ${pages - EDGE + 1}–${pages} (${WALKS * EDGE} samples each per repetition, where p99 would be the maximum, so p95; informational): ` +
        `first p95 ${ms(median(edgeFirstP95))} ms (p50 ${ms(median(edgeFirstP50))}) | last p95 ${ms(median(edgeLastP95))} ms (p50 ${ms(median(edgeLastP50))})` +
        ` | ratio last/first p95 ${median(edgeRatio).toFixed(3)} (cv ${pct(edgeRatio)}), p50 ${(median(edgeLastP50) / median(edgeFirstP50)).toFixed(3)}` +
        ` | all ${REPETITIONS} repetitions pooled (${REPETITIONS * WALKS * EDGE} samples each): p99 ${ms(p99(all((x) => x.firstEdge)))} vs ${ms(p99(all((x) => x.lastEdge)))} ms, ratio ${(p99(all((x) => x.lastEdge)) / p99(all((x) => x.firstEdge))).toFixed(3)}`,
      `S4 walk [${engine}]: whole walk (${pages} pages, ${fmt(ORG_A_ROWS)} items) median ${fmt(median(walkTotal), 0)} ms (cv ${pct(walkTotal)}; ${fmt(median(walkTotal) / pages, 2)} ms per page, incl. this client's JSON.parse of each page)` +
        ` | ${walkChecks.length} walks checked: items per walk ${[...new Set(walkChecks.map((c) => c.count))].map((n) => fmt(n)).join(' or ')} of ${fmt(ORG_A_ROWS)}, exactly A's rows in feed order in ${walkChecks.filter((c) => c.inOrder).length}/${walkChecks.length}` +
        `, duplicates ${sumOf(worst(walkChecks, 'duplicates'))}, other-council rows ${sumOf(worst(walkChecks, 'otherRows'))}, Link/nextCursor problems ${walkProblems.length}` +
        (walkProblems.length ? ` (${walkProblems.slice(0, 3).join('; ')})` : ''),
    );
    if (service.databaseUrl) {
      const copyMedian = median(copyMs);
      const csvRatio = median(csvMs) / copyMedian;
      const csvRatios = reps.map((_, i) => csvMs[i]! / copyMs[i]!);
      lines.push(
        `S4 CSV [${engine}] GET /v1/scores Accept: text/csv (${fmt(ORG_A_ROWS)} rows + header, ${fmt(csvBytes / 1024, 0)} KB, whole body read): ${fmt(median(csvMs), 1)} ms (cv ${pct(csvMs)})` +
          ` | COPY (same 16 columns, same rows, same order) TO STDOUT, psql \\timing: ${fmt(copyMedian, 1)} ms (cv ${pct(copyMs)}; ${fmt(copyBytes / 1024, 0)} KB; psql wall incl. start and connect ${fmt(median(copyWall), 1)} ms)` +
          ` | ratio CSV/COPY ${csvRatio.toFixed(2)} (per repetition ${csvRatios.map((x) => x.toFixed(2)).join(', ')}; target ≤ ${CSV_TARGET}: ${met(csvRatio <= CSV_TARGET)})` +
          ` | checks: CSV exactly A's rows in order ${csvChecks.filter((c) => c.inOrder).length}/${csvChecks.length}, other-council rows ${sumOf(worst(csvChecks, 'otherRows'))}; COPY in the same order ${copyChecks.filter((c) => c.inOrder).length}/${copyChecks.length}`,
      );
      const floorFirst = per((x) => x.floorFirst ?? Number.NaN);
      const floorLast = per((x) => x.floorLast ?? Number.NaN);
      lines.push(
        `S4 DB floor [${engine}] pgbench -c 1 ${PGBENCH_SECONDS} s, feedPage's statement (limit 101): first page ${ms(median(floorFirst))} ms, last page ${ms(median(floorLast))} ms (mean latency; cv ${pct(floorFirst)}, ${pct(floorLast)})` +
          ` | ratio last/first ${(median(floorLast) / median(floorFirst)).toFixed(3)} | service p50 / floor: first page ${fmt(median(directFirstP50) / median(floorFirst), 1)}×, last page ${fmt(median(directLastP50) / median(floorLast), 1)}×`,
      );
      const [firstPlan, lastPlan] = await explainPostgres(service.databaseUrl, [firstStatement, lastStatement]);
      lines.push(`S4 EXPLAIN ANALYZE [${engine}] first page: ${planSummary(firstPlan!)}`, `S4 EXPLAIN ANALYZE [${engine}] last page: ${planSummary(lastPlan!)}`);
    } else if (service.embedded) {
      const probe = service.embedded;
      const copyMedian = median(probe.copyMs);
      const csvRatio = median(csvMs) / copyMedian;
      lines.push(
        `S4 CSV [${engine}] GET /v1/scores Accept: text/csv (${fmt(ORG_A_ROWS)} rows + header, ${fmt(csvBytes / 1024, 0)} KB, whole body read): ${fmt(median(csvMs), 1)} ms (cv ${pct(csvMs)})` +
          ` | COPY (same 16 columns, same rows) TO '/dev/blob' in this process's PGlite on the same seeded files before the server started (not interleaved): ${fmt(copyMedian, 1)} ms (cv ${pct(probe.copyMs)}, ${probe.copyMs.length} runs after 2 warm-up; ${fmt(probe.copyLines)} lines, ${fmt(probe.copyBytes / 1024, 0)} KB)` +
          ` | ratio CSV/COPY ${csvRatio.toFixed(2)} (target ≤ ${CSV_TARGET}: ${met(csvRatio <= CSV_TARGET)})` +
          ` | checks: CSV exactly A's rows in order ${csvChecks.filter((c) => c.inOrder).length}/${csvChecks.length}, other-council rows ${sumOf(worst(csvChecks, 'otherRows'))}`,
        `S4 EXPLAIN ANALYZE [${engine}] (this process's PGlite, before the server) first page: ${planSummary(probe.explain.first)}`,
        `S4 EXPLAIN ANALYZE [${engine}] last page: ${planSummary(probe.explain.last)}`,
      );
    }
    lines.push(
      `S4 isolation [${engine}]: council B's key walked ${fmt(walkB.ids.length)}/${fmt(ORG_B_ROWS)} rows in ${walkB.pageMs.length} pages (in feed order: ${checkB.inOrder ? 'yes' : 'NO'}, duplicates ${checkB.duplicates}, council A rows ${checkB.otherRows})` +
        ` | council A's key with procurementId of one of B's procurements: status ${crossProcurement.status}, ${crossItems} items` +
        ` | other-council rows in A's walks and CSVs: ${sumOf(worst(walkChecks, 'otherRows')) + sumOf(worst(csvChecks, 'otherRows'))}` +
        ` | wall time ${fmt((performance.now() - started) / 1000, 1)} s`,
    );
    return lines;
  } finally {
    apiA.close();
    apiB.close();
    await service.stop();
  }
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const lines: string[] = [];
  for (const engine of engines) lines.push(...(await runEngine(engine)));
  return lines;
}
