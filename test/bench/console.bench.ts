// Scenario S6: the officer console's procurement page. A signed-in officer (the staff session cookie,
// got by signing in through the link emailed over SMTP, as a browser would) asks for GET /procurements/{id}:
// a procurement on the built-in questionnaire with its triage answered, a panel named and 10
// suppliers invited. Every request resolves the staff session, reads the procurement, its pinned
// questionnaire, the suppliers' counts and the panel's names, and renders the summary and the
// lifecycle task list through Nunjucks and GOV.UK Frontend's macros. Beside it, in the same run,
// the fastify hello-world (the ceiling of any route), interleaved, same connections; the ratio is
// printed against S5's bar for a page (≥ 0.2 of hello-world).
import { performance } from 'node:perf_hooks';
import { BUILT_IN_TRIAGE } from '../helpers/built-in-triage';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-server';
import { call } from './lib/http';
import { cv, fmt, load, median, type LoadResult } from './lib/load';
import { startHelloWorld, startService, type Engine } from './lib/servers';

const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_WEB_DURATION ?? 4);
const WARM_UP_SECONDS = 2;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const TARGET = 0.2;
const SUPPLIERS = 10;
const ADMIN_EMAIL = 'bench@example.gov.uk';

const pct = (values: number[]) => `${fmt(cv(values) * 100, 1)}%`;
/** 3 decimals, or 3 significant digits for a ratio under 0.1, so a small one is not rounded up to the next thousandth. */
const ratio = (n: number) => (n >= 0.1 ? n.toFixed(3) : n.toPrecision(3));
const ratioVs = (n: number, bar: number) => {
  const short = ratio(n);
  return Number(short) === bar || Number(short) >= bar !== n >= bar ? n.toFixed(6) : short;
};
const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);

/** `name=value` of each Set-Cookie, merged over `jar`. */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    if (at > 0) jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/**
 * Signs the admin in as a browser does: the sign-in page, the email address posted, the link taken
 * from the email, the link's page, and its button pressed. Returns the cookie header.
 */
async function signIn(base: string, mail: SmtpCapture): Promise<string> {
  const jar = new Map<string, string>();
  const form = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) }, body: new URLSearchParams(fields).toString() });
    keepCookies(jar, response);
    await response.arrayBuffer();
    return response;
  };
  const page = async (path: string) => {
    const response = await fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    keepCookies(jar, response);
    return { status: response.status, html: await response.text() };
  };
  const signInPage = await page('/sign-in');
  const asked = await form('/sign-in/email', { _csrf: csrfOf(signInPage.html) ?? '', email: ADMIN_EMAIL });
  if (asked.status !== 303) throw new Error(`POST /sign-in/email answered ${asked.status}`);
  // The email is sent after the answer: the inbox is read until it holds the link, for up to 10 s.
  let link: string | undefined;
  for (const until = performance.now() + 10_000; !link && performance.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
    link = mail.received.filter((m) => m.to.includes(ADMIN_EMAIL)).map((m) => /\/sign-in\/link\/[A-Za-z0-9_-]+/.exec(m.text)?.[0]).find(Boolean);
  }
  if (!link) throw new Error(`no sign-in link emailed to ${ADMIN_EMAIL} after 10 s`);
  const linkPage = await page(link);
  const action = /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(linkPage.html)?.[1] ?? link;
  const used = await form(action, { _csrf: csrfOf(linkPage.html) ?? '' });
  if (used.status !== 303 || !jar.has('aidd_staff')) throw new Error(`signing in with the link answered ${used.status} without a staff session cookie`);
  return `aidd_staff=${jar.get('aidd_staff')}`;
}

type Setup = { path: string; cookie: string; seconds: number };

