import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/platform/db';
import { testPostgresUrl } from './db';

/**
 * On the embedded engine, migrate one PGlite once and save it; each test file then opens a copy
 * (about 1 s) instead of running initdb and every migration (about 5 s).
 */
export default async function setup(): Promise<void> {
  if (testPostgresUrl()) return;
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    const full = path.join(MIGRATIONS_FOLDER, file);
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(full));
  }
  const directory = path.join(tmpdir(), 'aidd-test-templates');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `pglite-${hash.digest('hex').slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    const database = await openDatabase({ dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } });
    await database.migrate();
    const blob = await database.snapshot!();
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    await database.close();
  }
  process.env.AIDD_TEST_PGLITE_TEMPLATE = file;
}
