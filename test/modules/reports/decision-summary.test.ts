import { describe, expect, it } from 'vitest';
import { evaluateResponse } from '../../../src/modules/scoring';
import { decisionSummary, RAG_WORDS, ratingSentence, recommendationOf, signOffRows } from '../../../src/modules/reports/decision-summary.models';
import { evaluationReport, type ReportCondition } from '../../../src/modules/reports/reports.models';
import { questionsOf } from '../../../src/modules/reports/reports.shared';
import { renderPdf } from '../../../src/platform/pdf/render';
import { readPdf } from '../../helpers/pdf';
import { change, strongInput } from '../scoring/fixtures';
import { definition, flat, reportInput } from './report-input';

/**
 * The decision summary in front of the evaluation report: the recommendation rule, the rating in
 * one sentence, the critical sections in red/amber/green words, and the sign-off block.
 */

const clean = strongInput({ tier: 'low' });
const condition = (status: ReportCondition['status']): ReportCondition => ({ number: 1, source: 'exception', text: 'Agree the liability cap.', owner: null, dueDate: null, status, reason: null, updated: null });
const conditional = { outcome: 'conditional' as const, rationale: 'Agreed in principle.', action: 'Sign the data processing agreement.', dueDate: '2027-05-01' };

describe('the recommendation', () => {
  it.each([
    { name: 'a failed gateway: do not proceed, whatever the score', input: change(clean, { answers: { 'data.training': 'yes' } }), conditions: [], outcome: 'do_not_proceed', provisional: false },
    { name: 'a conditional gateway: award with conditions', input: change(clean, { gatewayDecisions: { 'data.training': conditional } }), conditions: [], outcome: 'award_with_conditions', provisional: false },
    { name: 'an open condition: award with conditions', input: clean, conditions: [condition('open')], outcome: 'award_with_conditions', provisional: false },
    { name: 'a condition met or waived holds nothing up: award', input: clean, conditions: [condition('met'), { ...condition('waived'), number: 2 }], outcome: 'award', provisional: false },
    { name: 'a clean pass: award', input: clean, conditions: [], outcome: 'award', provisional: false },
    { name: 'a provisional evaluation: its reading so far, marked provisional', input: change(clean, { marks: { 'data.rights': undefined } }), conditions: [], outcome: 'award', provisional: true },
    { name: 'a provisional evaluation with a failed gateway: do not proceed, provisional', input: change(clean, { answers: { 'data.training': 'yes' }, marks: { 'data.rights': undefined } }), conditions: [], outcome: 'do_not_proceed', provisional: true },
    { name: 'a high residual risk at the high tier (“acceptable with conditions”): award with conditions', input: strongInput(), conditions: [], outcome: 'award_with_conditions', provisional: false },
  ] as const)('$name', ({ input, conditions, outcome, provisional }) => {
    const evaluation = evaluateResponse(input);
    expect(evaluation.provisional).toBe(provisional);
    const recommendation = recommendationOf({ evaluation, conditions });
    expect(recommendation).toMatchObject({ outcome, provisional });
    expect(recommendation.because.length).toBeGreaterThan(0);
  });

  it('is “do not proceed” for a rating of significant concerns or not acceptable with every gateway passed', () => {
    const evaluation = evaluateResponse(clean);
    for (const rating of ['significant_concerns', 'not_acceptable'] as const) expect(recommendationOf({ evaluation: { ...evaluation, rating }, conditions: [] }).outcome).toBe('do_not_proceed');
  });
});

