import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // At least two files at once (vitest's default, one fewer than the cores, is one on a 2-core machine). Each
    // file has its own database and its own servers on port 0, so files never share state; the wait
    // helpers (test/helpers/wait.ts) are event-driven, so a busier machine only makes tests slower.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker runs file after file without loading every module again: the app's modules, and PGlite's
    // WebAssembly compiled once per worker instead of once per file (test/modules/responses: 89 s to 57 s).
    // Safe because nothing a file leaves behind is read by the next: each opens its own database and
    // servers, no test changes process.env, and the module-level caches are keyed by content or by ids
    // a file created itself.
    isolate: false,
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each test file opens its own database (PGlite in memory, or a fresh PostgreSQL database).
    hookTimeout: 60_000,
    testTimeout: 30_000,
  },
});
