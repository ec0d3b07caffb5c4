// The run: fast-check draws batches of requests (as many at once as `concurrency`), sends each batch
// concurrently, checks every answer, then checks that /healthz still answers and the child is alive.
// A failing batch is shrunk (a bounded number of tries) and reported with the seed to replay it.
import fc from 'fast-check';
import { send, type SendResult } from './client';
import { readDocument, type ApiDocument } from './openapi';
import { violations } from './property';
import { describeRequest, requestSpace, type FuzzRequest } from './requests';
import { startFuzzServer, type FuzzServer } from './server';
import { buildWorld, type World } from './world';

export type FuzzOptions = {
  seed: number;
  /** At least this many requests (a whole number of batches). */
  requests: number;
  concurrency?: number;
  timeoutMs?: number;
  /** Stop drawing new batches after this long (the count is then what was sent). */
  maxSeconds?: number;
  log?: (line: string) => void;
  /** Shrinking runs at most this many batches after a failure. */
  shrinkBudget?: number;
  /** Survey mode: do not stop at the first failure; collect one example of each kind of failure. */
  keepGoing?: boolean;
  /** Only the operations whose operationId or `METHOD /path` matches (and `odd method`). */
  only?: RegExp;
};

export type FuzzReport = {
  seed: number;
  sent: number;
  seconds: number;
  setupSeconds: number;
  byStatus: Record<string, number>;
  byOperation: Record<string, Record<string, number>>;
  /** Total and slowest answer time by operation, in milliseconds. */
  timeByOperation: Record<string, { total: number; max: number }>;
  operations: number;
  /** undefined when the property held for every request. */
  failure?: string;
  /** Survey mode: one example per operation and kind of failure, with how often it happened. */
  survey?: Array<{ key: string; count: number; example: string }>;
};

type Failure = { requests: string[] };

const HEALTH_TIMEOUT_MS = 30_000;

async function healthy(server: FuzzServer): Promise<string | undefined> {
  const exited = server.exited();
  if (exited) return `the server process exited (code ${exited.code}, signal ${exited.signal})`;
  try {
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = await response.text();
    if (response.status !== 200) return `/healthz answered ${response.status}: ${body.slice(0, 200)}`;
    return undefined;
  } catch (error) {
    return `/healthz did not answer: ${(error as Error).message}`;
  }
}

/** The server's log lines about the request a 5xx answer names, so a report says what broke. */
function serverLog(server: FuzzServer, body: string): string[] {
  const requestId = /"requestId":"([^"]+)"/.exec(body)?.[1];
  if (!requestId) return [];
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes(requestId))
    .map((line) => `server log: ${line.slice(0, 2_500)}`);
}

