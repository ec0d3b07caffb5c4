// Scenario S7: the evaluation panel's marking page. A signed-in evaluator (the staff session cookie,
// got by signing in through the link emailed over SMTP, as a browser would) asks for one question
// of a submitted 150-question response, all 150 marked by evaluators (manual), the evaluator's own
// mark on it already saved: GET /evaluations/{procurementId}/responses/{responseId}/questions/{key}.
// Every request resolves the staff session, checks the panel and the declaration through the same
// use cases as the API (panelView, listMarks), reads the response and its 150-question definition,
// and renders the question, the supplier's answer, the five descriptors and the form through
// Nunjucks and GOV.UK Frontend's macros. Beside it, in the same run, the fastify hello-world,
// interleaved, same connections (lib/page-vs-hello.ts, as S5 and S6); the ratio is printed against
// S5's bar for a page (>= 0.2 of hello-world).
import { performance } from 'node:perf_hooks';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-server';
import { BENCH_TRIAGE, benchQuestionnaire } from './lib/bench-questionnaire';
import { call } from './lib/http';
import { fmt } from './lib/load';
import { interleavedFigures, interleavedWithHello, statusChecks } from './lib/page-vs-hello';
import { startHelloWorld, startService, type Engine } from './lib/servers';
import { signIn } from './lib/staff-sign-in';

const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_WEB_DURATION ?? 4);
const WARM_UP_SECONDS = 2;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const TARGET = 0.2;
const SECTIONS = 10;
const PER_SECTION = 15;
const QUESTIONS = SECTIONS * PER_SECTION;
const ADMIN_EMAIL = 'bench@example.gov.uk';
/** The question measured: in the middle, so it has a previous and a next. */
const MEASURED = 'p07.q05';
const DESCRIPTORS = { 0: 'No answer of substance.', 1: 'Vague.', 2: 'Partly answers.', 3: 'Clear and specific.', 4: 'Clear, specific and evidenced.' };

const keyOf = (s: number, q: number) => `p${String(s + 1).padStart(2, '0')}.q${String(q + 1).padStart(2, '0')}`;
const textOf = (key: string) => `Describe how you meet requirement ${key} for the council.`;
const answerOf = (key: string) => `For ${key} we keep a written procedure, reviewed every quarter by our data protection officer.`;

/** 150 long-text questions, every one marked by evaluators against the same descriptors, in 10 sections. */
function panelDefinition() {
  const weight = 100 / SECTIONS;
  return benchQuestionnaire({
    key: 'bench-panel',
    title: 'S7 panel bench questionnaire',
    description: 'A 150-question questionnaire marked by evaluators.',
    riskAreas: [{ key: 'general', title: 'General', critical: false }],
    weights: Object.fromEntries(Array.from({ length: SECTIONS }, (_, s) => [`p${String(s + 1).padStart(2, '0')}`, weight])),
    sections: Array.from({ length: SECTIONS }, (_, s) => ({
      key: `p${String(s + 1).padStart(2, '0')}`,
      ref: String(s + 1),
      title: `Section ${s + 1}`,
      riskArea: 'general',
      questions: Array.from({ length: PER_SECTION }, (_, q) => ({
        key: keyOf(s, q),
        ref: `${s + 1}.${q + 1}`,
        text: textOf(keyOf(s, q)),
        guidance: 'Say what you do, who does it and how you know it works.',
        type: 'long_text',
        required: true,
        limits: { maxLength: 5000 },
        scoring: { method: 'manual', descriptors: DESCRIPTORS },
        riskAreas: ['general'],
        sources: ['LGA'],
      })),
    })),
  });
}

type Setup = { path: string; cookie: string; seconds: number };

