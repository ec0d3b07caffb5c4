import { describe, expect, it } from 'vitest';
import PDFDocument from 'pdfkit';
import { computeRiskTier, validateDefinition, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { lgaResponsibleAi_1_1_0 } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai-1.1.0';
import { assessmentSummary, comparisonReport, evaluationReport, plainWorking, withoutRationale, type EvaluationReportInput } from '../../../src/modules/reports/reports.models';
import { chartLabels, DEFAULT_FONTS, renderPdf } from '../../../src/platform/pdf/render';
import type { Block, PdfDocument } from '../../../src/platform/pdf';
import { BUILT_IN_TRIAGE } from '../../helpers/built-in-triage';
import { readPdf } from '../../helpers/pdf';
import { change, strongInput } from '../scoring/fixtures';
import { definition, flat, procurement, reportInput as baseReportInput } from './report-input';

/**
 * Layout fixes found by reading the worked example's reports: heading levels that never skip, chart
 * labels that never overlap, no heading, label or lone header row left at the foot of a page, each
 * moderator's rationale printed once, and plain words for internal jargon.
 */

const RATIONALE = 'Agreed with the evaluator after reading the answer and its evidence.';

function reportInput(): EvaluationReportInput {
  // Every manual question moderated with the same rationale, as the worked example does.
  const input = change(strongInput(), { marks: { 'data.rights': { score: 3, rationale: RATIONALE }, 'security.threats': { score: 3, rationale: RATIONALE }, 'contract.exit': { score: 3, rationale: RATIONALE } } });
  return baseReportInput(
    {
      marks: [{ questionKey: 'data.rights', evaluator: 'Eve One', score: 3, justification: 'Specific about who does what and when.', at: '2027-04-01T09:00:00.000Z' }],
      moderations: ['data.rights', 'security.threats', 'contract.exit'].map((questionKey) => ({ questionKey, moderator: 'Mo Derator', score: 3, rationale: RATIONALE, at: '2027-04-01T10:00:00.000Z' })),
      clarifications: [{ questionKey: 'data.rights', question: 'Within how many days?', askedAt: '2027-03-31T09:00:00.000Z', reply: 'Thirty.', repliedAt: '2027-03-31T12:00:00.000Z', amended: false }],
      integrityFlags: [{ ruleText: 'A rule.', questionKeys: ['data.rights'], message: 'Something to look at.', action: null }],
      trail: [
        { at: '2027-04-01T09:00:00.000Z', who: 'Eve One', action: 'evaluation.marked', details: { questionKey: 'data.rights', score: 3 } },
        { at: '2027-04-01T10:00:00.000Z', who: 'Mo Derator', action: 'evaluation.moderated', details: { questionKey: 'data.rights', score: 3 } },
      ],
    },
    input,
  );
}

/** Each heading at most one level below the one before it, starting at H1 (PDF/UA). */
function skips(levels: number[]): string[] {
  return levels.flatMap((level, i) => (level > (i === 0 ? 1 : levels[i - 1]! + 1) ? [`H${i === 0 ? 0 : levels[i - 1]} then H${level} at heading ${i + 1}`] : []));
}

describe('heading levels in the PDFs', () => {
  it('never skip a level in the evaluation report, the comparison or the assessment summary', async () => {
    const base = reportInput();
    const evaluation = evaluationReport(base);
    const comparison = comparisonReport({ council: base.council, procurement, definition, rows: [{ supplierName: 'Acme AI Ltd', status: 'submitted', rank: 1, evaluation: base.evaluation, computedAt: base.computedAt }], decision: null });
    const summary = (successful: boolean) =>
      assessmentSummary({
        council: base.council,
        procurement,
        definition,
        supplierName: 'Acme AI Ltd',
        evaluation: base.evaluation,
        computedAt: base.computedAt,
        answers: base.answers,
        moderations: base.moderations,
        marks: base.marks,
        supplier: { legalName: 'Acme AI Limited', postalAddress: null, email: 'bids@acme.example', identifier: null },
        methodologyUrl: 'https://dd.example.gov.uk/published/procurements/x/methodology',
        rank: successful ? 1 : 2,
        rankedCount: 2,
        decision: { outcome: 'award', decidedAt: '2027-04-10T10:00:00.000Z', rationale: 'Best value.', successful, winner: successful ? null : { supplierName: 'Beta Bots', overallScore: 99, sections: [], questions: [] } },
      });
    for (const [name, document] of [['evaluation', evaluation], ['comparison', comparison], ['successful summary', summary(true)], ['unsuccessful summary', summary(false)]] as const) {
      const { headingLevels } = await readPdf((await renderPdf({ document })).pdf);
      // Read from the structure tags: as many headings as the document has, so none is lost.
      expect(headingLevels, name).toHaveLength(document.blocks.filter((b) => b.kind === 'heading').length);
      expect(headingLevels[0], name).toBe(1);
      expect(skips(headingLevels), name).toEqual([]);
    }
    // Questions and clarifications sit under their section as H2.
    const questionHeading = evaluation.blocks.find((b) => b.kind === 'heading' && b.text.includes(definition.sections[0]!.questions[0]!.text));
    expect(questionHeading).toMatchObject({ level: 2 });
    expect(evaluation.blocks.find((b) => b.kind === 'heading' && b.text.startsWith('About '))).toMatchObject({ level: 2 });
  });

  it('finds a skip when there is one', () => {
    expect(skips([1, 3])).toEqual(['H1 then H3 at heading 2']);
    expect(skips([1, 2, 2, 1, 2])).toEqual([]);
  });
});

describe('the bar chart labels', () => {
  const labels = [
    '7 Human oversight, accountability and the right to challenge a decision made with the product’s help',
    '8 Transparency, explainability and what the council publishes about the product and its oversight',
    '9 Short',
    '10 Environmental impact, energy use and the carbon cost of training and running the model at scale',
  ];

  it('are cut to the label column and each stays on its own bar’s row', () => {
    const doc = new PDFDocument({ size: 'A4' });
    doc.registerFont('regular', DEFAULT_FONTS.regular).font('regular').fontSize(9);
    const width = 175;
    const placed = chartLabels({ labels, width, top: 100, rowHeight: 17, lineHeight: doc.currentLineHeight(true), widthOf: (text) => doc.widthOfString(text) });
    for (const label of placed) {
      expect(label.width).toBeLessThanOrEqual(width);
      // One line: laid out at the column width, it takes no more height than one line.
      expect(doc.heightOfString(label.text, { width })).toBeLessThanOrEqual(doc.currentLineHeight(true) + 0.01);
    }
    placed.slice(1).forEach((label, i) => expect(placed[i]!.y + placed[i]!.height, label.text).toBeLessThanOrEqual(label.y));
    expect(placed[2]!.text).toBe('9 Short');
    expect(placed[0]!.text).toMatch(/^7 Human oversight.*…$/);
  });

  it('draw a long title as one shortened line in the PDF', async () => {
    const document: PdfDocument = {
      title: 'Chart',
      subject: 'Chart',
      author: 'Council',
      reference: 'REF',
      marking: 'OFFICIAL',
      createdAt: '2027-01-01T00:00:00.000Z',
      filename: 'chart.pdf',
      blocks: [
        { kind: 'heading', level: 1, text: 'Chart' },
        { kind: 'barChart', max: 100, alt: 'Scores.', bars: labels.map((label, i) => ({ label, value: 20 * i + 10 })) },
      ],
    };
    const text = (await readPdf((await renderPdf({ document })).pdf)).text;
    // The truncated label is one text line; the words cut off never reach the next row.
    expect(text).toMatch(/7 Human oversight[^\n]*…/);
    expect(text).not.toContain('made with the product’s help');
  });
});

describe('page breaks', () => {
  const filler = (n: number): Block[] => Array.from({ length: n }, (_, i) => ({ kind: 'paragraph', text: `Filler line ${i + 1}.` }));
  const tall = Array.from({ length: 60 }, (_, i) => `cell${i}`).join(' ');
  const doc = (blocks: Block[]): PdfDocument => ({ title: 'Breaks', subject: 'Breaks', author: 'Council', reference: 'REF', marking: 'OFFICIAL', createdAt: '2027-01-01T00:00:00.000Z', filename: 'b.pdf', blocks });
  const pageOf = (pages: string[], marker: string) => pages.findIndex((p) => flat(p).includes(marker));

  it('keep a heading with its table, a “Working” label with its list, and a header row with the first row', async () => {
    // Every filler length from part way down a page to past its foot, so one of them lands each block on the page break.
    for (let n = 22; n <= 44; n += 1) {
      const blocks: Block[] = [
        { kind: 'heading', level: 1, text: 'Start' },
        ...filler(n),
        { kind: 'heading', level: 2, text: 'Heading over a table' },
        { kind: 'table', caption: 'Caption of the table', columns: [{ header: 'Score', width: 0.1 }, { header: 'Working', width: 0.9 }], rows: [['3', `Tallrow ${tall} ${tall}`], ['2', 'Second row.']] },
        { kind: 'facts', rows: [['Status', 'Scored'], ['Score', '3 of 4']] },
        { kind: 'paragraph', tone: 'strong', text: 'Working' },
        { kind: 'list', items: ['First working line.', 'Second working line.'] },
        ...filler(n),
        { kind: 'table', caption: 'Lone header check', columns: [{ header: 'Score', width: 0.1 }, { header: 'Working', width: 0.9 }], rows: [['4', `Tallsecond ${tall} ${tall} ${tall}`]] },
      ];
      const { pages } = await readPdf((await renderPdf({ document: doc(blocks) })).pdf);
      expect(pageOf(pages, 'Heading over a table'), `heading, n=${n}`).toBe(pageOf(pages, 'Tallrow'));
      expect(pageOf(pages, 'Caption of the table'), `caption, n=${n}`).toBe(pageOf(pages, 'Tallrow'));
      expect(pageOf(pages, 'Working Score'), `no header row alone, n=${n}`).toBe(-1);
      const working = pages.findIndex((p) => /(^|\n)Working\n/.test(p));
      expect(working, `working label, n=${n}`).toBe(pageOf(pages, 'First working line.'));
      expect(pageOf(pages, 'Lone header check'), `lone header, n=${n}`).toBe(pageOf(pages, 'Tallsecond'));
    }
  }, 120_000);
});

describe('the evaluation report’s words', () => {
  it('prints each moderator’s rationale once, with who gave it, and no internal jargon', async () => {
    const base = reportInput();
    const document = evaluationReport(base);
    const text = flat((await readPdf((await renderPdf({ document })).pdf)).text);
    expect(text.split(RATIONALE)).toHaveLength(base.moderations.length + 1);
    expect(text).toMatch(new RegExp(`Moderated mark by Mo Derator: 3 of 4 \\(Good\\) \\(.+?\\)\\. ${RATIONALE.replace(/\./g, '\\.')}`));
    for (const jargon of ['Inputs hash', '§7.4', 'reference §', 'Counted weight', 'data.rights']) expect(text, jargon).not.toContain(jargon);
    // The fingerprint is in an appendix that says what it is for.
    expect(text).toContain('Appendix: technical fingerprint');
    expect(text).toContain(base.evaluation.inputsHash);
    expect(text).toMatch(/Anyone with the same records can work the evaluation out again and check that it gives this fingerprint/);
    // The audit appendix names the question by its number and text.
    const rights = definition.sections.flatMap((s) => s.questions).find((q) => q.key === 'data.rights')!;
    expect(text).toContain(`Marked a question ${rights.ref}`);
  });

  it('takes the rationale off the end of a working line and says where it is', () => {
    expect(withoutRationale('Moderated mark 3 of 4 (Good). Agreed.', 'Agreed.')).toBe('Moderated mark 3 of 4 (Good). The moderator’s reason is given below.');
    expect(withoutRationale('Automatic score 2 of 4.', 'Agreed.')).toBe('Automatic score 2 of 4.');
  });
});

describe('the risk tier’s reason', () => {
  const parsed = validateDefinition(lgaResponsibleAi_1_1_0);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const bank: QuestionnaireDefinition = parsed.definition;

  it('names the triage answer that set the tier, not every trigger of the tier', () => {
    const high = computeRiskTier({ definition: bank, triage: { ...BUILT_IN_TRIAGE, 'triage.data_categories': ['personal', 'special_category'] } });
    expect(high.tier).toBe('high');
    // The rule's own text is kept as it was.
    expect(high.reason).toContain('biometric');
    expect(high.trigger).toBe('Set by the triage answer: “Which kinds of data will the product handle?” includes “Special category data, such as health, ethnicity, religion or sexual orientation”.');
    expect(high.trigger).not.toMatch(/biometric|staff|vulnerable/);
    const medium = computeRiskTier({ definition: bank, triage: BUILT_IN_TRIAGE });
    expect(medium.tier).toBe('medium');
    expect(medium.trigger).toContain('includes “');
    expect(medium.trigger).toContain('“Will residents or other members of the public use the product directly, or see content it creates?”: Yes');
  });

  it('is what the report’s working says, and the working drops the methodology’s section number (the stored working is left as it is)', () => {
    const high = bank.triage.tierRules.find((r) => r.tier === 'high')!;
    const lines = [`Risk tier high, from the triage answers. ${high.reason}`, 'Residual risk high: a score of 50 to under 75 at the high tier (reference §7.4 matrix).'];
    expect(plainWorking(lines, bank, { ...procurement, riskTierReason: 'Set by the triage answer: “Which kinds of data will the product handle?” includes “Biometric data”.' })).toEqual([
      'Risk tier high, from the triage answers. Set by the triage answer: “Which kinds of data will the product handle?” includes “Biometric data”.',
      'Residual risk high: a score of 50 to under 75 at the high tier.',
    ]);
  });
});
