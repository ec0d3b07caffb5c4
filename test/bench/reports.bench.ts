// Scenario S3: the PDF evaluation report of a 150-question response.
// Part A (in process, no server): `renderPdf` of the evaluation reports of 10 suppliers of S2's
// questionnaire, beside the floor, a bare pdfkit render of exactly the same strings (A4, default
// Helvetica, one `doc.text` per string, no layout logic), and beside the same bare render with the
// embedded font (informational: PDF/UA needs embedded fonts, and Helvetica is not embedded).
// Target: renderPdf ≤ 2× the Helvetica floor (p50 per report). Then the decision summary's cost: each
// report's cover alone and its cover with the decision summary, rendered back to back (cheap, so
// many pairs), the difference being what the summary adds; against the report's p50 from the same
// run, it may add at most 10% (p50 with / (p50 with − added) ≤ 1.10).
// Part B (per engine): one procurement with 3 × 20 submitted responses through the HTTP API; then,
// 3 times back to back, GET /v1/me under autocannon c=10 with no report rendering, and while 20
// evaluation reports are requested at once (20 new responses each time: a stored report is served
// without rendering). Target: API p99 during the batch ≤ 1.2× the p99 without. PostgreSQL first;
// an engine that starts with too little of the budget left gets batches of 10, and says so.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import PDFDocument from 'pdfkit';
import { evaluationReport } from '../../src/modules/reports/reports.models';
import { decisionSummary } from '../../src/modules/reports/decision-summary.models';
import { DEFAULT_FONTS, renderPdf } from '../../src/platform/pdf/render';
import type { ReportDocument } from '../../src/modules/reports/reports.document';
import { percentile } from './lib/gated-load';
import { cv, fmt, load, median } from './lib/load';
import { setUpProcurement, type ProcurementSetup } from './lib/procurement-setup';
import { documentStrings, evaluationReportInput } from './lib/report-fixture';
import { evaluationInputs, parseDefinition, QUESTIONS_PER_SECTION, scoringDefinitionInput, SECTIONS, supplierData, type SupplierData } from './lib/scoring-fixture';
import { startService, type Engine } from './lib/servers';
import { timedLoad, type TimedSample } from './lib/timed-load';

const QUESTIONS = SECTIONS * QUESTIONS_PER_SECTION;
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
/** Part A: documents, and passes over them per repetition (each pass renders every document with the candidate and both floors). */
const DOCUMENTS = 10;
const PASSES = Number(process.env.BENCH_REPORTS_PASSES ?? 2);
/** Part B: reports per batch, load connections, the no-report window, and the ramp before any sample counts. */
const BATCH = 20;
/** The batch on an engine that starts with less than FULL_PART_B_MS of the budget left (PGlite, after PostgreSQL). */
const SMALL_BATCH = 10;
const CONNECTIONS = 10;
const IDLE_SECONDS = Number(process.env.BENCH_REPORTS_IDLE_SECONDS ?? 3);
const RAMP_MS = 500;
/** How long the load goes on after the window, so requests sent in it still get their answer before it stops. */
const TAIL_MS = 1_000;
/** REPORT_WORKERS for the service; unset, the service's default: max(1, min(4, cpus − 1)). */
const WORKERS_ENV = process.env.BENCH_REPORT_WORKERS;
const DEFAULT_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));
const WORKERS = WORKERS_ENV === undefined ? DEFAULT_WORKERS : Number(WORKERS_ENV);
/** The whole scenario stays under this: an engine's setup gives up at the end of it, less what the measuring needs. */
const SCENARIO_BUDGET_MS = 160_000;
/** Roughly what part B needs on an engine beyond its setup (warm-up, the windows, the checks, stopping). */
const PART_B_TAIL_MS = 40_000;
/** What part B needs on an engine with a full batch (start, setup, measuring); with less left, the small batch. */
const FULL_PART_B_MS = 65_000;
/** With less than this left, part B is skipped on that engine. */
const MIN_PART_B_MS = 35_000;

