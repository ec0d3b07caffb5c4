// Scenario S0: authenticated GET /v1/me beside fastify hello-world, same machine, same connections.
// Target on PostgreSQL: ratio >= 0.5.
import { cv, fmt, load, median } from './lib/load';
import { startHelloWorld, startService, type Engine } from './lib/servers';

const CONNECTIONS = 50;
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 3);

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const lines: string[] = [];
  for (const engine of engines) {
    const hello = await startHelloWorld();
    const service = await startService({ engine });
    try {
      const headers = { authorization: `Bearer ${service.adminToken}` };
      // Warm both up (JIT, pool connections, prepared statements).
      await load({ url: `${hello.url}/`, connections: CONNECTIONS, durationSeconds: 2 });
      await load({ url: `${service.url}/v1/me`, connections: CONNECTIONS, durationSeconds: 2, headers });
      const ceiling: number[] = [];
      const floor: number[] = [];
      const candidate: number[] = [];
      const p99s: number[] = [];
      let non2xx = 0;
      for (let i = 0; i < REPETITIONS; i += 1) {
        // Back to back, alternating, so drift on the machine hits both alike.
        ceiling.push((await load({ url: `${hello.url}/`, connections: CONNECTIONS, durationSeconds: DURATION })).requestsPerSecond);
        // Our own stack with no auth and no database (security headers, request ids, zod): where any route starts.
        floor.push((await load({ url: `${service.url}/healthz`, connections: CONNECTIONS, durationSeconds: DURATION })).requestsPerSecond);
        const me = await load({ url: `${service.url}/v1/me`, connections: CONNECTIONS, durationSeconds: DURATION, headers });
        candidate.push(me.requestsPerSecond);
        p99s.push(me.p99);
        non2xx += me.non2xx + me.errors;
      }
      const ratio = median(candidate) / median(ceiling);
      lines.push(
        `S0 GET /v1/me [${engine}] c=${CONNECTIONS} ${DURATION}s x${REPETITIONS}: ${fmt(median(candidate))} req/s (cv ${fmt(cv(candidate) * 100, 1)}%, p99 ${median(p99s)} ms, non-2xx ${non2xx})` +
          ` | hello-world ${fmt(median(ceiling))} req/s (cv ${fmt(cv(ceiling) * 100, 1)}%) | ratio ${ratio.toFixed(3)}` +
          ` | our /healthz ${fmt(median(floor))} req/s, ratio ${(median(floor) / median(ceiling)).toFixed(3)}` +
          (engine === 'postgres' ? ` (target >= 0.5: ${ratio >= 0.5 ? 'met' : 'NOT met'})` : ''),
      );
    } finally {
      await service.stop();
      await hello.stop();
    }
  }
  return lines;
}
