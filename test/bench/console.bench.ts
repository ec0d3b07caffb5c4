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
import { fmt } from './lib/load';
import { interleavedFigures, interleavedWithHello, statusChecks } from './lib/page-vs-hello';
import { signIn } from './lib/staff-sign-in';
import { startHelloWorld, startService, type Engine } from './lib/servers';

const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_WEB_DURATION ?? 4);
const WARM_UP_SECONDS = 2;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const TARGET = 0.2;
const SUPPLIERS = 10;
const ADMIN_EMAIL = 'bench@example.gov.uk';

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
  const cookie = await signIn(base, mail, ADMIN_EMAIL);
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

    const result = await interleavedWithHello({ helloUrl: `${hello.url}/`, url, headers, connections: CONNECTIONS, durationSeconds: DURATION, warmUpSeconds: WARM_UP_SECONDS, repetitions: REPETITIONS });
    const after = await fetchPage(url, setup.cookie);

    const status = statusChecks(result);
    const checks = [
      ...status.lines,
      `page before the load: 200 text/html with the title, "${SUPPLIERS} invited, 0 submitted" and the task list, ${fmt(before.bytes)} bytes` +
        `; after it: ${after.problems.length === 0 ? 'the same' : after.problems.join(', ')}, ${fmt(after.bytes)} bytes`,
    ];
    const ok = status.ok && after.problems.length === 0 && after.bytes === before.bytes;
    return [
      `S6 GET /procurements/{id} [${engine}] (procurement page, signed-in officer, built-in questionnaire, ${SUPPLIERS} suppliers invited; ${fmt(before.bytes)} bytes of HTML, uncompressed)` +
        interleavedFigures({ result, connections: CONNECTIONS, durationSeconds: DURATION, repetitions: REPETITIONS, target: TARGET }),
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