const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);
const pct = (values: number[]) => `${fmt(cv(values) * 100, 1)}%`;
const mb = (bytes: number) => `${fmt(bytes / (1024 * 1024), 1)} MB`;
const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const ratio = (n: number) => n.toFixed(3);
/** A ratio beside its bar: more digits whenever 3 would round it onto or across the bar. */
const ratioVs = (n: number, bar: number) => {
  const short = n.toFixed(3);
  return Number(short) === bar || Number(short) <= bar !== n <= bar ? n.toFixed(6) : short;
};
const range = (values: number[]) => `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;

// ---------------------------------------------------------------------------------------------
// Part A

type Rendered = { pdf: Buffer; pages: number };

/** The floor: a bare pdfkit render of the strings, one `doc.text` each, no layout logic; `font` unset is pdfkit's default Helvetica. */
function bareRender(strings: string[], font?: string): Promise<Rendered> {
  const doc = new PDFDocument(font === undefined ? { size: 'A4' } : { size: 'A4', font });
  const chunks: Buffer[] = [];
  let pages = 1;
  doc.on('pageAdded', () => (pages += 1));
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Rendered>((resolve, reject) => {
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), pages }));
    doc.on('error', reject);
  });
  for (const s of strings) doc.text(s);
  doc.end();
  return finished;
}

type Kind = 'candidate' | 'helvetica' | 'embedded';
const KINDS: Kind[] = ['candidate', 'helvetica', 'embedded'];
/** The decision summary's ceiling: the report with it takes at most 1.10× the time of the same report without it. */
const SUMMARY_CEILING = 1.1;
/** Pairs (cover alone, cover with the summary) per document and repetition. */
const SUMMARY_PAIRS = 4;

/** The report's front: its cover alone, and its cover with the decision summary (whose blocks start at its heading). */
function fronts(document: ReportDocument, summaryBlocks: number): { cover: ReportDocument; summarised: ReportDocument } {
  const at = document.blocks.findIndex((b) => b.kind === 'heading' && b.text === 'Decision summary');
  if (at < 0) throw new Error('the evaluation report has no decision summary');
  return { cover: { ...document, blocks: document.blocks.slice(0, at) }, summarised: { ...document, blocks: document.blocks.slice(0, at + summaryBlocks) } };
}

async function partA(): Promise<string[]> {
  const definition = parseDefinition(scoringDefinitionInput());
  const suppliers = supplierData().slice(0, DOCUMENTS);
  const engineInputs = evaluationInputs(definition, suppliers);
  const built = suppliers.map((supplier, i) => evaluationReportInput(definition, supplier, engineInputs[i]!, i));
  const documents: ReportDocument[] = built.map((b) => evaluationReport(b.input));
  const strings = documents.map(documentStrings);
  const front = documents.map((d, i) => fronts(d, decisionSummary(built[i]!.input).length));
  const render: Record<Kind, (i: number) => Promise<Rendered>> = {
    candidate: (i) => renderPdf({ document: documents[i]! }),
    helvetica: (i) => bareRender(strings[i]!),
    embedded: (i) => bareRender(strings[i]!, DEFAULT_FONTS.regular),
  };

  const rssAtStart = process.memoryUsage().rss;
  let peakRss = rssAtStart;
  const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const last: Record<Kind, Rendered[]> = { candidate: [], helvetica: [], embedded: [] };
  const timed = async (kind: Kind, i: number): Promise<number> => {
    const started = performance.now();
    const rendered = await render[kind](i);
    const elapsed = performance.now() - started;
    last[kind][i] = rendered;
    sample();
    return elapsed;
  };

  // Warm up (JIT, the renderer's parsed fonts and shared word cache, pdfkit's Helvetica metrics): one pass.
  for (let i = 0; i < DOCUMENTS; i += 1) for (const kind of KINDS) await timed(kind, i);

  // Measure: per document, the three back to back, in an order that turns with the document, so
  // neither drift nor the garbage one render leaves for the next favours any of them.
  const perRepetition: Array<Record<Kind, number[]>> = [];
  const started = performance.now();
  for (let r = 0; r < REPETITIONS; r += 1) {
    const times: Record<Kind, number[]> = { candidate: [], helvetica: [], embedded: [] };
    for (let pass = 0; pass < PASSES; pass += 1) {
      for (let i = 0; i < DOCUMENTS; i += 1) {
        for (let k = 0; k < KINDS.length; k += 1) {
          const kind = KINDS[(i + pass + k) % KINDS.length]!;
          times[kind].push(await timed(kind, i));
        }
      }
    }
    perRepetition.push(times);
  }
  const seconds = (performance.now() - started) / 1000;

  // The decision summary's cost: per document, the cover with the summary minus the cover alone,
  // back to back in turns, so drift hits both; the median difference per repetition.
  const summaryStarted = performance.now();
  const added: number[][] = [];
  const summaryPages: number[] = [];
  for (let r = 0; r < REPETITIONS; r += 1) {
    const differences: number[] = [];
    for (let i = 0; i < DOCUMENTS; i += 1) {
      for (let n = 0; n < SUMMARY_PAIRS; n += 1) {
        const pair: Record<'cover' | 'summarised', number> = { cover: 0, summarised: 0 };
        for (const which of (n + i) % 2 === 0 ? (['cover', 'summarised'] as const) : (['summarised', 'cover'] as const)) {
          const at = performance.now();
          const rendered = await renderPdf({ document: front[i]![which] });
          pair[which] = performance.now() - at;
          if (which === 'summarised' && r === 0 && n === 0) summaryPages.push(rendered.pages);
        }
        differences.push(pair.summarised - pair.cover);
      }
    }
    added.push(sorted(differences));
  }
  const summarySeconds = (performance.now() - summaryStarted) / 1000;
  const maxRss = process.resourceUsage().maxRSS * 1024;

  const p = (kind: Kind, q: number) => perRepetition.map((t) => percentile(sorted(t[kind]), q));
  const p50 = Object.fromEntries(KINDS.map((k) => [k, p(k, 50)])) as Record<Kind, number[]>;
  const p95 = Object.fromEntries(KINDS.map((k) => [k, p(k, 95)])) as Record<Kind, number[]>;
  const all = (kind: Kind) => sorted(perRepetition.flatMap((t) => t[kind]));
  const vsHelvetica = perRepetition.map((_, r) => p50.candidate[r]! / p50.helvetica[r]!);
  const vsEmbedded = perRepetition.map((_, r) => p50.candidate[r]! / p50.embedded[r]!);
  const fontAlone = perRepetition.map((_, r) => p50.embedded[r]! / p50.helvetica[r]!);
  const addedP50 = added.map((d) => percentile(d, 50));
  const summaryShare = perRepetition.map((_, r) => p50.candidate[r]! / (p50.candidate[r]! - addedP50[r]!));
  const summaryRatio = median(summaryShare);
  const target = median(vsHelvetica);
  const samples = REPETITIONS * PASSES * DOCUMENTS;
  const describe = (kind: Kind) =>
    `p50 ${ms(median(p50[kind]))} ms (median of ${REPETITIONS}, cv ${pct(p50[kind])}), p95 ${ms(median(p95[kind]))} ms (median of ${REPETITIONS}; over all ${samples}: p50 ${ms(percentile(all(kind), 50))}, p95 ${ms(percentile(all(kind), 95))} ms)`;
  const bytes = (kind: Kind) => last[kind].map((x) => x.pdf.length);
  const pages = (kind: Kind) => last[kind].map((x) => x.pages);
  const stringCounts = strings.map((s) => s.length);
  const characters = strings.map((s) => s.reduce((n, x) => n + x.length, 0));

  return [
    `S3 report render, in process: the evaluation report of ${QUESTIONS} questions, ${DOCUMENTS} suppliers × ${PASSES} passes × ${REPETITIONS} repetitions (${samples} of each, after 1 warm-up pass; ${fmt(seconds, 1)} s): ` +
      `renderPdf ${describe('candidate')}` +
      ` | floor, bare pdfkit, A4, default Helvetica, one doc.text per string of the same document: ${describe('helvetica')}` +
      ` | ratio renderPdf/floor p50 ${ratioVs(target, 2)} (median of ${REPETITIONS} per-repetition ratios ${vsHelvetica.map(ratio).join(', ')}; cv ${pct(vsHelvetica)})` +
      ` (target ≤ 2: ${target <= 2 ? 'met' : 'NOT met'})`,
    `S3 report render, informational floor: the same bare render with the embedded font (new PDFDocument({ size: 'A4', font: Source Sans 3 regular TTF })): ${describe('embedded')}` +
      ` | ratio renderPdf/embedded-font floor p50 ${ratio(median(vsEmbedded))} (cv ${pct(vsEmbedded)})` +
      ` | the embedded font alone: embedded-font floor/Helvetica floor p50 ${ratio(median(fontAlone))} (cv ${pct(fontAlone)})`,
    `S3 report output: renderPdf ${fmt(median(pages('candidate')))} pages (median; ${range(pages('candidate'))}), ${fmt(median(bytes('candidate')))} bytes (median; ${range(bytes('candidate'))})` +
      ` | Helvetica floor ${fmt(median(pages('helvetica')))} pages, ${fmt(median(bytes('helvetica')))} bytes (ratio ${ratio(median(bytes('candidate')) / median(bytes('helvetica')))})` +
      ` | embedded-font floor ${fmt(median(pages('embedded')))} pages, ${fmt(median(bytes('embedded')))} bytes` +
      ` | each document: ${fmt(median(stringCounts))} strings (median; ${range(stringCounts)}), ${fmt(median(characters))} characters, ${fmt(median(documents.map((d) => d.blocks.length)))} blocks,` +
      ` ${fmt(median(built.map((b) => b.evidenceFiles)))} evidence files (one per question the fixture gives evidence), ${fmt(median(built.map((b) => b.confidential)))} confidential answers,` +
      ` ${fmt(median(built.map((b) => b.marks)))} evaluator marks, ${fmt(median(built.map((b) => b.moderations)))} moderated marks, 2 clarifications, ${built[0]!.input.trail.length} trail events`,
    `S3 decision summary render cost: each of the ${DOCUMENTS} reports' cover alone and its cover with the decision summary (${fmt(median(front.map((f) => f.summarised.blocks.length - f.cover.blocks.length)))} blocks, ${fmt(median(summaryPages))} pages with the cover), back to back, ${SUMMARY_PAIRS} pairs per document × ${REPETITIONS} repetitions (${fmt(summarySeconds, 1)} s):` +
      ` the summary adds p50 ${ms(median(addedP50))} ms (median of ${REPETITIONS}; ${addedP50.map(ms).join(', ')} ms) to a report whose renderPdf p50 is ${ms(median(p50.candidate))} ms` +
      ` | ratio with/without p50 ${ratioVs(summaryRatio, SUMMARY_CEILING)} (median of ${REPETITIONS} per-repetition ratios ${summaryShare.map((x) => x.toFixed(4)).join(', ')}; cv ${pct(summaryShare)})` +
      ` (ceiling ≤ ${SUMMARY_CEILING.toFixed(2)}, same run: ${summaryRatio <= SUMMARY_CEILING ? 'met' : 'NOT met'})`,
    `S3 report memory (part A): peak RSS ${mb(peakRss)} (+${mb(peakRss - rssAtStart)} over ${mb(rssAtStart)} at its start; sampled after each render), process max RSS ${mb(maxRss)}`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Part B

