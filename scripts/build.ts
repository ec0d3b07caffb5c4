import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/**
 * Compiles the service to plain JavaScript for `node` (the image, `npm run start:built`): one
 * bundle per entry, our code only; packages stay imports of node_modules, so the production
 * dependencies are still needed at run time, and tsx is not. Run by tsx here, at build time.
 *
 *   npm run build                          → dist/
 *   npm run build -- --out-dir <directory> → elsewhere. The bundles look above themselves for
 *     node_modules and for our package.json (beside migrations/, src/views/, openapi/): build into the
 *     project, or into a copy of its layout, as the Dockerfile and test/deploy/built.test.ts do.
 *   --metafile <file>: also write esbuild's account of every input and import (the test reads the
 *     packages the bundles import from it).
 *
 * Data files are not copied: they are read from the project's root at run time (platform/project-root).
 */
const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' }, metafile: { type: 'string' } } });
const outdir = path.resolve(root, values['out-dir']);

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    server: 'src/server.ts',
    cli: 'src/cli.ts',
    // The PDF worker thread: renderer.ts starts `./worker.mjs` next to the bundle that loads it.
    worker: 'src/platform/pdf/worker.ts',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // Stack traces point into src/ (node --enable-source-maps); the sources themselves stay out of the image.
  sourcemap: true,
  sourcesContent: false,
  // Error classes are told apart by name in places (`error.name`); bundling must not rename them.
  keepNames: true,
  logLevel: 'warning',
  metafile: true,
});

if (values.metafile) writeFileSync(path.resolve(root, values.metafile), JSON.stringify(result.metafile));

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.map')) continue;
  console.log(`${path.relative(root, path.resolve(root, file))}  ${(output.bytes / 1024).toFixed(0)} KiB`);
}
