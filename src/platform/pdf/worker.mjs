// The worker thread's entry, in plain JavaScript so it starts without a TypeScript loader on the
// command line (Node 20 does not pass `--import` hooks to workers); tsx's API loads the rest.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
