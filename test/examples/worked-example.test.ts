import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app';
import { seedOrganisation } from '../helpers/factories';
import { readPdf } from '../helpers/pdf';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'examples/worked-example.sh');
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('the README worked example', () => {
  const ctx = useTestApp();

  it('shows in the README exactly the blocks the runnable script runs', async () => {
    const [readme, source] = await Promise.all([readFile(path.join(root, 'README.md'), 'utf8'), readFile(script, 'utf8')]);
    const blocks = source.split('\n# ---\n').slice(1, -1);
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(readme).toContain('```sh\n' + block.replace(/^\n+|\n+$/g, '') + '\n```');
  });

  it('runs end to end against a real server and produces the three reports', async () => {
    const org = await seedOrganisation(ctx, { name: 'Example Borough Council' });
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const out = await mkdtemp(path.join(tmpdir(), 'aidd-worked-example-'));
    try {
      const { stdout } = await run('bash', [script], { env: { ...process.env, TOKEN: org.admin.token, API: address, OUT: out }, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 });
      expect(stdout).toContain('responses.incomplete');
      expect(stdout).toMatch(/1\. Acme AI Ltd/);
      expect(stdout).toContain('decided');
      expect(stdout).toContain('filename="evaluation-report-dd-2027-001-acme-ai-ltd.pdf"');
      expect(stdout).toContain('report.generated');

      const files = (await readdir(out)).sort();
      expect(files.filter((f) => f.startsWith('assessment-summary-'))).toHaveLength(2);
      const report = await readPdf(await readFile(path.join(out, 'evaluation-report.pdf')));
      expect(flat(report.text)).toContain('Evaluation report: Acme AI Ltd');
      expect(flat(report.text)).toContain('Is that 24 calendar hours?');
      expect(report.numPages).toBeGreaterThan(20);
      // PDF/UA: no heading more than one level below the one before it, read from the structure tags of each report.
      const skipsIn = (levels: number[]) => levels.filter((level, i) => level > (i === 0 ? 1 : levels[i - 1]! + 1)).length;
      expect(report.headingLevels.length).toBeGreaterThan(20);
      expect(skipsIn(report.headingLevels)).toBe(0);
      for (const f of files.filter((name) => name.endsWith('.pdf'))) expect(skipsIn((await readPdf(await readFile(path.join(out, f)))).headingLevels), f).toBe(0);
      // Each moderator's rationale once, beside the moderated mark; plain words, not internal jargon.
      const reportText = flat(report.text);
      expect(reportText.split('Moderated mark by ').length).toBeGreaterThan(2);
      expect(reportText.split('Agreed with the evaluator after reading the answer and its evidence.').length).toBe(reportText.split('Moderated mark by ').length);
      for (const jargon of ['Inputs hash', '§7.4', 'Counted weight', 'purpose.product_description']) expect(reportText, jargon).not.toContain(jargon);
      expect(reportText).toContain('Appendix: technical fingerprint');
      // The decision summary in front, its sign-off block filled from the recorded approvals.
      const front = flat(report.pages.slice(0, 3).join('\n'));
      expect(front).toContain('Decision summary');
      expect(front).toMatch(/Approver \S.* \d{1,2} \w+ \d{4}/);
      expect(front).toContain('Data protection officer Not yet signed');
      const comparison = flat((await readPdf(await readFile(path.join(out, 'comparison-report.pdf')))).text);
      expect(comparison).toContain('Awarded to Acme AI Ltd');
      expect(comparison).toContain('Bright Analytics Ltd');
      const summaries = await Promise.all(files.filter((f) => f.startsWith('assessment-summary-')).map(async (f) => flat((await readPdf(await readFile(path.join(out, f)))).text)));
      expect(summaries.some((t) => t.includes('Your tender was successful'))).toBe(true);
      expect(summaries.some((t) => t.includes('Your tender was not successful. The council intends to award the contract to Acme AI Ltd.'))).toBe(true);
      // Acme marked its retention period confidential: the council's report shows it, marked; so does Acme's own summary (it is its own answer).
      expect(flat(report.text)).toContain('Marked commercially confidential by the supplier: Commercial terms');
      expect(summaries.filter((t) => /Your answer: “30[^”]*” \(you marked this commercially confidential\)/.test(t))).toHaveLength(1);
      for (const summary of summaries) expect(summary).not.toContain('Logs only');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
