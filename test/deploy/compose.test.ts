import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { copiesOf, envOf, execForm, healthcheckOf, readDockerfile, root } from './dockerfile';

// What CI checks when no Docker engine is there to build the image and start the compose file.

type Service = {
  image?: string;
  build?: unknown;
  restart?: string;
  init?: boolean;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  healthcheck?: { test?: string[] | string; start_period?: string };
};
type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };

function composeValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(path.join(root, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8')) as { $schema: string };
  // The schema is draft-07 but names its meta-schema by its https address, which ajv knows as http.
  // Not strict: the schema uses union types (`"type": ["boolean", "string"]`, for interpolation), as draft-07 allows.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  return ajv.compile(schema);
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const app = compose.services.app!;

/** A Compose duration (`1m30s`, `60s`, `500ms`) in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  if (parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit!]!, 0);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema (0 errors), and the validator does catch a wrong file', () => {
    const validate = composeValidator();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // A misspelt key and a list where a mapping belongs are refused, so the check above means something.
    expect(validate({ services: { app: { ...app, restartt: 'always' } } })).toBe(false);
    expect(validate({ services: { app: { ...app, healthcheck: ['CMD', 'true'] } } })).toBe(false);
  });

  it('restarts every service unless it was stopped', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'db', 'mail']);
    for (const [name, service] of Object.entries(compose.services)) expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
  });

  it('runs the app with an init as PID 1, in production, from the Dockerfile', () => {
    expect(app.init).toBe(true);
    expect(app.build).toBe('.');
    expect(app.environment?.NODE_ENV).toBe('production');
  });

  it('gives every healthcheck a start_period, and checks the app by /readyz', () => {
    const checked = Object.entries(compose.services).filter(([, s]) => s.healthcheck);
    expect(checked.map(([name]) => name).sort()).toEqual(['app', 'db']);
    for (const [name, service] of checked) expect({ name, startPeriodMs: durationMs(service.healthcheck!.start_period ?? '') }).toEqual({ name, startPeriodMs: expect.any(Number) });
    expect(durationMs(app.healthcheck!.start_period!)).toBeGreaterThanOrEqual(30_000);
    const test = app.healthcheck!.test as string[];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test[3]).toContain('/readyz');
  });

  it('has no default for SECRETS_KEY: compose stops with a message saying how to make one', () => {
    const value = String(app.environment?.SECRETS_KEY);
    // ${VAR:?message} is "required"; ${VAR:-default} or ${VAR-default} would start with a known key.
    const required = /^\$\{SECRETS_KEY:\?([^}]+)\}$/.exec(value);
    expect(required, value).not.toBeNull();
    expect(required![1]).toContain('openssl rand -base64 32 | tr +/ -_');
    expect(JSON.stringify(compose)).not.toMatch(/SECRETS_KEY:?-/);
  });

  it('keeps DATA_DIR (/data) on a named volume', () => {
    expect(app.environment?.DATA_DIR).toBe('/data');
    const mounts = (app.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));
    const data = mounts.find((m) => m.target === '/data');
    expect(data?.source).toMatch(/^[a-z][a-z0-9_-]*$/); // a name, not a host path
    expect(Object.keys(compose.volumes ?? {})).toContain(data!.source);
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile();
  const runtime = stages.at(-1)!;
  const instructions = runtime.instructions;
  const index = (keyword: string, args?: RegExp) => instructions.findIndex((i) => i.keyword === keyword && (!args || args.test(i.args)));

  it('builds in one stage (npm ci, npm run build, prune the development dependencies) and runs from another', () => {
    expect(stages.map((s) => s.from)).toEqual(['node:20-bookworm-slim', 'node:20-bookworm-slim']);
    const build = stages[0]!;
    expect(build.name).toBe('build');
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
    expect(runs).toMatch(/npm ci\b.*npm run build\b.*npm prune --omit=dev\b/);
    expect(envOf(build).NODE_ENV).toBeUndefined(); // NODE_ENV=production here would make npm ci skip the build tools
  });

  it('runs node on dist/ in exec form as the node user, in production, with DATA_DIR on a volume node owns', () => {
    const cmd = instructions.filter((i) => i.keyword === 'CMD');
    expect(cmd).toHaveLength(1);
    expect(execForm(cmd[0]!.args)).toEqual(['node', 'dist/server.mjs']);
    expect(index('ENTRYPOINT')).toBe(-1);
    const users = instructions.filter((i) => i.keyword === 'USER');
    expect(users.map((u) => u.args)).toEqual(['node']);
    expect(envOf(runtime)).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/data', HOST: '0.0.0.0' });
    // The directory is made and chowned before VOLUME (a new volume copies it) and before USER drops root.
    const chown = index('RUN', /mkdir -p \/data && chown node:node \/data/);
    expect(chown).toBeGreaterThanOrEqual(0);
    expect(index('VOLUME')).toBeGreaterThan(chown);
    expect(instructions[index('VOLUME')]!.args).toBe('/data');
    expect(index('USER')).toBeGreaterThan(chown);
  });

  it('has a healthcheck on /readyz with a start period', () => {
    const healthcheck = healthcheckOf(runtime)!;
    expect(healthcheck.options['start-period']).toMatch(/^\d+s$/);
    expect(healthcheck.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheck.command[2]).toContain('/readyz');
  });

  it('takes into the runtime stage only the built output, production node_modules and the files read at run time', () => {
    const copies = copiesOf(runtime);
    expect(copies.filter((c) => c.from === 'build').flatMap((c) => c.sources).sort()).toEqual(['/app/dist/', '/app/node_modules/', '/app/package.json']);
    const fromContext = copies.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    expect(fromContext.sort()).toEqual(['migrations/', 'openapi/ocds-extension/', 'src/views/']);
    for (const source of fromContext) expect(existsSync(path.join(root, source)), source).toBe(true);
    // No TypeScript source and no tsx at run time.
    expect(JSON.stringify(instructions)).not.toMatch(/tsx|src\/(?!views)/);
  });
});