/** Through the real HTTP API: the questionnaire, a procurement with the admin as its evaluator, one supplier's 150 answers submitted, the evaluation started, the admin's declaration and one mark; then signing in. */
async function setUpMarking(base: string, adminToken: string, mail: SmtpCapture): Promise<Setup> {
  const started = performance.now();
  const me = await call<{ user: { id: string } }>(base, adminToken, 'GET', '/v1/me');
  const imported = await call<{ id: string; questionCount: number }>(base, adminToken, 'POST', '/v1/questionnaires', panelDefinition(), [201]);
  if (imported.questionCount !== QUESTIONS) throw new Error(`imported ${imported.questionCount} questions, not ${QUESTIONS}`);
  await call(base, adminToken, 'POST', `/v1/questionnaires/${imported.id}/publish`);
  const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
  const procurement = await call<{ id: string }>(base, adminToken, 'POST', '/v1/procurements', { title: 'S7 panel bench', questionnaireId: imported.id, deadline, triage: BENCH_TRIAGE, evaluatorIds: [me.user.id] }, [201]);
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
  const invited = await call<{ token: string; responseId: string }>(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/invitations`, { supplierName: 'Bench Panel Supplier Ltd', contactEmail: 'bids@panel-supplier.example' }, [201]);
  const answers: Record<string, { value: string }> = {};
  for (let s = 0; s < SECTIONS; s += 1) for (let q = 0; q < PER_SECTION; q += 1) answers[keyOf(s, q)] = { value: answerOf(keyOf(s, q)) };
  await call(base, invited.token, 'PUT', '/v1/supplier/response/import', { answers });
  await call(base, invited.token, 'POST', '/v1/supplier/response/submit', { declaration: true });
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/close`);
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/start-evaluation`);
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/declarations`, { hasConflict: false, details: 'None' }, [201]);
  await call(base, adminToken, 'PUT', `/v1/responses/${invited.responseId}/marks/${MEASURED}`, { score: 3, justification: 'Clear procedure with a named owner.' });
  const cookie = await signIn(base, mail, ADMIN_EMAIL);
  return { path: `/evaluations/${procurement.id}/responses/${invited.responseId}/questions/${MEASURED}`, cookie, seconds: (performance.now() - started) / 1000 };
}

type Page = { status: number; contentType: string; bytes: number; problems: string[] };

/** One request for the page, and what is wrong with it: not a 200 HTML page, or the question, answer, descriptors, saved mark or form missing. */
async function fetchPage(url: string, cookie: string): Promise<Page> {
  const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  const html = body.toString('utf8');
  const contentType = response.headers.get('content-type') ?? '';
  const expected = [textOf(MEASURED), answerOf(MEASURED), ...Object.values(DESCRIPTORS), 'Clear procedure with a named owner.', 'Save and next', `Question ${7 * PER_SECTION - PER_SECTION + 5} of ${QUESTIONS}`];
  const missing = expected.filter((text) => !html.includes(text));
  const problems = [
    ...(response.status === 200 ? [] : [`status ${response.status}`]),
    ...(contentType.startsWith('text/html') ? [] : [`content-type ${contentType}`]),
    ...(missing.length === 0 ? [] : [`missing: ${missing.join('; ')}`]),
    ...(/value="3" checked/.test(html) ? [] : ['the saved mark is not checked']),
  ];
  return { status: response.status, contentType, bytes: body.length, problems };
}

async function measure(engine: Engine): Promise<string[]> {
  const hello = await startHelloWorld();
  const mail = await startSmtpCapture();
  const service = await startService({ engine, env: { SMTP_URL: mail.url } });
  try {
    const setup = await setUpMarking(service.url, service.adminToken, mail);
    const url = `${service.url}${setup.path}`;
    const headers = { cookie: setup.cookie };
    const before = await fetchPage(url, setup.cookie);
    if (before.problems.length > 0) return [`S7 GET /evaluations/{id}/responses/{id}/questions/{key} [${engine}]: NOT MEASURED, the page is wrong before any load: ${before.problems.join(', ')}`];
    console.log(`  [${engine}] set up in ${fmt(setup.seconds, 1)} s; the page is ${fmt(before.bytes)} bytes; warming up`);

    const result = await interleavedWithHello({ helloUrl: `${hello.url}/`, url, headers, connections: CONNECTIONS, durationSeconds: DURATION, warmUpSeconds: WARM_UP_SECONDS, repetitions: REPETITIONS });
    const after = await fetchPage(url, setup.cookie);

    const status = statusChecks(result);
    const checks = [
      ...status.lines,
      `page before the load: 200 text/html with the question, the answer, the 5 descriptors, the saved mark checked and its justification, ${fmt(before.bytes)} bytes` +
        `; after it: ${after.problems.length === 0 ? 'the same' : after.problems.join(', ')}, ${fmt(after.bytes)} bytes`,
    ];
    const ok = status.ok && after.problems.length === 0 && after.bytes === before.bytes;
    return [
      `S7 GET /evaluations/{id}/responses/{id}/questions/{key} [${engine}] (one question's marking page, signed-in evaluator, ${QUESTIONS}-question response all marked by evaluators; ${fmt(before.bytes)} bytes of HTML, uncompressed)` +
        interleavedFigures({ result, connections: CONNECTIONS, durationSeconds: DURATION, repetitions: REPETITIONS, target: TARGET }),
      `S7 checks [${engine}]: ${checks.join('; ')}${ok ? '' : ' — CHECK FAILED'} | setup through the API and the sign-in pages ${fmt(setup.seconds, 1)} s`,
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
  lines.push(`S7 wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return lines;
}
