import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/platform/db';
import { migrationsFingerprint } from '../../src/platform/db/embedded-template';
import { testPostgresUrl } from './db';

/**
 * On the embedded engine, migrate one PGlite once and save it; each test file then opens a copy
 * (about 1 s) instead of running initdb and every migration (about 5 s). In memory, PGlite can only
 * start from a tarball, so this is a tarball, not the directory `npm install` prepares for the server.
 */
export default async function setup(): Promise<void> {
  if (testPostgresUrl()) return;
  const directory = path.join(tmpdir(), 'aidd-test-templates');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `pglite-${migrationsFingerprint(MIGRATIONS_FOLDER)}.tar`);
  if (!existsSync(file)) {
    const database = await openDatabase({ dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } });
    await database.migrate();
    const blob = await database.snapshot!();
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    await database.close();
  }
  process.env.AIDD_TEST_PGLITE_TEMPLATE = file;
}
