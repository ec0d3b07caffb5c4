// Scenario: the deadline-day upload burst. 40 suppliers each send one 19 MB evidence file at the
// same moment (POST /v1/supplier/response/evidence, multipart, no Content-Length: streamed) while
// other suppliers autosave answers; a 429/503 is retried after its Retry-After, as a client should.
// The server runs in its own process; its RSS is read from /proc (VmRSS sampled every 50 ms, and
// VmHWM, its peak, reset just before the burst), over the node process serving and any parent (tsx).
// Ceilings, same run: autosave p99 with no upload going (the burst's p99 is reported against it),
// and this process hashing and writing the same 760 MB to a temporary directory (the upload rate
// is reported against it). Targets: every upload succeeds or gets a retryable 429/503 (no other
// answer), autosave p99 < 250 ms during the burst, server RSS peak < 500 MB.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generatedUpload } from '../helpers/uploads';
import { benchQuestionnaire } from './lib/bench-questionnaire';
import { percentile } from './lib/gated-load';
import { call, forEachLimit } from './lib/http';
import { assertLoopback, fmt } from './lib/load';
import { startService, type Engine } from './lib/servers';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 40);
const FILE_BYTES = 19 * 1024 * 1024;
const AUTOSAVE_SUPPLIERS = 8;
const AUTOSAVE_WORKERS = 4;
const ALONE_SECONDS = Number(process.env.BENCH_UPLOADS_ALONE_SECONDS ?? 5);
/** A client gives up on an upload after this many answers of 429/503 (none should come near it). */
const MAX_ATTEMPTS = 30;
const TARGET_AUTOSAVE_P99_MS = 250;
const TARGET_RSS_BYTES = 500 * 1024 * 1024;
const MB = 1024 * 1024;

const mb = (bytes: number) => `${fmt(bytes / MB, 0)} MB`;
const ms = (n: number) => `${fmt(n, n < 10 ? 1 : 0)} ms`;

function definition() {
  return benchQuestionnaire({
    key: 'bench-uploads',
    title: 'Bench: deadline-day uploads',
    description: 'Made by test/bench/uploads.bench.ts.',
    riskAreas: [{ key: 'area1', title: 'Area 1', critical: false }],
    weights: { s1: 100 },
    sections: [
      {
        key: 's1',
        ref: '1',
        title: 'Section 1',
        riskArea: 'area1',
        questions: [
          { key: 's1.note', ref: '1.1', text: 'Describe your approach.', guidance: 'As for a real council.', type: 'short_text', required: true, limits: { maxLength: 2000 }, riskAreas: ['area1'], sources: ['LGA'], scoring: { method: 'manual', descriptors: { 0: 'None.', 1: 'Vague.', 2: 'Partly.', 3: 'Clear.', 4: 'Evidenced.' } } },
          { key: 's1.policy', ref: '1.2', text: 'Upload your policy.', guidance: 'The current version.', type: 'file', required: true, riskAreas: ['area1'], sources: ['LGA'], scoring: { method: 'none' }, evidence: { requested: true, mandatory: true, description: 'The policy.' } },
        ],
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// The server's memory, from /proc.

/** The process and every process below it (tsx runs the server as a child of its own). */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [pid, ...children.flatMap(processTree)];
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The largest process of the tree: the node process serving (the tsx parent is small). */
const rssOf = (pids: number[], field: 'VmRSS' | 'VmHWM') => Math.max(...pids.map((pid) => statusKb(pid, field)));

/** Resets VmHWM to the current RSS (Linux: `5` to clear_refs); false where it is not allowed. */
function resetPeak(pids: number[]): boolean {
  try {
    for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Load: autosaves, and uploads that retry on 429/503.

type Supplier = { token: string };

async function autosaveUntil({ base, suppliers, stop }: { base: string; suppliers: Supplier[]; stop: () => boolean }): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: AUTOSAVE_WORKERS }, async (_, worker) => {
      for (let i = 0; !stop(); i += 1) {
        const supplier = suppliers[(worker + i * AUTOSAVE_WORKERS) % suppliers.length]!;
        const started = performance.now();
        const response = await fetch(`${base}/v1/supplier/response/answers/s1.note`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${supplier.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ value: `Draft ${worker}.${i}: we keep council data in the UK, under contract.` }),
        });
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        if (response.status !== 200) failures += 1;
      }
    }),
  );
  return { latencies, failures };
}

type UploadOutcome = { status: number; attempts: number; retryable: number; sha256Matches: boolean; error?: string };

// Keep-alive, as browsers: with `Connection: close` the server would close the socket right after an
// early 429/503, while the client is still sending, and the client would see EPIPE instead of the answer.
const uploadAgent = new Agent({ keepAlive: true });

/** One multipart upload; answers as soon as the server does (early refusals included). */
function sendUpload({ base, token, index }: { base: string; token: string; index: number }): Promise<{ status: number; retryAfter: number; body: string; sha256: string }> {
  const upload = generatedUpload({ fields: { questionKey: 's1.policy' }, filename: `policy-${index}.pdf`, size: FILE_BYTES });
  const url = new URL('/v1/supplier/response/evidence', base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: uploadAgent, headers: { authorization: `Bearer ${token}`, ...upload.headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        upload.body.unpipe(request);
        upload.body.destroy();
        request.destroy();
        resolve({ status: response.statusCode ?? 0, retryAfter: Number(response.headers['retry-after'] ?? 1), body: Buffer.concat(chunks).toString(), sha256: response.statusCode === 201 ? upload.sha256() : '' });
      });
    });
    let answered = false;
    request.on('response', () => {
      answered = true;
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    upload.body.pipe(request);
  });
}

