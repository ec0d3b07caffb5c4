import { describe, expect, it } from 'vitest';
import { evaluateResponse } from '../../../src/modules/scoring';
import type { ReportDocument } from '../../../src/modules/reports/reports.document';
import {
  amendedAnswersSection,
  answerText,
  assessmentSummary,
  comparisonReport,
  conditionsSection,
  evaluationReport,
  fileNameOf,
  integrityFlagsSection,
  weakestSections,
  type EvaluationReportInput,
} from '../../../src/modules/reports/reports.models';
import { fileSize } from '../../../src/platform/format';
import { renderPdf } from '../../../src/platform/pdf/render';
import { readPdf } from '../../helpers/pdf';
import { change, strongInput } from '../scoring/fixtures';
import { definition, flat, procurement, reportInput as baseReportInput } from './report-input';

const reportInput = (overrides: Partial<EvaluationReportInput> = {}) =>
  baseReportInput({ evidence: [{ questionKey: definition.sections.flatMap((s) => s.questions).find((q) => q.evidence?.requested)!.key, filename: 'cyber-essentials.pdf', sizeBytes: 48_213, sha256: 'ab'.repeat(32) }], ...overrides });

describe('the PDF renderer', () => {
  it('draws the same document to the same bytes, and a different date to different bytes', async () => {
    const document = evaluationReport(reportInput());
    const [a, b] = await Promise.all([renderPdf({ document }), renderPdf({ document })]);
    expect(a.pdf.length).toBeGreaterThan(10_000);
    expect(Buffer.compare(a.pdf, b.pdf)).toBe(0);
    const later = await renderPdf({ document: { ...document, createdAt: '2027-04-03T09:30:00.000Z' } });
    expect(Buffer.compare(a.pdf, later.pdf)).not.toBe(0);
    expect(later.pages).toBe(a.pages);
  });

  it('writes a tagged, titled en-GB PDF with embedded fonts, table headers, chart alternative text and bookmarks', async () => {
    const document = evaluationReport(reportInput());
    const { pdf, pages } = await renderPdf({ document });
    const raw = pdf.toString('latin1');
    // Structure and accessibility entries (dictionaries are not compressed, so they can be read directly).
    for (const entry of ['/StructTreeRoot', '/Marked true', '/Lang (en-GB)', '/DisplayDocTitle true', '/S /Figure', '/Scope /Column', '/Scope /Row', 'pdfuaid:part']) expect(raw, entry).toContain(entry);
    expect(raw).toContain(`/Alt (Bar chart of section scores out of 100.`);
    expect(raw.match(/\/FontFile2/g)).toHaveLength(2);
    expect(raw).not.toMatch(/\/BaseFont \/(Helvetica|Times|Courier)/);

    const read = await readPdf(pdf);
    expect(read.numPages).toBe(pages);
    expect(read.marked).toBe(true);
    expect(read.info).toMatchObject({ CreationDate: 'D:20270402093000Z', Language: 'en-GB', Title: 'Evaluation report: Acme AI Ltd, Council tax chatbot', Author: 'Example Borough Council' });
    expect(read.firstPageRoles.slice(0, 4)).toEqual(['Root', 'Document', 'H1', 'P']);
    expect(read.firstPageRoles).toEqual(expect.arrayContaining(['Table', 'TR', 'TH', 'TD']));
    expect(read.outline.map((o) => o.title)).toEqual(['Evaluation report: Acme AI Ltd', 'Summary', 'Conditions', ...definition.sections.filter((s) => reportInput().evaluation.sections.find((x) => x.key === s.key)?.visible).map((s) => (s.ref ? `${s.ref} ${s.title}` : s.title)), 'Clarifications', 'Amended answers', 'Integrity flags', 'Appendix: who did what and when', 'Appendix: technical fingerprint']);
    const text = flat(read.text);
    expect(text).toContain('cyber-essentials.pdf 47.1 KB');
    // The panel's sections say so when there is nothing to list.
    expect(text).toContain('No answer was amended in reply to a clarification.');
    expect(text).toContain('No integrity flag was raised on this response.');
    expect(text).toContain('Finalised Not yet: the moderator has not finalised this evaluation');
    expect(text).toContain('ab'.repeat(32));
  });

  it('lets an answer longer than a page flow on to the next pages, every word kept', async () => {
    const long = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const base = reportInput();
    const key = base.evaluation.questions.find((q) => q.status === 'scored')!.key;
    const document = evaluationReport({ ...base, answers: { ...base.answers, [key]: { value: long, comment: null, confidential: false, confidentialReason: null } } });
    const { pdf, pages } = await renderPdf({ document });
    const plain = await renderPdf({ document: evaluationReport(base) });
    expect(pages).toBeGreaterThan(plain.pages);
    const text = flat((await readPdf(pdf)).text);
    expect(text).toContain('word0 word1 word2');
    expect(text).toContain('word898 word899');
  });
});