type Report = { ms: number; status: number; contentType: string; reportId: string; sha256Header: string; body: Buffer };

async function requestReport(base: string, token: string, responseId: string): Promise<Report> {
  const started = performance.now();
  const response = await fetch(`${base}/v1/responses/${responseId}/report.pdf`, { headers: { authorization: `Bearer ${token}` } });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    ms: performance.now() - started,
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    reportId: response.headers.get('x-report-id') ?? '',
    sha256Header: response.headers.get('x-content-sha256') ?? '',
    body,
  };
}

type Window = { p50: number; p99: number; count: number; perSecond: number; non2xx: number };

/** The latency of the requests sent in [from, to], each with its whole answer. */
function windowOf(samples: TimedSample[], from: number, to: number): Window {
  const inside = samples.filter((s) => s.sentAt >= from && s.sentAt <= to);
  const latencies = sorted(inside.map((s) => s.ms));
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: inside.length,
    perSecond: inside.length / ((to - from) / 1000),
    non2xx: inside.filter((s) => s.status < 200 || s.status >= 300).length,
  };
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** GET /v1/me with nothing else going on: the requests sent in [ramp, ramp + IDLE_SECONDS]. */
async function idleWindow(url: string, headers: Record<string, string>): Promise<Window & { errors: number }> {
  const run = timedLoad({ url, connections: CONNECTIONS, headers });
  const started = performance.now();
  await sleep(RAMP_MS + IDLE_SECONDS * 1000 + TAIL_MS);
  const { errors, timeouts } = await run.stop();
  return { ...windowOf(run.samples, started + RAMP_MS, started + RAMP_MS + IDLE_SECONDS * 1000), errors: errors + timeouts };
}

