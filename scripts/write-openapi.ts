// Regenerates openapi/openapi.json from the routes' zod schemas. A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/platform/db';
import { renderOpenApi } from './openapi-document';

const database = await openDatabase({ dataDir: 'memory', logger: { warn: () => undefined, error: () => undefined } });
const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), database, logger: false });
const target = new URL('../openapi/openapi.json', import.meta.url);
writeFileSync(target, renderOpenApi(app));
await app.close();
await database.close();
console.log(`wrote ${target.pathname}`);
