import { MIGRATIONS_FOLDER } from '../src/platform/db';
import { buildTemplate } from '../src/platform/db/embedded-template';

/**
 * Run by `npm install` (package.json's postinstall): prepares the migrated, empty embedded database
 * that a first `npm start` copies into its new DATA_DIR instead of running initdb (src/platform/db/
 * embedded-template.ts). It only makes the first start faster, so it never fails the install: on
 * any error it says so in one line, and the first start creates the database itself.
 */
const started = performance.now();
try {
  const { directory, built } = await buildTemplate({ migrationsFolder: MIGRATIONS_FOLDER });
  const took = Math.round(performance.now() - started);
  process.stdout.write(built ? `Prepared the empty embedded database for a fast first start (${took} ms): ${directory}\n` : `The prepared empty embedded database is current: ${directory}\n`);
} catch (error) {
  process.stdout.write(`Could not prepare the empty embedded database (the first start will create it instead): ${error instanceof Error ? error.message : String(error)}\n`);
}
