// The render-only floor of a page (issue 22, S5): the same template rendered in this process from the
// same, preloaded context, no I/O. The app is built here on the service's PostgreSQL database, one
// request for the page is injected to capture the template and context that its Nunjucks environment
// is given, and then that exact render is repeated for a fixed time. PostgreSQL only: the embedded
// database is held by the server process that is measured.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { buildApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { openDatabase } from '../../../src/platform/db';
import { addPageFilters } from '../../../src/platform/web/web';

export type RenderFloor = {
  rendersPerSecond: number;
  msPerRender: number;
  renders: number;
  template: string;
  bytes: number;
  /** Renders per second in alternating slices: the app's environment, and a plain one (same loaders and filters, no remembered lookups). */
  alternating: { app: number; plain: number };
};

/** A page environment as the app configures it, less `memoiseTemplateLookups`: what the memo is measured against. */
function plainEnvironment(): nunjucks.Environment {
  const govuk = path.dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')) + '/dist';
  const views = path.resolve(import.meta.dirname, '../../../src/views');
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([views, govuk]), { autoescape: true, throwOnUndefined: false });
  addPageFilters(env);
  return env;
}

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
  // The memo's worth: the app's environment against a plain one, in alternating slices, so drift on
  // the machine hits both alike; the same bytes, or the comparison is void.
  const plain = plainEnvironment();
  const renderPlain = () => plain.render(name, context);
  if (renderPlain() !== render()) throw new Error('render floor: the plain environment renders different bytes');
  for (let i = 0; i < 50; i += 1) renderPlain();
  const slices = { app: { renders: 0, ms: 0 }, plain: { renders: 0, ms: 0 } };
  for (let round = 0; round < 8; round += 1) {
    for (const [which, fn] of [['app', render], ['plain', renderPlain]] as const) {
      const from = performance.now();
      const stop = from + (seconds * 1000) / 8;
      while (performance.now() < stop) {
        fn();
        slices[which].renders += 1;
      }
      slices[which].ms += performance.now() - from;
    }
  }
  await app.close();
  await database.close();
  return {
    rendersPerSecond: (renders / elapsed) * 1000,
    msPerRender: elapsed / renders,
    renders,
    template: name,
    bytes,
    alternating: { app: (slices.app.renders / slices.app.ms) * 1000, plain: (slices.plain.renders / slices.plain.ms) * 1000 },
  };
}
