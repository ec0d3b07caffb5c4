import autocannon from 'autocannon';

export type LoadResult = {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Connection errors and timeouts (autocannon already counts each timeout as an error). */
  errors: number;
  timeouts: number;
  total: number;
  /** Responses per HTTP status code, e.g. { '200': 9000, '412': 180 }. */
  statusCodes: Record<string, number>;
};

/** Refuses anything but a loopback target: load is never sent off this machine. */
export function assertLoopback(url: string): void {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(`${url}/`)) throw new Error(`refusing to load a non-loopback target: ${url}`);
}

/** One bounded autocannon run against a loopback URL. */
export async function load({
  url,
  connections,
  durationSeconds,
  headers = {},
  requests,
}: {
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  requests?: autocannon.Request[];
}): Promise<LoadResult> {
  assertLoopback(url);
  const result = await autocannon({ url, connections, duration: durationSeconds, headers, ...(requests ? { requests } : {}) });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    total: result.requests.total,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0])),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Coefficient of variation, to show how steady the repetitions were. */
export function cv(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return mean === 0 ? 0 : Math.sqrt(variance) / mean;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