describe('the report models', () => {
  it('names the three weakest visible sections, lowest first', () => {
    const evaluation = evaluateResponse(change(strongInput(), { answers: {} }));
    const weakest = weakestSections(evaluation);
    const scores = weakest.map((s) => s.score!);
    expect(weakest.length).toBeLessThanOrEqual(3);
    expect([...scores].sort((a, b) => a - b)).toEqual(scores);
    const others = evaluation.sections.filter((s) => s.visible && s.score !== null && !weakest.includes(s));
    for (const other of others) expect(other.score!).toBeGreaterThanOrEqual(scores.at(-1)!);
  });

  it('writes answers in the questionnaire’s words, sizes a reader can picture, and safe file names', () => {
    const question = definition.sections.flatMap((s) => s.questions).find((q) => q.type === 'single_choice')!;
    expect(answerText(question, question.options![0]!.value)).toBe(question.options![0]!.label);
    expect(answerText(question, undefined)).toBe('Not answered');
    expect(fileSize(512)).toBe('512 bytes');
    expect(fileSize(48_213)).toBe('47.1 KB');
    expect(fileSize(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(fileNameOf(['evaluation-report', 'DD/2027 "001"', 'Ünïcode Ltd'])).toBe('evaluation-report-dd-2027-001-unicode-ltd.pdf');
    expect(fileNameOf([null, '***'])).toBe('report.pdf');
  });

  it('shows the bidder its own confidential answers in its assessment summary, marked as such', () => {
    const base = reportInput();
    const scored = base.evaluation.questions.filter((q) => q.status === 'scored');
    const secret = scored[0]!.key;
    const answers = { ...base.answers, [secret]: { ...base.answers[secret]!, confidential: true, confidentialReason: 'Pricing' } };
    const document = assessmentSummary({
      council: base.council,
      procurement,
      definition,
      supplierName: 'Acme AI Ltd',
      evaluation: base.evaluation,
      computedAt: base.computedAt,
      answers,
      moderations: [],
      marks: [],
      supplier: { legalName: null, postalAddress: null, email: 'bids@acme.example', identifier: null },
      methodologyUrl: 'https://dd.example.gov.uk/published/procurements/x/methodology',
      rank: 2,
      rankedCount: 3,
      decision: { outcome: 'award', decidedAt: '2027-04-10T10:00:00.000Z', rationale: 'Best value.', successful: false, winner: { supplierName: 'Beta Bots', overallScore: 91.2, sections: [], questions: [] } },
    });
    const text = JSON.stringify(document.blocks);
    const question = definition.sections.flatMap((s) => s.questions).find((q) => q.key === secret)!;
    // Its own answer, so shown to it (issue 19 item 8), and marked as the confidential one.
    expect(text).toContain(`Your answer: “${answerText(question, base.answers[secret]!.value)}” (you marked this commercially confidential).`);
    expect(text).not.toContain('so not reproduced here');
    expect(text).toContain('The council intends to award the contract to Beta Bots');
    expect(document.createdAt).toBe('2027-04-10T10:00:00.000Z');
  });

  it('lists exclusion and conflict gateways apart from the award criteria in the assessment summary', () => {
    const base = reportInput();
    const summaryWith = (def: typeof definition) =>
      assessmentSummary({
        council: base.council,
        procurement,
        definition: def,
        supplierName: 'Acme AI Ltd',
        evaluation: base.evaluation,
        computedAt: base.computedAt,
        answers: base.answers,
        moderations: [],
        marks: [],
        supplier: { legalName: null, postalAddress: null, email: 'bids@acme.example', identifier: null },
        methodologyUrl: 'https://dd.example.gov.uk/published/procurements/x/methodology',
        rank: 1,
        rankedCount: 1,
        decision: { outcome: 'award', decidedAt: '2027-04-10T10:00:00.000Z', rationale: 'Best value.', successful: true, winner: null },
      });
    const listUnder = (document: ReturnType<typeof assessmentSummary>, heading: string) => {
      const at = document.blocks.findIndex((b) => b.kind === 'heading' && b.text === heading);
      const list = document.blocks.slice(at).find((b) => b.kind === 'list');
      return at < 0 || !list || list.kind !== 'list' ? [] : list.items;
    };
    // Without the flag, the exclusion gateway (4.3) is listed with the others.
    const before = summaryWith(definition);
    expect(listUnder(before, 'Gateways (pass or fail)').some((line) => line.startsWith('4.3'))).toBe(true);
    expect(before.blocks.some((b) => b.kind === 'heading' && b.text === 'Checked separately from the award criteria')).toBe(false);
    // Marked `separateFromAward`, it moves under its own heading and out of the award gateways.
    const separate = structuredClone(definition);
    separate.sections.flatMap((s) => s.questions).find((q) => q.key === 'contract.exclusion')!.gateway!.separateFromAward = true;
    const after = summaryWith(separate);
    expect(listUnder(after, 'Gateways (pass or fail)').some((line) => line.startsWith('4.3'))).toBe(false);
    expect(listUnder(after, 'Checked separately from the award criteria')).toEqual([expect.stringMatching(/^4\.3 /)]);
    expect(listUnder(after, 'Gateways (pass or fail)')).toHaveLength(base.evaluation.gateways.length - 1);
  });

  it('says an amendment a later one replaced holds nothing up, and that a flag about the panel concerns no answer', () => {
    const base = reportInput();
    const question = definition.sections.flatMap((s) => s.questions).find((q) => q.type === 'single_choice')!;
    const amendment = { questionKey: question.key, askedAt: '2027-04-01T09:00:00.000Z', repliedAt: '2027-04-01T10:00:00.000Z', original: question.options![0]!.value, amended: question.options![1]!.value, originalScore: 4, amendedScore: 2, decidedBy: null, decidedAt: null, reason: null };
    const facts = (input: EvaluationReportInput) =>
      amendedAnswersSection(input, new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const))))
        .flatMap((b) => (b.kind === 'facts' ? b.rows : b.kind === 'paragraph' ? [['', b.text] as [string, string]] : []))
        .map(([k, v]) => `${k} ${v}`.trim());
    const replaced = facts({ ...base, amendments: [{ ...amendment, status: 'pending', superseded: true }, { ...amendment, status: 'accepted', superseded: false, decidedBy: 'Mo Derator', decidedAt: '2027-04-02T09:00:00.000Z', reason: 'A clarification.' }] });
    expect(replaced).toContain('Decision Not decided: a later amendment of the same answer replaced it.');
    expect(replaced).toContain('Later amendment The same answer was amended again later; the later amendment is the one that decides the score.');
    expect(replaced).toContain('Decision Accepted: the amended answer counts.');
    expect(replaced).toContain('Decided by Mo Derator on 2 April 2027, 10:00 (UK time)');
    expect(replaced.join(' ')).not.toContain('await the moderator');
    const waiting = facts({ ...base, amendments: [{ ...amendment, status: 'pending', superseded: false }] });
    expect(waiting).toContain('Some amendments await the moderator’s decision, so this evaluation is provisional.');
    expect(waiting).toContain(`Original answer ${question.options![0]!.label}`);

    const flags = integrityFlagsSection({ ...base, integrityFlags: [{ ruleText: 'A member of the panel declared a conflict.', questionKeys: [], message: 'Eve One declared a conflict.', action: null }] }, new Map());
    expect(flags).toContainEqual({ kind: 'facts', rows: [['Rule', 'A member of the panel declared a conflict.'], ['Found', 'Eve One declared a conflict.'], ['Concerns', 'The evaluation panel, not an answer'], ['Panel’s action', 'No action recorded']] });
  });

  it('lists the conditions register in the evaluation report, numbered, with owner, due date, status and who changed it', async () => {
    const base = reportInput();
    expect(conditionsSection(base)).toContainEqual({ kind: 'paragraph', text: 'The evaluation raises no condition.' });
    const conditions = [
      { number: 1, source: 'gateway' as const, text: 'Sign the DPIA (gateway 1.2 Will you give the council what it needs for its DPIA?)', owner: 'Data protection officer', dueDate: '2027-01-31', status: 'open' as const, reason: null, updated: null },
      { number: 2, source: 'residual_risk' as const, text: 'Agree the controls and monitoring that manage the medium residual risk in section 1 Data protection', owner: 'Head of digital', dueDate: null, status: 'waived' as const, reason: 'Accepted by the board.', updated: { by: 'Olive Officer', at: '2027-02-02T10:00:00.000Z' } },
    ];
    const table = conditionsSection({ ...base, conditions }).find((b) => b.kind === 'table');
    expect(table && table.kind === 'table' ? table.rows : []).toEqual([
      ['1', conditions[0]!.text, 'A gateway passed on conditions', 'Data protection officer, due 31 January 2027', 'Open'],
      ['2', conditions[1]!.text, 'A critical section’s residual risk', 'Head of digital, no due date', 'Waived: Accepted by the board. (Olive Officer, 2 February 2027, 10:00 (UK time))'],
    ]);
    const text = flat((await readPdf((await renderPdf({ document: evaluationReport({ ...base, conditions }) })).pdf)).text);
    expect(text).toContain('2 conditions, 1 open. Conditions register');
    expect(text).toContain('Sign the DPIA');
  });

  it('splits a comparison of many suppliers into tables of five', () => {
    const evaluation = evaluateResponse(strongInput());
    const rows = Array.from({ length: 7 }, (_, i) => ({ supplierName: `Supplier ${i + 1}`, status: 'submitted', rank: i + 1, evaluation, computedAt: `2027-04-0${i + 1}T09:00:00.000Z` }));
    const document: ReportDocument = comparisonReport({ council: 'Example', procurement, definition, rows, decision: null });
    const sectionTables = document.blocks.filter((b) => b.kind === 'table' && b.caption === 'Section scores out of 100');
    expect(sectionTables.map((t) => (t.kind === 'table' ? t.columns.length - 2 : 0))).toEqual([5, 2]);
    expect(document.createdAt).toBe('2027-04-07T09:00:00.000Z');
  });
});
