import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../scripts/openapi-document';
import { MIGRATIONS_FOLDER } from '../../src/platform/db';
import { useTestApp } from '../helpers/app';

const root = path.resolve(import.meta.dirname, '../..');

describe('the published API contract', () => {
  const ctx = useTestApp({ truncate: false });

  it('/openapi.json is a valid OpenAPI 3.1 document', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is identical to the committed openapi/openapi.json (run `npm run openapi:write` after changing a route)', () => {
    const committed = readFileSync(path.join(root, 'openapi/openapi.json'), 'utf8');
    expect(renderOpenApi(ctx.app)).toBe(committed);
  });

  it('marks every non-public operation as needing a bearer token, setup as needing the setup token, and the health probes as open', async () => {
    const document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const [route, operations] of Object.entries<Record<string, { security?: unknown }>>(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const expected = route === '/v1/setup' ? [{ setupToken: [] }] : route.startsWith('/v1/') ? [{ bearerAuth: [] }] : [];
        expect(operation.security, `${method.toUpperCase()} ${route}`).toEqual(expected);
      }
    }
  });

  it('serves interactive documentation at /docs', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger-ui');
  });
});

describe('migrations', () => {
  it('drizzle-kit would generate no new migration from the current table files', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'aidd-migrations-'));
    try {
      cpSync(MIGRATIONS_FOLDER, out, { recursive: true });
      const before = readdirSync(out).sort();
      const result = spawnSync(
        path.join(root, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'postgresql', '--casing', 'snake_case', '--schema', './src/**/*.table.ts', '--out', path.relative(root, out)],
        { cwd: root, encoding: 'utf8', timeout: 60_000 },
      );
      expect(result.status, result.stderr).toBe(0);
      // drizzle-kit exits 0 even when it fails, so read what it says.
      expect(result.stdout + result.stderr).not.toMatch(/Error/);
      expect(result.stdout).toMatch(/No schema changes/);
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
