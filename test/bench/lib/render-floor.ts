// The render-only floor of a page (issue 22, S5): the same template rendered in this process from the
// same, preloaded context, no I/O. The app is built here on the service's PostgreSQL database, one
// request for the page is injected to capture the template and context that its Nunjucks environment
// is given, and then that exact render is repeated for a fixed time. PostgreSQL only: the embedded
// database is held by the server process that is measured.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import nunjucks from 'nunjucks';
import { buildApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { openDatabase } from '../../../src/platform/db';

export type RenderFloor = { rendersPerSecond: number; msPerRender: number; renders: number; template: string; bytes: number };

export async function renderFloor({ databaseUrl, route, cookie, seconds }: { databaseUrl: string; route: string; cookie: string; seconds: number }): Promise<RenderFloor> {
  const database = await openDatabase({ url: databaseUrl, dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined }, poolMax: 2 });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, WEBHOOK_DELIVERY: 'false', REPORT_WORKERS: '0', RATE_LIMIT_PER_MINUTE: '100000000' });
  const app = await buildApp({ config, database, logger: false });
  const environment = nunjucks.Environment.prototype as unknown as { render: (...args: unknown[]) => unknown };
  const original = environment.render;
  let captured: { env: nunjucks.Environment; name: string; context: object } | undefined;
  environment.render = function (this: nunjucks.Environment, ...args: unknown[]) {
    captured = { env: this, name: args[0] as string, context: args[1] as object };
    return original.apply(this, args);
  };
  try {
    const response = await app.inject({ method: 'GET', url: route, headers: { cookie } });
    if (response.statusCode !== 200 || !captured) throw new Error(`render floor: GET ${route} answered ${response.statusCode}`);
  } finally {
    environment.render = original;
  }
  const { env, name, context } = captured;
  const render = () => env.render(name, context);
  const bytes = Buffer.byteLength(render());
  for (let i = 0; i < 50; i += 1) render(); // warm up the JIT
  // BENCH_RENDER_PROFILE=<file>: a CPU profile of the timed renders alone (for `summarise-profile`).
  const profileFile = process.env.BENCH_RENDER_PROFILE;
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  let renders = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    render();
    renders += 1;
  }
  const elapsed = performance.now() - started;
  if (session && profileFile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  await app.close();
  await database.close();
  return { rendersPerSecond: (renders / elapsed) * 1000, msPerRender: elapsed / renders, renders, template: name, bytes };
}
