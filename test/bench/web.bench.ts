// Scenario S5: the GOV.UK form page of the supplier web form. A logged-in supplier (the session
// cookie from its invitation link) asks for a section page of 10 questions of mixed types, half of
// them answered, so the page shows filled fields (test/bench/lib/web-form-fixture.ts): every request
// resolves the session, reads the response and renders the page through Nunjucks and GOV.UK
// Frontend's macros. Beside it, in the same run, the fastify hello-world (the ceiling of any API
// route), interleaved, same connections. Target: section page req/s ≥ 0.2× hello-world.
// Two more ceilings (issue 22): the page's exact bytes served by fastify from a string, and on
// PostgreSQL the render-only floor (the same template and context rendered in one process, no I/O;
// lib/render-floor.ts). Targets there: page ≥ 0.6× the floor, ≥ 500 req/s at c=50, p50 < 5 ms at c=1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { call } from './lib/http';
import { fmt, load, median } from './lib/load';
import { interleavedFigures, interleavedWithHello, ms, statusChecks } from './lib/page-vs-hello';
import { renderFloor } from './lib/render-floor';
import { startHelloWorld, startProcess, startService, type Engine } from './lib/servers';
import { WEB_QUESTIONS, WEB_SECTION_KEY, WEB_TRIAGE, webFilledMarkers, webFormAnswers, webFormDefinitionInput, webQuestionLabels } from './lib/web-form-fixture';

const CONNECTIONS = 50;
/** Seconds of each autocannon run: one repetition is a hello-world run and a section-page run, back to back. */
const DURATION = Number(process.env.BENCH_WEB_DURATION ?? 4);
const WARM_UP_SECONDS = 2;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const TARGET = 0.2;
const SECTION_ROUTE = `/respond/sections/${WEB_SECTION_KEY}`;

type WebSetup = { cookie: string; seconds: number };

/**
 * Through the real HTTP API: the questionnaire imported and published, the procurement created and
 * opened, one supplier invited, half its answers saved through the supplier API, then the
 * invitation link opened for the session cookie, as a browser would.
 */
