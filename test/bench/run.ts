// `npm run bench [-- <scenario>...] [-- --engine embedded|postgres]`: runs test/bench/*.bench.ts
// against real servers on loopback and prints each scenario beside its ceiling from the same run.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Engine } from './lib/servers';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { engine: { type: 'string', multiple: true } } });
const engines = (values.engine ?? ['embedded', 'postgres']) as Engine[];
const directory = import.meta.dirname;
const files = readdirSync(directory)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => positionals.length === 0 || positionals.some((p) => f.startsWith(p)))
  .sort();

const report: string[] = [];
for (const file of files) {
  console.log(`== ${file}`);
  const scenario = (await import(path.join(directory, file))) as { run: (input: { engines: Engine[] }) => Promise<string[]> };
  const lines = await scenario.run({ engines });
  for (const line of lines) console.log(line);
  report.push(...lines);
}
console.log('\n== summary');
for (const line of report) console.log(line);
