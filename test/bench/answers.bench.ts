// Scenario S1: supplier autosave near a deadline. 50 suppliers × 150 questions = 7,500 answers, every
// one saved once beforehand; then PUT /v1/supplier/response/answers/{questionKey} with a random
// supplier, question and valid value per request, 2% of them with a stale If-Match (must be 412).
// Ceiling, back to back at the same connection count: pgbench running the identical statement the
// service uses to save an answer. Post-check: no lost update (versions written == 2xx counted).
// Targets on PostgreSQL (issue 22): ratio >= 0.4 at c=50; p99 < 50 ms at c=200. On PGlite there is no pgbench:
// our figures, and the embedded/postgres ratio (scenario S6).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { gatedLoad, type GatedLoadResult, type PlannedRequest } from './lib/gated-load';
import { call, forEachLimit } from './lib/http';
import { cv, fmt, median } from './lib/load';
import { BENCH_TRIAGE, benchQuestionnaire } from './lib/bench-questionnaire';
import { pgbench, type PgbenchResult } from './lib/pgbench';
import { startService, type Engine } from './lib/servers';

const CONNECTIONS = [50, 200];
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);
const WARMUP_SECONDS = 2;
const SUPPLIERS = 50;
const SECTIONS = 5;
const QUESTIONS_PER_SECTION = 30;
const STALE_SHARE = 0.02;
const STALE_IF_MATCH = '"1"'; // etagOf(1): every response is past version 1 once pre-filled
const LAST_RESULTS = path.join(tmpdir(), 'aidd-bench-s1-last.json');

// ---------------------------------------------------------------------------------------------
// The questionnaire: 5 sections × 30 questions of types that are simple to answer at random.

type QuestionType = 'short_text' | 'number' | 'single_choice' | 'yes_no';
type BenchQuestion = { key: string; type: QuestionType; options: string[] };

const NUMBER_LIMITS = { min: 0, max: 1000, integer: true };
const CHOICES = ['always', 'usually', 'sometimes', 'never'];

function benchQuestions(): BenchQuestion[] {
  const types: QuestionType[] = ['short_text', 'number', 'single_choice', 'yes_no'];
  const questions: BenchQuestion[] = [];
  for (let s = 1; s <= SECTIONS; s += 1) {
    for (let q = 1; q <= QUESTIONS_PER_SECTION; q += 1) {
      const type = types[(q - 1) % types.length]!;
      questions.push({ key: `s${s}.q${String(q).padStart(2, '0')}`, type, options: type === 'single_choice' ? CHOICES : type === 'yes_no' ? ['yes', 'no'] : [] });
    }
  }
  return questions;
}

function definitionOf(questions: BenchQuestion[]) {
  const sectionKeys = Array.from({ length: SECTIONS }, (_, i) => `s${i + 1}`);
  const weights = Object.fromEntries(sectionKeys.map((k) => [k, 100 / SECTIONS]));
  const descriptors = { 0: 'No answer of substance.', 1: 'Vague.', 2: 'Partly answers.', 3: 'Clear and specific.', 4: 'Clear, specific and evidenced.' };
  const question = (q: BenchQuestion, section: number, index: number) => {
    const common = {
      key: q.key,
      ref: `${section}.${index + 1}`,
      text: `Bench question ${q.key}: describe how your service handles this area.`,
      guidance: 'Answer as you would for a real council.',
      type: q.type,
      required: true,
      riskAreas: [`area${section}`],
      sources: ['LGA'],
    };
    switch (q.type) {
      case 'short_text':
        return { ...common, limits: { maxLength: 2000 }, scoring: { method: 'manual', descriptors } };
      case 'number':
        return { ...common, limits: NUMBER_LIMITS, scoring: { method: 'bands', bands: [{ max: 24, score: 4 }, { min: 24, max: 72, score: 2 }, { min: 72, score: 0 }] } };
      case 'single_choice':
        return { ...common, options: CHOICES.map((value, i) => ({ value, label: value, score: 4 - i })), scoring: { method: 'options' } };
      case 'yes_no':
        return { ...common, options: [{ value: 'yes', label: 'Yes', score: 4 }, { value: 'no', label: 'No', score: 0 }], scoring: { method: 'options' } };
    }
  };
  return benchQuestionnaire({
    key: 'bench-s1-autosave',
    title: 'Bench S1: 150 questions',
    description: 'Made by test/bench/answers.bench.ts.',
    riskAreas: sectionKeys.map((_, i) => ({ key: `area${i + 1}`, title: `Area ${i + 1}`, critical: i === 0 })),
    weights,
    sections: sectionKeys.map((key, s) => ({
      key,
      ref: String(s + 1),
      title: `Section ${s + 1}`,
      riskArea: `area${s + 1}`,
      questions: questions.filter((q) => q.key.startsWith(`${key}.`)).map((q, i) => question(q, s + 1, i)),
    })),
  });
}