async function setUpWebForm(base: string, adminToken: string): Promise<WebSetup> {
  const started = performance.now();
  const me = await call<{ user: { id: string } }>(base, adminToken, 'GET', '/v1/me');
  const imported = await call<{ id: string; questionCount: number }>(base, adminToken, 'POST', '/v1/questionnaires', webFormDefinitionInput(), [201]);
  if (imported.questionCount !== WEB_QUESTIONS) throw new Error(`imported ${imported.questionCount} questions, not ${WEB_QUESTIONS}`);
  await call(base, adminToken, 'POST', `/v1/questionnaires/${imported.id}/publish`);
  const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
  const procurement = await call<{ id: string }>(
    base,
    adminToken,
    'POST',
    '/v1/procurements',
    { title: 'S5 web form bench', questionnaireId: imported.id, deadline, triage: WEB_TRIAGE, moderatorId: me.user.id },
    [201],
  );
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
  const invited = await call<{ token: string }>(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/invitations`, { supplierName: 'Bench Web Supplier Ltd', contactEmail: 'bids@web-supplier.example' }, [201]);
  await call(base, invited.token, 'PATCH', '/v1/supplier/response/answers', { answers: webFormAnswers() });
  const opened = await fetch(`${base}/respond/${invited.token}`, { redirect: 'manual' });
  await opened.arrayBuffer();
  const session = opened.headers
    .getSetCookie()
    .map((line) => /^aidd_session=([^;]+)/.exec(line)?.[1])
    .find(Boolean);
  if (opened.status !== 303 || !session) throw new Error(`GET /respond/{token} answered ${opened.status} without an aidd_session cookie (set-cookie: ${opened.headers.getSetCookie().join(' | ')})`);
  return { cookie: `aidd_session=${session}`, seconds: (performance.now() - started) / 1000 };
}

type Page = { status: number; contentType: string; bytes: number; html: string; problems: string[] };

/** One request for the page, and what is wrong with it: not a 200 HTML page, or a question label or saved answer missing. */
async function fetchPage(url: string, cookie: string): Promise<Page> {
  const response = await fetch(url, { headers: { cookie } });
  const body = Buffer.from(await response.arrayBuffer());
  const html = body.toString('utf8');
  const contentType = response.headers.get('content-type') ?? '';
  const missingLabels = webQuestionLabels().filter((label) => !html.includes(label));
  const missingAnswers = webFilledMarkers().filter((marker) => !html.includes(marker));
  const problems = [
    ...(response.status === 200 ? [] : [`status ${response.status}`]),
    ...(contentType.startsWith('text/html') ? [] : [`content-type ${contentType}`]),
    ...(missingLabels.length === 0 ? [] : [`${missingLabels.length} question labels missing (${missingLabels.join('; ')})`]),
    ...(missingAnswers.length === 0 ? [] : [`${missingAnswers.length} saved answers not shown (${missingAnswers.map((m) => m.slice(0, 40)).join('; ')})`]),
  ];
  return { status: response.status, contentType, bytes: body.length, html, problems };
}

async function measure(engine: Engine): Promise<string[]> {
  const hello = await startHelloWorld();
  const service = await startService({ engine });
  try {
    const setup = await setUpWebForm(service.url, service.adminToken);
    const url = `${service.url}${SECTION_ROUTE}`;
    const headers = { cookie: setup.cookie };
    const before = await fetchPage(url, setup.cookie);
    if (before.problems.length > 0) return [`S5 GET ${SECTION_ROUTE} [${engine}]: NOT MEASURED, the page is wrong before any load: ${before.problems.join(', ')}`];
    console.log(`  [${engine}] set up in ${fmt(setup.seconds, 1)} s; the page is ${fmt(before.bytes)} bytes with all ${WEB_QUESTIONS} labels; warming up`);

    const result = await interleavedWithHello({ helloUrl: `${hello.url}/`, url, headers, connections: CONNECTIONS, durationSeconds: DURATION, warmUpSeconds: WARM_UP_SECONDS, repetitions: REPETITIONS });
    const after = await fetchPage(url, setup.cookie);

    const status = statusChecks(result);
    const checks = [
      ...status.lines,
      `page before the load: 200 text/html, all ${WEB_QUESTIONS} question labels and the ${webFilledMarkers().length} saved-answer markers present, ${fmt(before.bytes)} bytes` +
        `; after it: ${after.problems.length === 0 ? 'the same' : after.problems.join(', ')}, ${fmt(after.bytes)} bytes`,
    ];
    const ok = status.ok && after.problems.length === 0 && after.bytes === before.bytes;
    const ceilings = await pageCeilings({ engine, url, headers, html: before.html, databaseUrl: service.databaseUrl });
    return [
      `S5 GET ${SECTION_ROUTE} [${engine}] (section page, logged-in supplier, ${WEB_QUESTIONS} questions of 7 types, 5 answered, 3 asking for evidence; ${fmt(before.bytes)} bytes of HTML, uncompressed)` +
        interleavedFigures({ result, connections: CONNECTIONS, durationSeconds: DURATION, repetitions: REPETITIONS, target: TARGET }),
      `S5 checks [${engine}]: ${checks.join('; ')}${ok ? '' : ' — CHECK FAILED'} | setup through the API ${fmt(setup.seconds, 1)} s`,
      `S5 ceilings [${engine}]: ${ceilings.describe(median(result.candidate.map((r) => r.requestsPerSecond)))}`,
    ];
  } finally {
    await service.stop();
    await hello.stop();
  }
}

/**
 * The page beside its own ceilings: the same bytes from a string (another process, same connections),
 * the page alone at c=1 (its latency without queueing), and on PostgreSQL the render-only floor.
 */
async function pageCeilings({ engine, url, headers, html, databaseUrl }: { engine: Engine; url: string; headers: Record<string, string>; html: string; databaseUrl?: string | undefined }) {
  const directory = mkdtempSync(path.join(tmpdir(), 'aidd-bench-page-'));
  const file = path.join(directory, 'page.html');
  writeFileSync(file, html);
  const bytesServer = await startProcess({ script: 'test/bench/lib/static-page-server.ts', env: { PAGE_FILE: file } });
  const fromString: number[] = [];
  const single: { p50: number; rps: number }[] = [];
  try {
    await load({ url: `${bytesServer.url}/`, connections: CONNECTIONS, durationSeconds: WARM_UP_SECONDS });
    for (let i = 0; i < REPETITIONS; i += 1) {
      fromString.push((await load({ url: `${bytesServer.url}/`, connections: CONNECTIONS, durationSeconds: DURATION })).requestsPerSecond);
      const one = await load({ url, connections: 1, durationSeconds: DURATION, headers });
      single.push({ p50: one.p50, rps: one.requestsPerSecond });
    }
  } finally {
    await bytesServer.stop();
    rmSync(directory, { recursive: true, force: true });
  }
  const floor = engine === 'postgres' && databaseUrl ? await renderFloor({ databaseUrl, route: SECTION_ROUTE, cookie: headers.cookie!, seconds: DURATION }) : undefined;
  const p50 = median(single.map((s) => s.p50));
  return {
    describe: (pageRps: number) =>
      `same ${fmt(Buffer.byteLength(html))} bytes from a string ${fmt(median(fromString))} req/s (c=${CONNECTIONS}), ratio page/bytes ${(pageRps / median(fromString)).toFixed(3)}` +
      ` | page at c=1: p50 ${ms(p50)} ms, ${fmt(median(single.map((s) => s.rps)))} req/s (target p50 < 5 ms: ${p50 < 5 ? 'met' : 'NOT met'})` +
      ` | page at c=${CONNECTIONS} ${fmt(pageRps)} req/s (target >= 500: ${pageRps >= 500 ? 'met' : 'NOT met'})` +
      (floor
        ? ` | render-only floor (${floor.template}, same context, in process, ${DURATION} s) ${fmt(floor.rendersPerSecond)} renders/s, ${ms(floor.msPerRender)} ms each, ratio page/floor ${(pageRps / floor.rendersPerSecond).toFixed(3)} (target >= 0.6: ${pageRps / floor.rendersPerSecond >= 0.6 ? 'met' : 'NOT met'})` +
          ` | remembered template lookups: ${fmt(floor.alternating.app)} renders/s against ${fmt(floor.alternating.plain)} in a plain nunjucks environment, alternating slices, ratio ${(floor.alternating.app / floor.alternating.plain).toFixed(3)}`
        : ' | render-only floor: PostgreSQL only (the embedded database is held by the server measured)'),
  };
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const started = performance.now();
  const lines: string[] = [];
  for (const engine of engines) lines.push(...(await measure(engine)));
  lines.push(`S5 wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return lines;
}
