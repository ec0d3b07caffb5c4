// Start-up and idle memory: `tsx src/server.ts` (what `npm start` runs) from spawn to the line that says it
// is listening, on a brand-new DATA_DIR (the first start) and again on the same one (a restart), beside
// fastify hello-world started the same way in the same run (the ceiling: tsx and Node's own start).
// Then the serving process's resident memory, idle after setting up one organisation.
// Targets (issue 22): first start < 3 s, restart < 1.5 s; idle RSS < 400 MB embedded, < 250 MB PostgreSQL.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIGRATIONS_FOLDER } from '../../src/platform/db';
import { findTemplate } from '../../src/platform/db/embedded-template';
import { fmt, median } from './lib/load';
import { BENCH_SETUP_TOKEN, createBenchDatabase, serviceEnvironment, type Engine } from './lib/servers';

const root = path.resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

type Started = { ms: number; url: string; stop: () => Promise<void>; rssMb: () => number };

/** The node process that serves: tsx's CLI runs the code in a child of its own. */
function servingPid(tsxPid: number): number {
  const children = readFileSync(`/proc/${tsxPid}/task/${tsxPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  return children[0] ?? tsxPid;
}

function rssMbOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

async function timedStart({ script, env }: { script: string; env: Record<string, string> }): Promise<Started> {
  const started = performance.now();
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'warn', WEBHOOK_DELIVERY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  const ms = performance.now() - started;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ms,
    url,
    rssMb: () => rssMbOf(servingPid(child.pid!)),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function run({ engines }: { engines: Engine[] }): Promise<string[]> {
  const lines: string[] = [];
  const hello: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const server = await timedStart({ script: 'test/bench/lib/hello-server.ts', env: {} });
    hello.push(server.ms);
    await server.stop();
  }
  lines.push(`start-up ceiling: fastify hello-world under tsx, spawn to listening, median of ${RUNS}: ${fmt(median(hello))} ms`);
  if (engines.includes('embedded') && !findTemplate({ migrationsFolder: MIGRATIONS_FOLDER })) {
    lines.push('start-up [embedded]: no prepared empty database for these migrations (run `npm install`): first starts below run initdb');
  }
  for (const engine of engines) {
    const first: number[] = [];
    const restart: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const database = await createBenchDatabase({ engine, prefix: 'aidd_bench_startup' });
      try {
        const env = { ...serviceEnvironment(database), REPORT_WORKERS: '1' };
        const fresh = await timedStart({ script: 'src/server.ts', env });
        first.push(fresh.ms);
        const setup = await fetch(`${fresh.url}/v1/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-setup-token': BENCH_SETUP_TOKEN },
          body: JSON.stringify({ organisationName: 'Start-up Council', adminEmail: 'start@example.gov.uk', adminName: 'Start' }),
        });
        if (setup.status !== 201) throw new Error(`setup failed: ${setup.status}`);
        await fresh.stop();
        const again = await timedStart({ script: 'src/server.ts', env });
        restart.push(again.ms);
        // Idle: let start-up's garbage be collected in the ordinary way before reading.
        await sleep(2_000);
        rss.push(again.rssMb());
        await again.stop();
      } finally {
        await database.cleanUp();
      }
    }
    const rssTarget = engine === 'postgres' ? 250 : 400;
    const f = median(first);
    const r = median(restart);
    lines.push(
      `start-up [${engine}] median of ${RUNS}: first start ${fmt(f)} ms (hello-world ratio ${(median(hello) / f).toFixed(3)}; target < 3000 ms: ${f < 3000 ? 'met' : 'NOT met'})` +
        ` | restart ${fmt(r)} ms (ratio ${(median(hello) / r).toFixed(3)}; target < 1500 ms: ${r < 1500 ? 'met' : 'NOT met'})` +
        ` | idle RSS ${fmt(median(rss))} MB (target < ${rssTarget} MB: ${median(rss) < rssTarget ? 'met' : 'NOT met'})`,
    );
  }
  return lines;
}
