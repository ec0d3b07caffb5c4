import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { assertLoopback } from './load';

/** One request as a scenario wants it: `kind` is how it is counted (e.g. `save`, `stale`). */
export type PlannedRequest = {
  kind: string;
  method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: string;
};

export type KindStats = { sent: number; answered: number; statusCodes: Record<string, number>; latenciesMs: number[] };

export type GatedLoadResult = {
  byKind: Record<string, KindStats>;
  /** Measured requests answered, of every kind. */
  answered: number;
  /** Responses that came back before the gate closed, divided by the run's length: the steady rate. */
  requestsPerSecond: number;
  /** From the start to the last measured response (the run's length plus the drain). */
  seconds: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts reported by autocannon during the whole run. */
  errors: number;
  timeouts: number;
  /** Measured requests sent whose response never came back (lost to an error, or still out at the drain timeout). */
  unanswered: number;
  /** Every status code seen on measured requests, all kinds together. */
  statusCodes: Record<string, number>;
  /** The first response body seen for each status of 400 and above, to report exactly what went wrong. */
  firstErrorBodies: Record<string, string>;
};

type Context = { kind?: string | undefined; sentAt?: number };

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * An autocannon run (programmatic, pipelining 1) in which `plan` makes every request (a random
 * target, body and headers), and which ends cleanly: after `durationSeconds` no measured request
 * starts any more (the connections idle on `idlePath`), and the run stops only once every
 * measured request has had its response. So each measured request is counted exactly once, by kind
 * and status, and the server has finished all of them when this returns: a post-check of the
 * database can compare its counts with ours exactly. Latency is measured per request, from when
 * autocannon builds it (just before writing it) to its response.
 */
export async function gatedLoad({
  url,
  connections,
  durationSeconds,
  plan,
  idlePath = '/healthz',
  drainTimeoutMs = 15_000,
}: {
  url: string;
  connections: number;
  durationSeconds: number;
  plan: () => PlannedRequest;
  idlePath?: string;
  drainTimeoutMs?: number;
}): Promise<GatedLoadResult> {
  assertLoopback(url);
  const byKind: Record<string, KindStats> = {};
  const statsOf = (kind: string) => (byKind[kind] ??= { sent: 0, answered: 0, statusCodes: {}, latenciesMs: [] });
  let open = true;
  let sent = 0;
  let answered = 0;
  let answeredAtGate = 0;
  let lastAnsweredAt = 0;
  let errors = 0;
  const firstErrorBodies: Record<string, string> = {};

  const request: autocannon.Request = {
    setupRequest: (req, context) => {
      const ctx = context as Context;
      if (!open) {
        ctx.kind = undefined;
        return { ...req, method: 'GET', path: idlePath, headers: {}, body: Buffer.alloc(0) };
      }
      const planned = plan();
      ctx.kind = planned.kind;
      ctx.sentAt = performance.now();
      statsOf(planned.kind).sent += 1;
      sent += 1;
      return { ...req, method: planned.method, path: planned.path, headers: planned.headers, body: planned.body ?? Buffer.alloc(0) };
    },
    onResponse: (status, body, context) => {
      const ctx = context as Context;
      if (ctx.kind === undefined) return;
      if (status >= 400 && firstErrorBodies[status] === undefined) firstErrorBodies[status] = `${ctx.kind}: ${body}`;
      const now = performance.now();
      const stats = statsOf(ctx.kind);
      stats.answered += 1;
      stats.statusCodes[status] = (stats.statusCodes[status] ?? 0) + 1;
      stats.latenciesMs.push(now - (ctx.sentAt ?? now));
      answered += 1;
      lastAnsweredAt = now;
      ctx.kind = undefined;
    },
  };

  const started = performance.now();
  let timeouts = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      // autocannon's own clock only guards against a hang; the gate below decides when the run ends.
      { url, connections, pipelining: 1, duration: durationSeconds + Math.ceil(drainTimeoutMs / 1000) + 10, requests: [request] },
      (error, result) => {
        if (error) reject(error);
        else {
          errors = result.errors;
          timeouts = result.timeouts;
          resolve();
        }
      },
    );
    setTimeout(() => {
      open = false;
      answeredAtGate = answered;
      const closedAt = performance.now();
      const poll = setInterval(() => {
        const now = performance.now();
        const drained = sent === answered;
        // A request lost to a connection error never answers: stop once nothing has come back for a while.
        const stuck = now - Math.max(lastAnsweredAt, closedAt) > 3_000;
        if (drained || stuck || now - closedAt > drainTimeoutMs) {
          clearInterval(poll);
          instance.stop();
        }
      }, 2);
    }, durationSeconds * 1000);
  });

  const all = Object.values(byKind).flatMap((k) => k.latenciesMs).sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const stats of Object.values(byKind)) for (const [code, n] of Object.entries(stats.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const seconds = ((lastAnsweredAt || performance.now()) - started) / 1000;
  return {
    byKind,
    answered,
    requestsPerSecond: answeredAtGate / durationSeconds,
    seconds,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    errors,
    timeouts,
    unanswered: sent - answered,
    statusCodes,
    firstErrorBodies,
  };
}
