// The load loop every page scenario shares (S5, S6, S12): the page and the fastify hello-world
// warmed up, then measured back to back, alternating, so drift on the machine hits both alike; the
// ratio of each repetition, their median, and the lines that report it all the same way.
import { cv, fmt, load, median, type LoadResult } from './load';

export type Interleaved = {
  /** The page's runs, one per repetition. */
  candidate: LoadResult[];
  /** Hello-world's runs, one per repetition, each just before the page's. */
  ceiling: LoadResult[];
  /** Page req/s over hello-world req/s, per repetition. */
  ratios: number[];
  /** The median of `ratios`. */
  ratio: number;
};

/** Warms both up (JIT, the compiled templates, pool connections, prepared statements), then measures them interleaved. */
export async function interleavedWithHello({
  helloUrl,
  url,
  headers,
  connections,
  durationSeconds,
  warmUpSeconds,
  repetitions,
}: {
  helloUrl: string;
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmUpSeconds: number;
  repetitions: number;
}): Promise<Interleaved> {
  await load({ url: helloUrl, connections, durationSeconds: warmUpSeconds });
  await load({ url, connections, durationSeconds: warmUpSeconds, headers });
  const ceiling: LoadResult[] = [];
  const candidate: LoadResult[] = [];
  for (let i = 0; i < repetitions; i += 1) {
    // Back to back, alternating, so drift on the machine hits both alike.
    ceiling.push(await load({ url: helloUrl, connections, durationSeconds }));
    candidate.push(await load({ url, connections, durationSeconds, headers }));
  }
  const ratios = candidate.map((run, i) => run.requestsPerSecond / ceiling[i]!.requestsPerSecond);
  return { candidate, ceiling, ratios, ratio: median(ratios) };
}

export const pct = (values: number[]) => `${fmt(cv(values) * 100, 1)}%`;
/** 3 decimals, or 3 significant digits for a ratio under 0.1, so a small one is not rounded up to the next thousandth. */
export const ratio = (n: number) => (n >= 0.1 ? n.toFixed(3) : n.toPrecision(3));
/** A ratio beside its bar: more digits whenever 3 would round it onto or across the bar. */
export const ratioVs = (n: number, bar: number) => {
  const short = ratio(n);
  return Number(short) === bar || Number(short) >= bar !== n >= bar ? n.toFixed(6) : short;
};
export const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);

/** Responses that were not a 200, connection errors and timeouts, as "status: count" pairs. */
export const notOk = (runs: LoadResult[]) => {
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodes)) if (code !== '200' && count > 0) counts.set(code, (counts.get(code) ?? 0) + count);
    if (run.errors > 0) counts.set('errors', (counts.get('errors') ?? 0) + run.errors);
  }
  return [...counts].map(([k, v]) => `${k}: ${v}`);
};
export const total200 = (runs: LoadResult[]) => runs.reduce((n, run) => n + (run.statusCodes['200'] ?? 0), 0);
export const totalAll = (runs: LoadResult[]) => runs.reduce((n, run) => n + Object.values(run.statusCodes).reduce((a, b) => a + b, 0) + run.errors, 0);

/** "c=… Ns xR, interleaved with hello-world: … req/s … | hello-world … | ratio page/hello …": the figures of one measurement. */
export function interleavedFigures({ result, connections, durationSeconds, repetitions, target }: { result: Interleaved; connections: number; durationSeconds: number; repetitions: number; target: number }): string {
  const { candidate, ceiling, ratios } = result;
  const rps = (runs: LoadResult[]) => runs.map((r) => r.requestsPerSecond);
  return (
    ` c=${connections} ${durationSeconds}s x${repetitions}, interleaved with hello-world:` +
    ` ${fmt(median(rps(candidate)))} req/s (cv ${pct(rps(candidate))}; ${rps(candidate).map((n) => fmt(n)).join(', ')}), p50 ${ms(median(candidate.map((r) => r.p50)))} ms, p99 ${ms(median(candidate.map((r) => r.p99)))} ms (medians of ${repetitions})` +
    ` | hello-world ${fmt(median(rps(ceiling)))} req/s (cv ${pct(rps(ceiling))}; ${rps(ceiling).map((n) => fmt(n)).join(', ')}), p99 ${ms(median(ceiling.map((r) => r.p99)))} ms` +
    ` | ratio page/hello ${ratioVs(result.ratio, target)} (median of ${repetitions} per-repetition ratios ${ratios.map(ratio).join(', ')}; cv ${pct(ratios)}) (target >= ${target}: ${result.ratio >= target ? 'met' : 'NOT met'})`
  );
}

/** The two status checks of one measurement (every page and hello-world response a 200), and whether both hold. */
export function statusChecks(result: Interleaved): { lines: string[]; ok: boolean } {
  const pageFailures = notOk(result.candidate);
  const helloFailures = notOk(result.ceiling);
  return {
    lines: [
      `${fmt(total200(result.candidate))}/${fmt(totalAll(result.candidate))} page responses 200${pageFailures.length > 0 ? ` (others: ${pageFailures.join(', ')})` : ''}`,
      `${fmt(total200(result.ceiling))}/${fmt(totalAll(result.ceiling))} hello-world responses 200${helloFailures.length > 0 ? ` (others: ${helloFailures.join(', ')})` : ''}`,
    ],
    ok: pageFailures.length === 0 && helloFailures.length === 0,
  };
}
