import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `name` in our package.json: the directory holding it is the project's root. */
const PACKAGE_NAME = 'council-ai-due-diligence';

let cached: string | undefined;

/**
 * The directory of this package's package.json, where `migrations/`, `src/views/` and `openapi/`
 * are: found by walking up from this module, once. A path relative to a module's own URL
 * (`new URL('../../../migrations', import.meta.url)`) holds only in the source tree: in the bundle
 * every module's `import.meta.url` is the bundle's (`dist/server.mjs`). Walking up gives the same
 * directory from `src/platform/` (tsx) and from `dist/` (`node dist/server.mjs`, the image).
 */
export function projectRoot(): string {
  if (cached) return cached;
  // drizzle-kit loads table files (and what they import) as CommonJS, where import.meta is empty;
  // it runs from the project's root, so that is where the walk starts then.
  const start = typeof import.meta.url === 'string' ? path.dirname(fileURLToPath(import.meta.url)) : process.cwd();
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (nameOfPackageIn(directory) === PACKAGE_NAME) return (cached = directory);
    if (path.dirname(directory) === directory) break;
  }
  throw new Error(`Cannot find the project's root (the package.json named "${PACKAGE_NAME}") in ${start} or above it.`);
}

function nameOfPackageIn(directory: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof manifest.name === 'string' ? manifest.name : undefined;
  } catch {
    return undefined; // none here, or not readable: keep walking
  }
}