/** Through the real HTTP API: a draft on the built-in questionnaire, triage answered, the admin on the panel, opened, 10 suppliers invited. */
async function setUpProcurement(base: string, adminToken: string, mail: SmtpCapture): Promise<Setup> {
  const started = performance.now();
  const me = await call<{ user: { id: string } }>(base, adminToken, 'GET', '/v1/me');
  const builtIn = await call<{ items: { id: string }[] }>(base, adminToken, 'GET', '/v1/questionnaires?builtIn=true');
  const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
  const procurement = await call<{ id: string }>(
    base,
    adminToken,
    'POST',
    '/v1/procurements',
    { title: 'S6 console bench', reference: 'BENCH-S6', questionnaireId: builtIn.items[0]!.id, deadline, triage: BUILT_IN_TRIAGE, evaluatorIds: [me.user.id], moderatorId: me.user.id },
    [201],
  );
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
  for (let i = 0; i < SUPPLIERS; i += 1) {
    await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/invitations`, { supplierName: `Bench Console Supplier ${i + 1} Ltd`, contactEmail: `bids${i + 1}@supplier.example` }, [201]);
  }
  const cookie = await signIn(base, mail);
  return { path: `/procurements/${procurement.id}`, cookie, seconds: (performance.now() - started) / 1000 };
}

type Page = { status: number; contentType: string; bytes: number; problems: string[] };

/** One request for the page, and what is wrong with it: not a 200 HTML page, or the procurement's facts missing. */
async function fetchPage(url: string, cookie: string): Promise<Page> {
  const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  const html = body.toString('utf8');
  const contentType = response.headers.get('content-type') ?? '';
  const expected = ['S6 console bench', `${SUPPLIERS} invited, 0 submitted`, 'Open to suppliers', 'Risk tier', 'Bench'];
  const missing = expected.filter((text) => !html.includes(text));
  const problems = [
    ...(response.status === 200 ? [] : [`status ${response.status}`]),
    ...(contentType.startsWith('text/html') ? [] : [`content-type ${contentType}`]),
    ...(missing.length === 0 ? [] : [`missing: ${missing.join('; ')}`]),
  ];
  return { status: response.status, contentType, bytes: body.length, problems };
}

const notOk = (runs: LoadResult[]) => {
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodes)) if (code !== '200' && count > 0) counts.set(code, (counts.get(code) ?? 0) + count);
    if (run.errors > 0) counts.set('errors', (counts.get('errors') ?? 0) + run.errors);
  }
  return [...counts].map(([k, v]) => `${k}: ${v}`);
};
const total200 = (runs: LoadResult[]) => runs.reduce((n, run) => n + (run.statusCodes['200'] ?? 0), 0);
const totalAll = (runs: LoadResult[]) => runs.reduce((n, run) => n + Object.values(run.statusCodes).reduce((a, b) => a + b, 0) + run.errors, 0);

async function measure(engine: Engine): Promise<string[]> {
  const hello = await startHelloWorld();
  const mail = await startSmtpCapture();
  const service = await startService({ engine, env: { SMTP_URL: mail.url } });
  try {
    const setup = await setUpProcurement(service.url, service.adminToken, mail);
    const url = `${service.url}${setup.path}`;
    const headers = { cookie: setup.cookie };
    const before = await fetchPage(url, setup.cookie);
    if (before.problems.length > 0) return [`S6 GET /procurements/{id} [${engine}]: NOT MEASURED, the page is wrong before any load: ${before.problems.join(', ')}`];
    console.log(`  [${engine}] set up in ${fmt(setup.seconds, 1)} s; the page is ${fmt(before.bytes)} bytes; warming up`);

    await load({ url: `${hello.url}/`, connections: CONNECTIONS, durationSeconds: WARM_UP_SECONDS });
    await load({ url, connections: CONNECTIONS, durationSeconds: WARM_UP_SECONDS, headers });
    const ceiling: LoadResult[] = [];
    const candidate: LoadResult[] = [];
    for (let i = 0; i < REPETITIONS; i += 1) {
      // Back to back, alternating, so drift on the machine hits both alike.
      ceiling.push(await load({ url: `${hello.url}/`, connections: CONNECTIONS, durationSeconds: DURATION }));
      candidate.push(await load({ url, connections: CONNECTIONS, durationSeconds: DURATION, headers }));
    }
    const after = await fetchPage(url, setup.cookie);

    const rps = (runs: LoadResult[]) => runs.map((r) => r.requestsPerSecond);
    const ratios = candidate.map((run, i) => run.requestsPerSecond / ceiling[i]!.requestsPerSecond);
    const target = median(ratios);
    const pageFailures = notOk(candidate);
    const helloFailures = notOk(ceiling);
    const checks = [
      `${fmt(total200(candidate))}/${fmt(totalAll(candidate))} page responses 200${pageFailures.length > 0 ? ` (others: ${pageFailures.join(', ')})` : ''}`,
      `${fmt(total200(ceiling))}/${fmt(totalAll(ceiling))} hello-world responses 200${helloFailures.length > 0 ? ` (others: ${helloFailures.join(', ')})` : ''}`,
      `page before the load: 200 text/html with the title, "${SUPPLIERS} invited, 0 submitted" and the task list, ${fmt(before.bytes)} bytes` +
        `; after it: ${after.problems.length === 0 ? 'the same' : after.problems.join(', ')}, ${fmt(after.bytes)} bytes`,
    ];
    const ok = pageFailures.length === 0 && helloFailures.length === 0 && after.problems.length === 0 && after.bytes === before.bytes;
    return [
      `S6 GET /procurements/{id} [${engine}] (procurement page, signed-in officer, built-in questionnaire, ${SUPPLIERS} suppliers invited; ${fmt(before.bytes)} bytes of HTML, uncompressed)` +
        ` c=${CONNECTIONS} ${DURATION}s x${REPETITIONS}, interleaved with hello-world:` +
        ` ${fmt(median(rps(candidate)))} req/s (cv ${pct(rps(candidate))}; ${rps(candidate).map((n) => fmt(n)).join(', ')}), p50 ${ms(median(candidate.map((r) => r.p50)))} ms, p99 ${ms(median(candidate.map((r) => r.p99)))} ms (medians of ${REPETITIONS})` +
        ` | hello-world ${fmt(median(rps(ceiling)))} req/s (cv ${pct(rps(ceiling))}; ${rps(ceiling).map((n) => fmt(n)).join(', ')}), p99 ${ms(median(ceiling.map((r) => r.p99)))} ms` +
        ` | ratio page/hello ${ratioVs(target, TARGET)} (median of ${REPETITIONS} per-repetition ratios ${ratios.map(ratio).join(', ')}; cv ${pct(ratios)}) (target >= ${TARGET}: ${target >= TARGET ? 'met' : 'NOT met'})`,
      `S6 checks [${engine}]: ${checks.join('; ')}${ok ? '' : ' — CHECK FAILED'} | setup through the API and the sign-in pages ${fmt(setup.seconds, 1)} s`,
    ];
  } finally {
    await service.stop();
    await hello.stop();
    await mail.stop();
  }
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const started = performance.now();
  const lines: string[] = [];
  for (const engine of engines) lines.push(...(await measure(engine)));
  lines.push(`S6 wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return lines;
}