const random = (n: number) => Math.floor(Math.random() * n);
const PROSE = 'We process council data only in the UK, under contract, with access logged and reviewed monthly; staff are vetted and trained, and incidents are reported within 24 hours. '.repeat(4);

/** A valid value for the question, different most of the time: what an autosave sends. */
function randomValue(q: BenchQuestion): string | number {
  switch (q.type) {
    case 'short_text':
      return `${PROSE.slice(0, 20 + random(400))} (draft ${random(1_000_000)})`;
    case 'number':
      return random(NUMBER_LIMITS.max + 1);
    case 'single_choice':
    case 'yes_no':
      return q.options[random(q.options.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Setup through the real HTTP API.


type Supplier = { token: string; responseId: string; invitationId: string };
type Setup = { questions: BenchQuestion[]; suppliers: Supplier[]; procurementId: string; seconds: number; prefill: 'bulk PATCH' | 'one PUT per answer'; prefillSeconds: number };

async function setUp(base: string, adminToken: string): Promise<Setup> {
  const started = performance.now();
  const questions = benchQuestions();
  const imported = await call<{ id: string; questionCount: number }>(base, adminToken, 'POST', '/v1/questionnaires', definitionOf(questions), [201]);
  if (imported.questionCount !== questions.length) throw new Error(`imported ${imported.questionCount} questions, not ${questions.length}`);
  await call(base, adminToken, 'POST', `/v1/questionnaires/${imported.id}/publish`);
  // "Near a deadline": two hours from now, well beyond the run.
  const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
  const procurement = await call<{ id: string }>(base, adminToken, 'POST', '/v1/procurements', { title: 'S1 autosave bench', questionnaireId: imported.id, deadline, triage: BENCH_TRIAGE }, [201]);
  await call(base, adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
  const suppliers: Supplier[] = new Array(SUPPLIERS);
  await forEachLimit(Array.from({ length: SUPPLIERS }, (_, i) => i), 10, async (i) => {
    const invited = await call<{ id: string; responseId: string; token: string }>(
      base,
      adminToken,
      'POST',
      `/v1/procurements/${procurement.id}/invitations`,
      { supplierName: `Bench Supplier ${i + 1} Ltd`, contactEmail: `bids${i + 1}@supplier${i + 1}.example` },
      [201],
    );
    suppliers[i] = { token: invited.token, responseId: invited.responseId, invitationId: invited.id };
  });
  // Pre-fill every answer once, so each row exists: all of a supplier's answers in one bulk save
  // (PATCH /v1/supplier/response/answers); where that route is missing, one PUT per answer.
  const prefillStarted = performance.now();
  let prefill: Setup['prefill'] = 'bulk PATCH';
  await forEachLimit(suppliers, 10, async (supplier) => {
    const answers = Object.fromEntries(questions.map((q) => [q.key, { value: randomValue(q) }]));
    const response = await fetch(`${base}/v1/supplier/response/answers`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${supplier.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ answers }),
    });
    const text = await response.text();
    if (response.status === 404 || response.status === 405) {
      prefill = 'one PUT per answer';
      for (const q of questions) await call(base, supplier.token, 'PUT', `/v1/supplier/response/answers/${q.key}`, answers[q.key]);
    } else if (response.status !== 200) {
      throw new Error(`PATCH /v1/supplier/response/answers answered ${response.status}: ${text}`);
    }
  });
  const prefillSeconds = (performance.now() - prefillStarted) / 1000;
  return { questions, suppliers, procurementId: procurement.id, seconds: (performance.now() - started) / 1000, prefill, prefillSeconds };
}

// ---------------------------------------------------------------------------------------------
// The post-check: what the service wrote, before and after each run.

type Snapshot = { answerVersions: number | null; answerVersionSum: number; responseVersionSum: number; answers: number };

async function snapshotDatabase(client: pg.Client): Promise<Snapshot> {
  const { rows } = await client.query<{ versions: string; answer_sum: string; response_sum: string; answers: string }>(
    'select (select count(*) from answer_versions) as versions, (select coalesce(sum(version), 0) from answers) as answer_sum, (select coalesce(sum(version), 0) from responses) as response_sum, (select count(*) from answers) as answers',
  );
  const row = rows[0]!;
  return { answerVersions: Number(row.versions), answerVersionSum: Number(row.answer_sum), responseVersionSum: Number(row.response_sum), answers: Number(row.answers) };
}

/** On PGlite the database lives inside the server process: read the same sums through the supplier API. */
async function snapshotApi(base: string, suppliers: Supplier[]): Promise<Snapshot> {
  let answerVersionSum = 0;
  let responseVersionSum = 0;
  let answers = 0;
  await forEachLimit(suppliers, 10, async (supplier) => {
    const view = await call<{ response: { version: number }; answers: Record<string, { version: number }> }>(base, supplier.token, 'GET', '/v1/supplier/response');
    responseVersionSum += view.response.version;
    for (const answer of Object.values(view.answers)) {
      answerVersionSum += answer.version;
      answers += 1;
    }
  });
  return { answerVersions: null, answerVersionSum, responseVersionSum, answers };
}

// ---------------------------------------------------------------------------------------------
// pgbench: the identical statement, and the whole save transaction, on one random answer row.

/**
 * The statement saveDraftAnswer sends (src/modules/responses/responses.repository.ts), the whole save
 * in one: bump the response if it may change (draft, its procurement open and pinning the
 * questionnaire the answer was checked against, before its deadline, If-Match when given), then
 * upsert the answer (version + 1) and write its history row, only where the bump happened; on a
 * random existing row (every row exists, so it is always the update). Values come from
 * bench_targets, joined by primary key. pgbench sends it prepared (-M prepared), as the service does.
 */
const SAVE_STATEMENT = `with target as (select * from bench_targets where n = :n), bumped as (
  update responses set version = responses.version + 1, updated_at = now(), status = case when responses.status = 'not_started' then 'in_progress' else responses.status end
  from procurements
  where responses.id = (select response_id from target) and responses.organisation_id = (select organisation_id from target)
    and responses.status in ('not_started', 'in_progress', 'reopened')
    and (null::integer is null or responses.version = null::integer)
    and procurements.id = responses.procurement_id and procurements.status = 'open' and procurements.questionnaire_id = (select questionnaire_id from target)
    and greatest(responses.deadline_override, procurements.deadline) > now()
  returning responses.id as response_id, responses.version
), saved as (
  insert into answers (organisation_id, response_id, question_key, value, comment, confidential, confidential_reason, version, updated_at, updated_by)
  select t.organisation_id, source.response_id, t.question_key, t.value, null, false, null, 1, now(), t.invitation_id::text from bumped as source, target t
  on conflict (response_id, question_key) do update set
    value = excluded.value, comment = excluded.comment, confidential = excluded.confidential, confidential_reason = excluded.confidential_reason,
    version = answers.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
  returning *
), history as (
  insert into answer_versions (organisation_id, response_id, question_key, version, value, comment, confidential, confidential_reason, change, changed_at, changed_by)
  select organisation_id, response_id, question_key, version, value, comment, confidential, confidential_reason, 'saved', updated_at, updated_by from saved
)
select saved.id, saved.organisation_id, saved.response_id, saved.question_key, saved.value, saved.comment, saved.confidential, saved.confidential_reason,
  saved.version, saved.updated_at, saved.updated_by, bumped.version as response_version from saved, bumped;`;

const SAME_UPDATE_SCRIPT = (rows: number) => `\\set n random(1, ${rows})
${SAVE_STATEMENT}
`;

/**
 * What the route sends for a procurement whose questionnaire it has not cached yet (a process's first
 * save to it, or after a refused save): the procurement and the questionnaire's row (its definition
 * is cached by hash), then the save statement. Once cached, the route sends the save statement alone.
 */
const FULL_SAVE_SCRIPT = (rows: number) => {
  const t = (column: string) => `(select ${column} from bench_targets where n = :n)`;
  const questionnaireMeta = `select id, organisation_id, key, version, title, status, definition_hash, created_by, created_at, updated_at, published_at, archived_at from questionnaires where id = ${t('questionnaire_id')} and (organisation_id = ${t('organisation_id')} or organisation_id is null);`;
  return `\\set n random(1, ${rows})
select * from procurements where organisation_id = ${t('organisation_id')} and id = ${t('procurement_id')};
${questionnaireMeta}
${SAVE_STATEMENT}
`;
};

async function createBenchTargets(client: pg.Client): Promise<number> {
  await client.query('drop table if exists bench_targets');
  await client.query(
    'create table bench_targets (n int primary key, organisation_id uuid not null, response_id uuid not null, question_key text not null, invitation_id uuid not null, procurement_id uuid not null, questionnaire_id uuid not null, deadline timestamptz not null, value jsonb)',
  );
  await client.query(`insert into bench_targets
    select row_number() over (order by a.response_id, a.question_key), a.organisation_id, a.response_id, a.question_key, r.invitation_id, r.procurement_id, p.questionnaire_id, p.deadline, a.value
    from answers a join responses r on r.id = a.response_id join procurements p on p.id = r.procurement_id`);
  await client.query('analyze bench_targets');
  const { rows } = await client.query<{ n: string }>('select count(*) as n from bench_targets');
  return Number(rows[0]!.n);
}

/** pgbench may not open more connections than the server has free (max_connections is 100 by default). */
async function pgbenchClients(client: pg.Client, wanted: number): Promise<{ clients: number; maxConnections: number }> {
  const { rows } = await client.query<{ max: number; used: number }>(
    "select current_setting('max_connections')::int as max, (select count(*) from pg_stat_activity where backend_type = 'client backend')::int as used",
  );
  const { max, used } = rows[0]!;
  return { clients: Math.max(1, Math.min(wanted, max - used - 5)), maxConnections: max };
}

// ---------------------------------------------------------------------------------------------

const is2xx = (code: string) => code.startsWith('2');
const sumCodes = (codes: Record<string, number>, keep: (code: string) => boolean) => Object.entries(codes).reduce((n, [code, count]) => n + (keep(code) ? count : 0), 0);
const pct = (values: number[]) => `${fmt(cv(values) * 100, 1)}%`;

type Run = { load: GatedLoadResult; twoxx: number; before: Snapshot; after: Snapshot; same?: PgbenchResult; full?: PgbenchResult; pgbenchClients?: number; maxConnections?: number };

type Stored = Record<string, { at: string; duration: number; rps: Record<string, number> }>;

function readStored(): Stored {
  try {
    return existsSync(LAST_RESULTS) ? (JSON.parse(readFileSync(LAST_RESULTS, 'utf8')) as Stored) : {};
  } catch {
    return {};
  }
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  if (DURATION > 60) throw new Error('BENCH_DURATION is at most 60 s per load run');
  const lines: string[] = [];
  const rpsByEngine: Partial<Record<Engine, Record<number, number>>> = {};
  for (const engine of engines) {
    const engineStarted = performance.now();
    const service = await startService({ engine });
    const client = service.databaseUrl ? new pg.Client({ connectionString: service.databaseUrl, application_name: 'aidd-bench-s1' }) : undefined;
    try {
      await client?.connect();
      const setup = await setUp(service.url, service.adminToken);
      const snapshot = () => (client ? snapshotDatabase(client) : snapshotApi(service.url, setup.suppliers));
      const initial = await snapshot();
      if (initial.answers !== SUPPLIERS * setup.questions.length) throw new Error(`pre-fill left ${initial.answers} answers, not ${SUPPLIERS * setup.questions.length}`);
      lines.push(
        `S1 setup [${engine}]: ${setup.questions.length} questions × ${SUPPLIERS} suppliers = ${fmt(initial.answers)} answers, each saved once through the API ` +
          `(${setup.prefill}, ${fmt(setup.prefillSeconds, 1)} s), whole setup ${fmt(setup.seconds, 1)} s`,
      );
      console.log(lines.at(-1));
      const rows = client ? await createBenchTargets(client) : 0;

      const plan = (): PlannedRequest => {
        const supplier = setup.suppliers[random(SUPPLIERS)]!;
        const q = setup.questions[random(setup.questions.length)]!;
        const stale = Math.random() < STALE_SHARE;
        return {
          kind: stale ? 'stale' : 'save',
          method: 'PUT',
          path: `/v1/supplier/response/answers/${q.key}`,
          headers: { authorization: `Bearer ${supplier.token}`, 'content-type': 'application/json', ...(stale ? { 'if-match': STALE_IF_MATCH } : {}) },
          body: JSON.stringify({ value: randomValue(q) }),
        };
      };

      rpsByEngine[engine] = {};
      for (const connections of CONNECTIONS) {
        // Warm up (JIT, pool connections, caches); its writes fall outside every before/after pair.
        await gatedLoad({ url: service.url, connections, durationSeconds: WARMUP_SECONDS, plan });
        const runs: Run[] = [];
        for (let i = 0; i < REPETITIONS; i += 1) {
          const before = await snapshot();
          const load = await gatedLoad({ url: service.url, connections, durationSeconds: DURATION, plan });
          const after = await snapshot();
          const twoxx = sumCodes(load.statusCodes, is2xx);
          const runResult: Run = { load, twoxx, before, after };
          if (client && service.databaseUrl) {
            // Back to back with the service run, same connection count (as far as max_connections allows).
            const { clients, maxConnections } = await pgbenchClients(client, connections);
            runResult.pgbenchClients = clients;
            runResult.maxConnections = maxConnections;
            runResult.same = await pgbench({ databaseUrl: service.databaseUrl, clients, seconds: DURATION, script: SAME_UPDATE_SCRIPT(rows), protocol: 'prepared' });
            runResult.full = await pgbench({ databaseUrl: service.databaseUrl, clients, seconds: DURATION, script: FULL_SAVE_SCRIPT(rows), protocol: 'prepared' });
          }
          runs.push(runResult);
          console.log(
            `  [${engine}] c=${connections} run ${i + 1}/${REPETITIONS}: ${fmt(load.requestsPerSecond)} req/s, p99 ${fmt(load.p99, 1)} ms, statuses ${JSON.stringify(load.statusCodes)}` +
              (runResult.same ? ` | pgbench c=${runResult.pgbenchClients} same ${fmt(runResult.same.tps)} tps, uncached save ${fmt(runResult.full!.tps)} tps` : ''),
          );
        }
        lines.push(...describe({ engine, connections, runs }));
        rpsByEngine[engine]![connections] = median(runs.map((r) => r.load.requestsPerSecond));
      }
      lines.push(`S1 wall time [${engine}]: ${fmt((performance.now() - engineStarted) / 1000, 1)} s (setup, warm-ups, ${CONNECTIONS.length} × ${REPETITIONS} service runs${client ? ' and their pgbench runs' : ''}, checks)`);
    } finally {
      await client?.end().catch(() => undefined);
      await service.stop();
    }
  }

  // S6: embedded against PostgreSQL, from this run when both engines ran, else from the last stored run.
  const stored = readStored();
  for (const engine of engines) if (rpsByEngine[engine]) stored[engine] = { at: new Date().toISOString(), duration: DURATION, rps: Object.fromEntries(Object.entries(rpsByEngine[engine]!)) };
  writeFileSync(LAST_RESULTS, JSON.stringify(stored, null, 2));
  if (rpsByEngine.embedded) {
    for (const connections of CONNECTIONS) {
      const embedded = rpsByEngine.embedded[connections]!;
      const sameRun = rpsByEngine.postgres?.[connections];
      const earlier = stored.postgres?.rps[String(connections)];
      if (sameRun !== undefined) {
        lines.push(`S6 S1 PUT answer embedded/postgres c=${connections}: ratio ${(embedded / sameRun).toFixed(3)} (${fmt(embedded)} vs ${fmt(sameRun)} req/s, same run)`);
      } else if (earlier !== undefined) {
        lines.push(
          `S6 S1 PUT answer embedded/postgres c=${connections}: ratio ${(embedded / earlier).toFixed(3)} (${fmt(embedded)} vs ${fmt(earlier)} req/s; the postgres figure is from a separate run at ${stored.postgres!.at}, not back to back)`,
        );
      } else {
        lines.push(`S6 S1 PUT answer embedded/postgres c=${connections}: no postgres figure (run with --engine postgres too)`);
      }
    }
  }
  return lines;
}

function describe({ engine, connections, runs }: { engine: Engine; connections: number; runs: Run[] }): string[] {
  const rps = runs.map((r) => r.load.requestsPerSecond);
  const p50 = median(runs.map((r) => r.load.p50));
  const p99 = median(runs.map((r) => r.load.p99));
  const codes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.load.statusCodes)) codes[code] = (codes[code] ?? 0) + n;
  const twoxx = sumCodes(codes, is2xx);
  const status412 = codes['412'] ?? 0;
  const otherNon2xx = sumCodes(codes, (c) => !is2xx(c) && c !== '412');
  const fivexx = sumCodes(codes, (c) => c.startsWith('5'));
  // autocannon counts a timeout (10 s) as an error too; a request with no response is never in the status counts.
  const errors = runs.reduce((n, r) => n + Math.max(r.load.errors, r.load.unanswered), 0);
  const timeouts = runs.reduce((n, r) => n + r.load.timeouts, 0);
  const staleSent = runs.reduce((n, r) => n + (r.load.byKind.stale?.answered ?? 0), 0);
  const stale412 = runs.reduce((n, r) => n + (r.load.byKind.stale?.statusCodes['412'] ?? 0), 0);
  const save412 = runs.reduce((n, r) => n + (r.load.byKind.save?.statusCodes['412'] ?? 0), 0);
  const otherBreakdown = Object.entries(codes).filter(([c]) => !is2xx(c) && c !== '412');

  let line =
    `S1 PUT answer [${engine}] c=${connections} ${DURATION}s x${REPETITIONS}: ${fmt(median(rps))} req/s (cv ${pct(rps)}, p50 ${fmt(p50, 1)} ms, p99 ${fmt(p99, 1)} ms, ` +
    `2xx ${fmt(twoxx)}, 412 ${fmt(status412)} [${fmt(staleSent)} answered requests had the stale If-Match, ${fmt(stale412)} of them got 412${save412 ? `; saves without If-Match got 412: ${save412}` : ''}], ` +
    `other non-2xx ${fmt(otherNon2xx)}${otherBreakdown.length ? ` ${JSON.stringify(Object.fromEntries(otherBreakdown))}` : ''}, errors ${fmt(errors)}${timeouts ? ` [${fmt(timeouts)} timed out at 10 s]` : ''})`;

  if (runs[0]?.same) {
    const same = runs.map((r) => r.same!.tps);
    const full = runs.map((r) => r.full!.tps);
    const clients = runs[0].pgbenchClients!;
    const ratio = median(rps) / median(same);
    const failed = runs.reduce((n, r) => n + r.same!.failed + r.full!.failed, 0);
    line +=
      ` | pgbench the save statement ${fmt(median(same))} tps (cv ${pct(same)}${clients !== connections ? `, only c=${clients}: max_connections is ${runs[0].maxConnections}` : ''}${failed ? `, ${failed} failed transactions` : ''})` +
      ` | ratio ${ratio.toFixed(3)}${connections === 50 ? ` (target >= 0.4 at c=50: ${ratio >= 0.4 ? 'met' : 'NOT met'})` : ''}` +
      ` | pgbench an uncached save's statements (2 reads, then the save statement) ${fmt(median(full))} tps, ratio ${(median(rps) / median(full)).toFixed(3)}`;
  } else {
    line += ' | no pgbench ceiling for PGlite (it runs inside the server process)';
  }
  if (connections === 200) line += ` | p99 < 50 ms: ${p99 < 50 ? 'met' : 'NOT met'}`;

  // No lost update: every 2xx wrote exactly one history row, one answer version and one response version.
  // A request that timed out (or lost its connection) has no status, yet the server may still have
  // committed it: then the counts may exceed the 2xx by at most that many, and we say so.
  const delta = (r: Run, pick: (s: Snapshot) => number | null) => (pick(r.after) ?? 0) - (pick(r.before) ?? 0);
  const total = (pick: (s: Snapshot) => number | null) => runs.reduce((n, r) => n + delta(r, pick), 0);
  const picks = [(s: Snapshot) => s.answerVersionSum, (s: Snapshot) => s.responseVersionSum, ...(runs[0]?.before.answerVersions !== null ? [(s: Snapshot) => s.answerVersions] : [])];
  const exact = runs.every((r) => picks.every((pick) => delta(r, pick) === r.twoxx));
  const withinLost = runs.every((r) => picks.every((pick) => delta(r, pick) >= r.twoxx && delta(r, pick) <= r.twoxx + r.load.unanswered));
  const lost = runs.reduce((n, r) => n + r.load.unanswered, 0);
  const verdict = exact ? 'yes' : withinLost ? `yes within the ${fmt(lost)} requests that got no response (timed out; the server may have committed them)` : 'NO';
  const apiCounted = `sum(answers.version) +${fmt(total((s) => s.answerVersionSum))}, sum(responses.version) +${fmt(total((s) => s.responseVersionSum))} vs 2xx ${fmt(twoxx)}`;
  if (runs[0]?.before.answerVersions !== null) {
    line += ` | versions written == 2xx: ${verdict}${exact ? '' : ` (answer_versions +${fmt(total((s) => s.answerVersions))}, ${apiCounted})`}`;
  } else {
    line += ` | versions written == 2xx: ${verdict} by the API (${apiCounted}); answer_versions rows not counted: PGlite lives inside the server process`;
  }

  const out = [line];
  const unexpected = runs.flatMap((r) => Object.entries(r.load.firstErrorBodies).filter(([code]) => code !== '412'));
  if (fivexx > 0) {
    const loud = `S1 FAILURE [${engine}] c=${connections}: ${fivexx} responses were 5xx`;
    console.error(`!!! ${loud}`);
    out.push(loud);
  }
  // The exact response for each unexpected status, once per run.
  for (const [code, body] of unexpected.slice(0, 3)) out.push(`S1 unexpected [${engine}] c=${connections} ${code}: ${body.slice(0, 500)}`);
  if (stale412 !== staleSent) out.push(`S1 unexpected [${engine}] c=${connections}: ${staleSent - stale412} requests with a stale If-Match did not get 412`);
  return out;
}
