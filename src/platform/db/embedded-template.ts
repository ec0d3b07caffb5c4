import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { projectRoot } from '../project-root';

/**
 * A prepared, migrated, empty embedded database, made once (at `npm install`, by
 * scripts/prepare-embedded-database.ts) and copied into a new DATA_DIR: copying its files takes a
 * fraction of a second, where PGlite's initdb takes 4 to 7 seconds of CPU on the first start.
 *
 * It is named by a fingerprint of the committed migrations, so a checkout whose migrations changed
 * after the install finds none, and the server falls back to initdb and migrating, as before.
 */

const READY_MARKER = 'aidd-template-ready';

/** SHA-256 over the names and bytes of every migration file (SQL and drizzle's journal), first 16 hex digits. */
export function migrationsFingerprint(migrationsFolder: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(path.join(migrationsFolder, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Where the template for these migrations lives: under node_modules/.cache, which `npm ci` empties and rebuilds. */
export function templateDirectory({ migrationsFolder, root = projectRoot() }: { migrationsFolder: string; root?: string }): string {
  return path.join(root, 'node_modules', '.cache', 'aidd', `pglite-${migrationsFingerprint(migrationsFolder)}`);
}

/** A template directory that was built whole (its marker is written last, before the rename). */
const isReady = (directory: string): boolean => existsSync(path.join(directory, READY_MARKER));

/** The template's directory when a whole one exists for these migrations; undefined otherwise. */
export function findTemplate({ migrationsFolder, root }: { migrationsFolder: string; root?: string }): string | undefined {
  const directory = templateDirectory({ migrationsFolder, root });
  return isReady(directory) ? directory : undefined;
}

/**
 * Builds the template if there is none: initdb and every migration in a directory of its own, closed
 * cleanly, then renamed into place whole (a build that dies half-way leaves only its own temporary
 * directory, and two builds at once both succeed, the second rename finding the first's).
 */
export async function buildTemplate({ migrationsFolder, root }: { migrationsFolder: string; root?: string }): Promise<{ directory: string; built: boolean }> {
  const directory = templateDirectory({ migrationsFolder, root });
  if (isReady(directory)) return { directory, built: false };
  const building = `${directory}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  try {
    const client = new PGlite(building);
    await client.waitReady;
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client.close();
    }
    writeFileSync(path.join(building, READY_MARKER), `${new Date().toISOString()}\n`);
    try {
      renameSync(building, directory);
    } catch (error) {
      if (!isReady(directory)) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return { directory, built: true };
}

/**
 * Fills a new, empty `pgdata` from the template: copied beside it, then renamed into place, so a start
 * that dies while copying leaves no half database behind (the next start copies again).
 */
export function copyTemplate({ template, pgdata }: { template: string; pgdata: string }): void {
  const copying = `${pgdata}.copying-${process.pid}`;
  rmSync(copying, { recursive: true, force: true });
  cpSync(template, copying, { recursive: true, filter: (source) => path.basename(source) !== READY_MARKER });
  rmSync(pgdata, { recursive: true, force: true });
  renameSync(copying, pgdata);
}

/** A `pgdata` holding no database yet (absent, or an empty directory). */
export function isEmptyDataDirectory(pgdata: string): boolean {
  return !existsSync(pgdata) || readdirSync(pgdata).length === 0;
}
