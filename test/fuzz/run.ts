// `npm run fuzz`: the longer fuzz run, with a random seed printed first so any failure can be
// replayed. Options: --seed N (replay), --requests N (default 50,000), --seconds N (stop drawing
// new requests after that long), --concurrency N (default 8), --keep-going (survey: list one example
// of every kind of failure instead of stopping at the first), --only REGEX (operations whose
// operationId or "METHOD /path" matches).
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { formatReport, runFuzz } from './fuzz';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    requests: { type: 'string', default: '50000' },
    seconds: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'keep-going': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    process.stderr.write(`--${name} must be a whole number, not ${text}\n`);
    process.exit(2);
  }
  return value;
};
const seed = number('seed', values.seed) ?? randomInt(2 ** 31 - 1);
const out = (line: string) => process.stdout.write(`${line}\n`);
out(`[fuzz] seed ${seed} (replay with: npm run fuzz -- --seed ${seed})`);
const seconds = number('seconds', values.seconds);
const report = await runFuzz({
  seed,
  requests: number('requests', values.requests)!,
  concurrency: number('concurrency', values.concurrency)!,
  ...(seconds !== undefined ? { maxSeconds: seconds } : {}),
  log: out,
  keepGoing: values['keep-going'],
  ...(values.only ? { only: new RegExp(values.only) } : {}),
});
out(formatReport(report));
for (const entry of report.survey ?? []) out(`\n[${entry.count}×] ${entry.key}\n${entry.example}`);
if (report.survey && report.survey.length > 0 && !report.failure) process.exit(1);
if (report.failure) {
  process.stderr.write(`${report.failure}\n`);
  process.exit(1);
}
out(`[fuzz] passed: seed ${seed}`);