/** GET /v1/me while the batch's reports are requested all at once: the requests sent from the first report request to the last report's last byte. */
async function batchWindow(url: string, headers: Record<string, string>, base: string, token: string, responseIds: string[]): Promise<Window & { errors: number; reports: Report[]; seconds: number }> {
  const run = timedLoad({ url, connections: CONNECTIONS, headers });
  await sleep(RAMP_MS);
  const from = performance.now();
  const reports = await Promise.all(responseIds.map((id) => requestReport(base, token, id)));
  const to = performance.now();
  await sleep(TAIL_MS);
  const { errors, timeouts } = await run.stop();
  return { ...windowOf(run.samples, from, to), errors: errors + timeouts, reports, seconds: (to - from) / 1000 };
}

/** The suppliers of part B: S2's 50, then as many more as needed from a second seed. */
function partBSuppliers(count: number): SupplierData[] {
  const out = supplierData();
  for (let seed = 1; out.length < count; seed += 1) out.push(...supplierData(20_240_202 + seed));
  return out.slice(0, count);
}

async function partB(engine: Engine, deadlineAt: number, batch: number, batchNote: string): Promise<string[]> {
  const total = WORKERS + REPETITIONS * batch;
  const service = await startService({ engine, ...(WORKERS_ENV === undefined ? {} : { env: { REPORT_WORKERS: WORKERS_ENV } }) });
  try {
    let setup: ProcurementSetup;
    try {
      setup = await setUpProcurement(service.url, service.adminToken, partBSuppliers(total), { title: 'S3 reports bench', marks: 'none', deadlineAt });
    } catch (error) {
      return [`S3 API p99 while reports render [${engine}]: SKIPPED, setup failed: ${(error as Error).message.slice(0, 500)}`];
    }
    console.log(`  [${engine}] set up in ${fmt(setup.seconds, 1)} s; warming up`);
    const headers = { authorization: `Bearer ${service.adminToken}` };
    const meUrl = `${service.url}/v1/me`;
    // Warm up: the API under the same load, and every report worker with one report of its own (its first is cold: thread start, fonts).
    await load({ url: meUrl, connections: CONNECTIONS, durationSeconds: 1, headers });
    const cold = await Promise.all(setup.responseIds.slice(0, WORKERS).map((id) => requestReport(service.url, service.adminToken, id)));
    const idle: Array<Window & { errors: number }> = [];
    const during: Array<Awaited<ReturnType<typeof batchWindow>>> = [];
    for (let r = 0; r < REPETITIONS; r += 1) {
      console.log(`  [${engine}] repetition ${r + 1}: ${IDLE_SECONDS} s without reports, then ${batch} reports at once`);
      // Back to back, so drift on the machine hits both alike.
      idle.push(await idleWindow(meUrl, headers));
      const ids = setup.responseIds.slice(WORKERS + r * batch, WORKERS + (r + 1) * batch);
      during.push(await batchWindow(meUrl, headers, service.url, service.adminToken, ids));
    }

    // Checks: every report a new PDF, whole.
    const reports = during.flatMap((d) => d.reports);
    const pdfs = reports.filter((x) => x.status === 200 && x.contentType.startsWith('application/pdf') && x.body.subarray(0, 5).toString('latin1') === '%PDF-').length;
    const distinct = new Set(reports.map((x) => x.reportId).filter(Boolean)).size;
    const distinctPerBatch = during.map((d) => new Set(d.reports.map((x) => x.reportId).filter(Boolean)).size);
    const hashed = reports.filter((x) => x.sha256Header === createHash('sha256').update(x.body).digest('hex')).length;
    const statuses = [...new Set(reports.filter((x) => x.status !== 200).map((x) => `${x.status}: ${x.body.toString('utf8').slice(0, 200)}`))];
    const ok = pdfs === reports.length && distinct === reports.length && hashed === reports.length;

    const idleP99 = idle.map((w) => w.p99);
    const duringP99 = during.map((w) => w.p99);
    const ratios = during.map((w, r) => w.p99 / idle[r]!.p99);
    const target = median(ratios);
    const latencies = sorted(reports.map((x) => x.ms));
    const non2xx = [...idle, ...during].reduce((n, w) => n + w.non2xx + w.errors, 0);
    const workers = `${WORKERS} report worker${WORKERS === 1 ? '' : 's'} (${WORKERS_ENV === undefined ? 'REPORT_WORKERS unset: the default max(1, min(4, cpus − 1))' : `REPORT_WORKERS=${WORKERS_ENV}`}; os.availableParallelism() ${availableParallelism()})`;
    return [
      `S3 setup [${engine}]: ${fmt(total)} responses × ${QUESTIONS} answers (one bulk PATCH each), ${fmt(setup.evidenceFiles)} evidence PDFs, all submitted (evaluated on submission), procurement closed, ` +
        `no moderated marks (the long-text questions stay pending: the reports are provisional), ${fmt(setup.seconds, 1)} s; ${REPETITIONS} × ${batch} of them for the batches, distinct responses, so every report requested is a new render, and ${WORKERS} to warm the worker${WORKERS === 1 ? '' : 's'} first`,
      `S3 API p99 while reports render [${engine}] GET /v1/me, autocannon c=${CONNECTIONS} closed loop, ${REPETITIONS} repetitions back to back, each: ${IDLE_SECONDS} s with no report, then ${batch} evaluation reports requested at once${batchNote} ` +
        `(window: from the first report request to the last report's last byte): p99 without ${ms(median(idleP99))} ms (cv ${pct(idleP99)}; ${idleP99.map(ms).join(', ')}), during ${ms(median(duringP99))} ms (cv ${pct(duringP99)}; ${duringP99.map(ms).join(', ')})` +
        ` | ratio during/without ${ratioVs(target, 1.2)} (median of ${REPETITIONS} per-repetition ratios ${ratios.map(ratio).join(', ')}; cv ${pct(ratios)}) (target ≤ 1.2: ${target <= 1.2 ? 'met' : 'NOT met'})` +
        ` | p50 without ${ms(median(idle.map((w) => w.p50)))} ms, during ${ms(median(during.map((w) => w.p50)))} ms` +
        ` | ${fmt(median(idle.map((w) => w.perSecond)))} req/s without, ${fmt(median(during.map((w) => w.perSecond)))} req/s during (${fmt(median(during.map((w) => w.count)))} requests in the window, median)` +
        ` | non-2xx and errors ${non2xx}`,
    `S3 reports in the batch [${engine}]: ${batch} took ${fmt(median(during.map((d) => d.seconds)), 2)} s (median; ${during.map((d) => fmt(d.seconds, 2)).join(', ')} s): the "during" window is exactly this span, reports in flight from its start to its end` +
        ` | per report, request to last byte: p50 ${ms(percentile(latencies, 50))} ms, p95 ${ms(percentile(latencies, 95))} ms, max ${ms(latencies.at(-1) ?? 0)} ms (${reports.length} reports)` +
        ` | ${fmt(median(reports.map((x) => x.body.length)))} bytes (median) | ${workers}; first report of each worker (cold) ${cold.map((x) => ms(x.ms)).join(', ')} ms` +
        ` | checks: ${pdfs}/${reports.length} 200 application/pdf, x-report-id distinct ${distinctPerBatch.join('/')} per batch and ${distinct}/${reports.length} in all, x-content-sha256 = body's SHA-256 ${hashed}/${reports.length}` +
        (ok ? '' : ` — CHECK FAILED${statuses.length > 0 ? `: ${statuses.join('; ')}` : ''}`),
    ];
  } finally {
    await service.stop();
  }
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const started = performance.now();
  const deadlineAt = started + SCENARIO_BUDGET_MS - PART_B_TAIL_MS;
  console.log(`  part A: ${DOCUMENTS} evaluation reports with renderPdf and the two bare floors, in process`);
  const lines = await partA();
  // PostgreSQL first, as in S2; PGlite gets what is left of the budget.
  for (const engine of [...engines].sort((x, y) => (x === 'postgres' ? -1 : y === 'postgres' ? 1 : 0))) {
    const left = started + SCENARIO_BUDGET_MS - performance.now();
    const gone = `${fmt((performance.now() - started) / 1000, 0)} s of the scenario's ${SCENARIO_BUDGET_MS / 1000} s budget were gone`;
    if (left < MIN_PART_B_MS) {
      lines.push(`S3 API p99 while reports render [${engine}]: SKIPPED, ${gone}; run it alone with --engine ${engine}`);
      continue;
    }
    const batch = left >= FULL_PART_B_MS ? BATCH : SMALL_BATCH;
    const note = batch === BATCH ? '' : ` (${SMALL_BATCH}, not ${BATCH}: ${gone}; run it alone with --engine ${engine} for ${BATCH})`;
    console.log(`  part B [${engine}]: setting up ${WORKERS + REPETITIONS * batch} submitted responses through the API`);
    lines.push(...(await partB(engine, deadlineAt, batch, note)));
  }
  lines.push(`S3 wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return lines;
}
