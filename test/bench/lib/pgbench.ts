import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type PgbenchResult = { tps: number; latencyMs: number | null; failed: number; output: string };

/** Refuses a database anywhere but on this machine. */
function assertLoopbackDatabase(databaseUrl: string): void {
  const host = new URL(databaseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', '::1', ''].includes(host)) throw new Error(`refusing to run pgbench against a non-loopback database: ${host}`);
}

/** Reads pgbench 15's summary: `tps = N (without initial connection time)`, the mean latency and failed transactions. */
export function parsePgbench(output: string): Omit<PgbenchResult, 'output'> {
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ?? /tps = ([\d.]+)/.exec(output);
  if (!tps) throw new Error(`pgbench printed no tps line:\n${output}`);
  const latency = /latency average = ([\d.]+) ms/.exec(output);
  const failed = /number of failed transactions: (\d+)/.exec(output);
  return { tps: Number(tps[1]), latencyMs: latency ? Number(latency[1]) : null, failed: failed ? Number(failed[1]) : 0 };
}

/**
 * One bounded `pgbench -n -M <protocol> -c <clients> -j <threads> -T <seconds> -f <script>` run. `prepared`
 * when the service sends the statements as named prepared statements, so both parse and plan once.
 */
export async function pgbench({ databaseUrl, clients, seconds, script, threads = 2, protocol = 'simple' }: { databaseUrl: string; clients: number; seconds: number; script: string; threads?: number; protocol?: 'simple' | 'prepared' }): Promise<PgbenchResult> {
  assertLoopbackDatabase(databaseUrl);
  if (seconds > 60) throw new Error('a pgbench run is at most 60 s');
  const directory = mkdtempSync(path.join(tmpdir(), 'aidd-pgbench-'));
  const file = path.join(directory, 'script.sql');
  writeFileSync(file, script);
  try {
    const args = ['-n', '-M', protocol, '-c', String(clients), '-j', String(Math.min(threads, clients)), '-T', String(seconds), '-f', file, databaseUrl];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    if (code !== 0) throw new Error(`pgbench exited with ${code}:\n${output}`);
    return { ...parsePgbench(output), output };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
