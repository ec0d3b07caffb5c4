// The prepared empty embedded database (src/platform/db/embedded-template.ts): built once for the
// committed migrations, named by their fingerprint, copied whole into a new DATA_DIR. Real PGlite on
// real files; PostgreSQL has no template, so this file is the embedded engine's alone.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/platform/db';
import { buildTemplate, copyTemplate, findTemplate, isEmptyDataDirectory, migrationsFingerprint } from '../../src/platform/db/embedded-template';
import { testPostgresUrl } from '../helpers/db';

describe.skipIf(testPostgresUrl() !== undefined)('the prepared empty embedded database', () => {
  let root: string;
  let template: string;
  beforeAll(async () => {
    // A root of its own (its node_modules/.cache), so nothing here touches the checkout's template.
    root = mkdtempSync(path.join(tmpdir(), 'aidd-template-'));
    const built = await buildTemplate({ migrationsFolder: MIGRATIONS_FOLDER, root });
    expect(built.built).toBe(true);
    template = built.directory;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is found for the same migrations, and built only once', async () => {
    expect(findTemplate({ migrationsFolder: MIGRATIONS_FOLDER, root })).toBe(template);
    expect(path.basename(template)).toBe(`pglite-${migrationsFingerprint(MIGRATIONS_FOLDER)}`);
    expect(await buildTemplate({ migrationsFolder: MIGRATIONS_FOLDER, root })).toEqual({ directory: template, built: false });
    // No temporary directory is left beside it.
    expect(readdirSync(path.dirname(template))).toEqual([path.basename(template)]);
  });

  it('is not found once the migrations change, so a checkout with a newer migration never copies an older schema', () => {
    const changed = path.join(root, 'migrations-changed');
    cpSync(MIGRATIONS_FOLDER, changed, { recursive: true });
    writeFileSync(path.join(changed, '9999_later.sql'), 'select 1;');
    expect(migrationsFingerprint(changed)).not.toBe(migrationsFingerprint(MIGRATIONS_FOLDER));
    expect(findTemplate({ migrationsFolder: changed, root })).toBeUndefined();
  });

  it('copies into an empty pgdata as a database with every migration applied, and leaves the template as it was', async () => {
    const dataDir = path.join(root, 'data');
    const pgdata = path.join(dataDir, 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    expect(isEmptyDataDirectory(pgdata)).toBe(true);
    // A copy that died half-way in an earlier start leaves its own directory, never a half pgdata.
    mkdirSync(`${pgdata}.copying-1`);
    copyTemplate({ template, pgdata });
    expect(isEmptyDataDirectory(pgdata)).toBe(false);
    expect(existsSync(path.join(pgdata, 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(pgdata, 'aidd-template-ready'))).toBe(false);

    const client = new PGlite(pgdata);
    try {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(rows[0]!.n).toBe(readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).length);
      // A write to the copy stays in the copy.
      await client.query(`insert into organisations (name) values ('Copyham Council')`);
    } finally {
      await client.close();
    }
    const again = new PGlite(template);
    try {
      const { rows } = await again.query<{ n: number }>('select count(*)::int as n from organisations');
      expect(rows[0]!.n).toBe(0);
    } finally {
      await again.close();
    }
  });
});