describe('the decision summary', () => {
  it('says why the rating is what it is in one sentence, naming a failed gateway by its number', () => {
    const questions = questionsOf(definition);
    const failed = evaluateResponse(change(clean, { answers: { 'data.training': 'yes' } }));
    expect(ratingSentence(failed, questions)).toMatch(/^Rated not acceptable because gateway 1\.1 failed, whatever the score \(\d+\.\d out of 100\)\.$/);
    const passed = evaluateResponse(clean);
    expect(ratingSentence(passed, questions)).toBe(`Rated acceptable: a score of ${passed.overallScore!.toFixed(1)} out of 100 at the low risk tier gives low residual risk.`);
    const withCondition = evaluateResponse(change(clean, { gatewayDecisions: { 'data.training': conditional } }));
    expect(ratingSentence(withCondition, questions)).toContain('; gateway 1.1 passed on conditions.');
    expect(ratingSentence(passed, questions).split('. ')).toHaveLength(1);
  });

  it('lists the critical sections with red, amber or green in words, and says “Not yet signed” for each sign-off not recorded', () => {
    const input = reportInput({}, change(strongInput(), { answers: { 'security.cyber_essentials': 'ce' }, marks: { 'security.threats': { score: 0, rationale: 'No testing.' } } }));
    const blocks = decisionSummary(input);
    const table = blocks.find((b) => b.kind === 'table' && b.caption.startsWith('Critical sections'));
    expect(table?.kind).toBe('table');
    if (table?.kind !== 'table') return;
    expect(table.columns.map((c) => c.header)).toEqual(['Section', 'Score /100', 'Residual risk']);
    const critical = input.evaluation.sections.filter((s) => s.critical && s.visible);
    expect(table.rows.map((r) => r[0])).toEqual(critical.map((s) => (s.ref ? `${s.ref} ${s.title}` : s.title)));
    expect(table.rows.map((r) => r[2])).toEqual(critical.map((s) => RAG_WORDS[s.residualRisk!]));
    expect(table.rows.some((r) => r[2]!.startsWith('Red (') || r[2]!.startsWith('Amber ('))).toBe(true);
    // Headings H2 then H3 under the report's H1: never a skip.
    expect(blocks.filter((b) => b.kind === 'heading').map((b) => (b.kind === 'heading' ? b.level : 0))).toEqual([2, 3, 3, 3, 3, 3, 3]);

    expect(signOffRows(input)).toEqual([
      ['Evaluator', '', 'Not yet signed'],
      ['Moderator', '', 'Not yet signed'],
      ['Data protection officer', '', 'Not yet signed'],
      ['Equality lead', '', 'Not yet signed'],
      ['Approver', '', 'Not yet signed'],
    ]);
  });

  it('tells the board an evaluation with nothing outstanding is not decided until the moderator finalises it, and what is left', () => {
    const input = reportInput({}, clean);
    expect(input.evaluation.provisional).toBe(false);
    const notices = (i: typeof input) => decisionSummary(i).flatMap((b) => (b.kind === 'paragraph' && b.text.startsWith('Not yet finalised') ? [b.text] : []));
    expect(notices(input)).toEqual(['Not yet finalised by the moderator. A decision should wait until it is.']);
    const flag = { ruleText: 'Rule.', questionKeys: ['security.threats'], message: 'Same file twice.', action: null };
    expect(notices({ ...input, integrityFlags: [flag, { ...flag, action: { text: 'Checked.', by: 'Mo', at: '2026-12-01T10:00:00.000Z' } }] })).toEqual([
      'Not yet finalised by the moderator: 1 integrity flag has no recorded action. A decision should wait until it is.',
    ]);
    expect(notices({ ...input, finalisation: { by: 'Mo Derator', at: '2026-12-01T12:00:00.000Z' } })).toEqual([]);
  });

  it('fills the sign-off block from the approvals, one line per panel member, and says when one predates the evaluation’s last change', () => {
    const panel = { evaluators: [{ id: 'e1', name: 'Eve One' }, { id: 'e2', name: 'Evan Two' }], moderator: { id: 'm', name: 'Mo Derator' } };
    const approvals = [
      { role: 'evaluator' as const, userId: 'e1', name: 'Eve One', at: '2027-04-01T09:00:00.000Z', comment: null },
      { role: 'moderator' as const, userId: 'm', name: 'Mo Derator', at: '2027-04-03T09:00:00.000Z', comment: null },
      { role: 'approver' as const, userId: 'o', name: 'Olu Officer', at: '2027-04-04T09:00:00.000Z', comment: 'Approved for the board.' },
    ];
    expect(signOffRows({ approvals, panel, computedAt: '2027-04-02T09:30:00.000Z' })).toEqual([
      ['Evaluator', 'Eve One', '1 April 2027 (before the evaluation last changed, 2 April 2027)'],
      ['Evaluator', 'Evan Two', 'Not yet signed'],
      ['Moderator', 'Mo Derator', '3 April 2027'],
      ['Data protection officer', '', 'Not yet signed'],
      ['Equality lead', '', 'Not yet signed'],
      ['Approver', 'Olu Officer', '4 April 2027'],
    ]);
  });

  it('is on the first pages of the PDF, in front of the summary, with the recommendation and the numbered conditions', async () => {
    const input = reportInput({ conditions: [condition('open'), { ...condition('met'), number: 2, text: 'Provide the penetration test report.' }] }, change(clean, { gatewayDecisions: { 'data.training': conditional } }));
    const pdf = await readPdf((await renderPdf({ document: evaluationReport(input) })).pdf);
    const front = flat(pdf.pages.slice(0, 3).join('\n'));
    expect(front).toContain('Decision summary');
    expect(front).toContain('Recommendation: Award with conditions.');
    expect(front).toContain('1 Agree the liability cap. Open');
    expect(front).toContain('2 Provide the penetration test report. Met');
    expect(front).toContain('Conditional pass, due 1 May 2027');
    expect(front).toContain('Approver Not yet signed');
    const summaryPage = pdf.pages.findIndex((p) => /^Summary$/m.test(p));
    const decisionPage = pdf.pages.findIndex((p) => p.includes('Decision summary'));
    expect(decisionPage).toBe(0);
    expect(summaryPage).toBeGreaterThan(decisionPage);
    expect(summaryPage).toBeLessThanOrEqual(3);
    expect(pdf.outline[0]!.items).toContain('Decision summary');
  });
});
