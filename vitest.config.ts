import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // One file more than there are cores: a file often waits (on Chromium, a child process, PostgreSQL's
    // own processes), and on this 2-core machine two workers kept the cores busy 70% of the embedded stage
    // and half of the PostgreSQL one. Each file has its own database and its own servers on port 0, so
    // files never share state; the wait helpers (test/helpers/wait.ts) are event-driven, so a busier
    // machine only makes tests slower.
    maxWorkers: availableParallelism() + 1,
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