async function uploadWithRetries({ base, token, index }: { base: string; token: string; index: number }): Promise<UploadOutcome> {
  let retryable = 0;
  for (let attempt = 1; ; attempt += 1) {
    const answer = await sendUpload({ base, token, index });
    if ((answer.status === 429 || answer.status === 503) && attempt < MAX_ATTEMPTS) {
      retryable += 1;
      await new Promise((resolve) => setTimeout(resolve, answer.retryAfter * 1000));
      continue;
    }
    const sha256Matches = answer.status === 201 && (JSON.parse(answer.body) as { evidence: { sha256: string } }).evidence.sha256 === answer.sha256;
    return { status: answer.status, attempts: attempt, retryable, sha256Matches };
  }
}

/** The ceiling: this process making, hashing and writing the same bytes to files, 16 at a time. */
async function diskCeiling(): Promise<number> {
  const directory = mkdtempSync(path.join(tmpdir(), 'aidd-bench-disk-'));
  const started = performance.now();
  try {
    await forEachLimit(Array.from({ length: UPLOADS }, (_, i) => i), 16, async (i) => {
      const upload = generatedUpload({ fields: {}, filename: 'x.pdf', size: FILE_BYTES });
      const hash = createHash('sha256');
      const file = await open(path.join(directory, String(i)), 'w');
      for await (const chunk of upload.body) {
        hash.update(chunk as Buffer);
        await file.write(chunk as Buffer);
      }
      await file.datasync();
      await file.close();
      hash.digest('hex');
    });
    return (UPLOADS * FILE_BYTES) / ((performance.now() - started) / 1000);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function runEngine(engine: Engine): Promise<string[]> {
  const started = performance.now();
  const service = await startService({ engine });
  try {
    assertLoopback(service.url);
    const base = service.url;
    const imported = await call<{ id: string }>(base, service.adminToken, 'POST', '/v1/questionnaires', definition(), [201]);
    await call(base, service.adminToken, 'POST', `/v1/questionnaires/${imported.id}/publish`);
    const deadline = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    const procurement = await call<{ id: string }>(base, service.adminToken, 'POST', '/v1/procurements', { title: 'Upload burst bench', questionnaireId: imported.id, deadline, triage: { 'triage.personal_data': 'yes' } }, [201]);
    await call(base, service.adminToken, 'POST', `/v1/procurements/${procurement.id}/open`);
    const suppliers: Supplier[] = new Array(UPLOADS + AUTOSAVE_SUPPLIERS);
    await forEachLimit(Array.from({ length: suppliers.length }, (_, i) => i), 8, async (i) => {
      const invited = await call<{ token: string }>(base, service.adminToken, 'POST', `/v1/procurements/${procurement.id}/invitations`, { supplierName: `Bench Supplier ${i + 1} Ltd`, contactEmail: `bids${i + 1}@supplier${i + 1}.example` }, [201]);
      suppliers[i] = { token: invited.token };
    });
    const uploaders = suppliers.slice(0, UPLOADS);
    const savers = suppliers.slice(UPLOADS);

    const pids = service.pid ? processTree(service.pid) : [];
    const rssBefore = rssOf(pids, 'VmRSS');
    const startupPeak = rssOf(pids, 'VmHWM');

    // Autosave alone: the ceiling for the burst's p99.
    const aloneUntil = performance.now() + ALONE_SECONDS * 1000;
    const alone = await autosaveUntil({ base, suppliers: savers, stop: () => performance.now() > aloneUntil });

    // The burst.
    const peakReset = resetPeak(pids);
    let sampledPeak = rssOf(pids, 'VmRSS');
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, rssOf(pids, 'VmRSS'));
    }, 50);
    let uploadsDone = false;
    const burstStarted = performance.now();
    const during = autosaveUntil({ base, suppliers: savers, stop: () => uploadsDone });
    const outcomes: UploadOutcome[] = await Promise.all(uploaders.map((s, index) => uploadWithRetries({ base, token: s.token, index }).catch((error: Error) => ({ status: -1, attempts: 1, retryable: 0, sha256Matches: false, error: `client error ${(error as NodeJS.ErrnoException).code ?? error.message}` }))));
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    uploadsDone = true;
    const saved = await during;
    clearInterval(sampler);
    const hwm = peakReset ? rssOf(pids, 'VmHWM') : 0;
    const rssPeak = Math.max(sampledPeak, hwm);

    const ceilingBytesPerSecond = await diskCeiling();

    const succeeded = outcomes.filter((o) => o.status === 201).length;
    const firstTry = outcomes.filter((o) => o.status === 201 && o.attempts === 1).length;
    const retryableAnswers = outcomes.reduce((sum, o) => sum + o.retryable, 0);
    const otherFailures = outcomes.filter((o) => o.status !== 201);
    const hashesMatch = outcomes.filter((o) => o.sha256Matches).length;
    const p99Alone = percentile([...alone.latencies].sort((a, b) => a - b), 99);
    const p99During = percentile([...saved.latencies].sort((a, b) => a - b), 99);
    const uploadRate = (succeeded * FILE_BYTES) / burstSeconds;
    const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
    const lines = [
      `[uploads ${engine}] ${UPLOADS} × ${mb(FILE_BYTES)} at once, ${AUTOSAVE_WORKERS} autosave workers; burst ${fmt(burstSeconds, 1)} s, scenario ${fmt((performance.now() - started) / 1000, 0)} s`,
      `[uploads ${engine}] uploads: ${succeeded}/${UPLOADS} stored (${firstTry} at the first try), SHA-256 as sent ${hashesMatch}/${succeeded}; ${retryableAnswers} retryable 429/503 answers (retried after Retry-After); other answers ${otherFailures.length}${otherFailures.length ? ` (${otherFailures.map((o) => o.error ?? o.status).join(', ')})` : ''} — target: all stored or retryable: ${verdict(otherFailures.length === 0 && succeeded === UPLOADS)}`,
      `[uploads ${engine}] autosave p99: alone ${ms(p99Alone)} (${alone.latencies.length} saves), during the burst ${ms(p99During)} (${saved.latencies.length} saves, ${saved.failures + alone.failures} not 200); ratio ${fmt(p99During / p99Alone, 2)} — target p99 < ${TARGET_AUTOSAVE_P99_MS} ms: ${verdict(p99During < TARGET_AUTOSAVE_P99_MS && saved.failures === 0)}`,
      `[uploads ${engine}] server RSS: ${mb(rssBefore)} before, peak ${mb(rssPeak)} during the burst (${peakReset ? 'VmHWM reset before it, and sampled' : 'sampled every 50 ms; VmHWM could not be reset'}); start-up peak ${mb(startupPeak)} — target < ${mb(TARGET_RSS_BYTES)}: ${verdict(rssPeak < TARGET_RSS_BYTES)}`,
      `[uploads ${engine}] upload rate ${mb(uploadRate)}/s against this machine hashing and writing the same bytes at ${mb(ceilingBytesPerSecond)}/s: ratio ${fmt(uploadRate / ceilingBytesPerSecond, 2)} (informational; the retries' waits are in the burst time)`,
    ];
    return lines;
  } finally {
    await service.stop();
  }
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const lines: string[] = [];
  // PostgreSQL first: the target is set for it; PGlite's figures follow.
  for (const engine of [...engines].sort((a) => (a === 'postgres' ? -1 : 1))) {
    try {
      lines.push(...(await runEngine(engine)));
    } catch (error) {
      lines.push(`[uploads ${engine}] failed: ${(error as Error).message}`);
    }
  }
  return lines;
}