const increment = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/** Runs the fuzz against a server and world already set up. */
export async function fuzzServer({ server, world, document, options }: { server: FuzzServer; world: World; document: ApiDocument; options: FuzzOptions }): Promise<Omit<FuzzReport, 'setupSeconds'>> {
  const { seed, concurrency = 8, timeoutMs = 120_000, log = () => undefined, shrinkBudget = 60 } = options;
  const space = requestSpace(document, world, options.only);
  const batches = Math.ceil(options.requests / concurrency);
  const byStatus: Record<string, number> = {};
  const byOperation: Record<string, Record<string, number>> = {};
  const timeByOperation: Record<string, { total: number; max: number }> = {};
  const started = performance.now();
  let sent = 0;
  let firstFailure: Failure | undefined;
  let shrinkRuns = 0;
  let serverDown: string | undefined;
  let stoppedEarly = false;
  let nextProgress = 1_000;
  const survey = new Map<string, { key: string; count: number; example: string }>();

  const property = async (batch: FuzzRequest[]) => {
    if (firstFailure) {
      // Shrinking: a bounded number of tries, and none once the server is down (every batch would fail alike).
      if (serverDown || shrinkRuns >= shrinkBudget) return;
      shrinkRuns += 1;
    } else if (options.maxSeconds !== undefined && (performance.now() - started) / 1000 > options.maxSeconds) {
      stoppedEarly = true;
      return;
    }
    const took: number[] = [];
    const results: SendResult[] = await Promise.all(
      batch.map(async (request, i) => {
        const t = performance.now();
        const result = await send(server.url, request, timeoutMs);
        took[i] = performance.now() - t;
        return result;
      }),
    );
    const failed: string[] = [];
    const health = await healthy(server);
    batch.forEach((request, i) => {
      const result = results[i]!;
      if (!firstFailure) {
        sent += 1;
        const status = result.response ? String(result.response.status) : request.mayGoUnanswered ? 'closed' : 'no answer';
        increment(byStatus, status);
        increment((byOperation[request.op] ??= {}), status);
        const time = (timeByOperation[request.op] ??= { total: 0, max: 0 });
        time.total += took[i]!;
        time.max = Math.max(time.max, took[i]!);
      }
      const problems = violations(request, result);
      if (problems.length > 0 && result.response && result.response.status >= 500) problems.push(...serverLog(server, result.response.body.toString('utf8')));
      if (problems.length > 0) {
        const example = `${describeRequest(request)}\n  → ${problems.join('\n  → ')}`;
        if (options.keepGoing) {
          const key = `${request.op} | ${problems[0]!.replace(/\d{3}-byte|\d+-character/g, 'N')}`;
          const entry = survey.get(key) ?? survey.set(key, { key, count: 0, example }).get(key)!;
          entry.count += 1;
        } else failed.push(example);
      }
    });
    if (health && options.keepGoing) throw new Error(`${health}\n${batch.map(describeRequest).join('\n')}`);
    if (health) {
      serverDown = health;
      failed.push(`after this batch: ${health}\n${batch.map(describeRequest).join('\n')}`);
    }
    if (!firstFailure && sent >= nextProgress) {
      log(`[fuzz] ${sent} requests in ${((performance.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(byStatus)}`);
      nextProgress += 1_000;
    }
    if (failed.length > 0) {
      if (!firstFailure) firstFailure = { requests: failed };
      throw new Error(failed.join('\n\n'));
    }
  };

  // Now and then a burst: one request sent `concurrency` times at once, for the races two clicks make.
  const batch = fc.oneof(
    { weight: 9, arbitrary: fc.array(space.arbitrary, { minLength: concurrency, maxLength: concurrency }) },
    { weight: 1, arbitrary: space.arbitrary.map((request) => Array.from({ length: concurrency }, () => ({ ...request, variant: [...request.variant, `burst of ${concurrency}`] }))) },
  );
  const details = await fc.check(fc.asyncProperty(batch, property), { seed, numRuns: batches, endOnFailure: false });
  const seconds = (performance.now() - started) / 1000;
  const finalHealth = await healthy(server);
  let failure: string | undefined;
  if (details.failed) {
    const shrunk = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    failure = [
      `The fuzz failed (seed ${details.seed}; replay with: npm run fuzz -- --seed ${details.seed}). Shrunk in ${details.numShrinks} steps${serverDown ? '; the server went down, so the first failure is the one to read' : ''}.`,
      '',
      'First failure:',
      firstFailure!.requests.join('\n\n'),
      '',
      'Shrunk failure:',
      shrunk,
      ...(serverDown ? ['', `Server output (last 3,000 characters):\n${server.output().slice(-3_000)}`] : []),
    ].join('\n');
  } else if (finalHealth) {
    failure = `After the fuzz (seed ${seed}): ${finalHealth}\n${server.output().slice(-3_000)}`;
  }
  if (stoppedEarly) log(`[fuzz] stopped after ${options.maxSeconds} s`);
  return { seed, sent, seconds, byStatus, byOperation, timeByOperation, operations: space.operations.length, ...(failure ? { failure } : {}), ...(options.keepGoing ? { survey: [...survey.values()] } : {}) };
}

/** Starts a server on a fresh database, sets the world up, fuzzes, stops the server. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const server = await startFuzzServer();
  try {
    const world = await buildWorld(server);
    const document = readDocument(await (await fetch(`${server.url}/openapi.json`)).json());
    const setupSeconds = (performance.now() - started) / 1000;
    log(`[fuzz] seed ${options.seed}; server and world ready in ${setupSeconds.toFixed(1)} s; ${document.operations.length} operations`);
    const report = await fuzzServer({ server, world, document, options: { ...options, log } });
    return { ...report, setupSeconds };
  } finally {
    await server.close();
  }
}

/** The counts as a table: by status, then by operation. */
export function formatReport(report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `Fuzz: seed ${report.seed}, ${report.sent} requests over ${report.operations} operations in ${report.seconds.toFixed(1)} s (set-up ${report.setupSeconds.toFixed(1)} s)`,
    `By status: ${statuses.map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    `Rate limited (429): ${report.byStatus['429'] ?? 0} of ${report.sent}`,
    'By operation:',
    ...Object.entries(report.byOperation)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([op, counts]) => `  ${op.padEnd(64)} ${Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}: ${n}`).join(', ')}`),
    'Slowest operations (total time answering, slowest answer):',
    ...Object.entries(report.timeByOperation)
      .sort(([, a], [, b]) => b.total - a.total)
      .slice(0, 8)
      .map(([op, t]) => `  ${op.padEnd(64)} ${(t.total / 1000).toFixed(1)} s, ${(t.max / 1000).toFixed(2)} s`),
  ];
  return lines.join('\n');
}
