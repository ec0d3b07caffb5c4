import { describe, expect, it } from 'vitest';
import { addsUpWords, justificationFault, justificationProblems, passingAnswers, rescaledWords } from '../../../src/modules/reports/assessment-summary.models';
import type { ReportMark } from '../../../src/modules/reports/reports.shared';
import type { SectionEvaluation } from '../../../src/modules/scoring';
import { definition, reportInput } from './report-input';

describe('a justification that refers to the tender', () => {
  it.each([
    ['', 'missing'],
    ['   ', 'missing'],
    ['As above.', 'stock_phrase'],
    ['see above', 'stock_phrase'],
    ['Good answer', 'stock_phrase'],
    ['Agreed with the evaluator after reading the answer.', 'stock_phrase'],
    ['Agreed.', 'stock_phrase'],
    ['OK', 'stock_phrase'],
    ['Good answer, as above, agreed', 'stock_phrase'],
    ['Clear opt-in.', 'too_short'],
    ['Strong on consent.', 'too_short'],
  ])('refuses %j (%s)', (justification, fault) => {
    expect(justificationFault(justification)).toBe(fault);
  });

  it.each([
    'The answer names a signed consent schedule for each dataset.',
    'Good answer: it names the DPIA, its date and who signed it off for the council.',
    'Withdrawal of consent is described only in the DPA, not in the answer.',
  ])('accepts %j', (justification) => {
    expect(justificationFault(justification)).toBeNull();
  });
});

describe('which marked answers hold the summary up', () => {
  const base = reportInput();
  const manual = definition.sections.flatMap((s) => s.questions).filter((q) => q.scoring.method === 'manual');
  const scoredManual = manual.filter((q) => base.evaluation.questions.find((e) => e.key === q.key)?.status === 'scored');
  const mark = (questionKey: string, evaluator: string, justification: string): ReportMark => ({ questionKey, evaluator, score: 3, justification, at: '2027-04-01T10:00:00.000Z' });
  const good = (key: string) => [mark(key, 'Eve One', 'The answer names the dataset, the consent form and who signs it.'), mark(key, 'Evan Two', 'It says how consent is withdrawn and how fast the data is deleted.')];

  it('names nothing when every evaluator of every counted mark gave a justification that refers to the tender', () => {
    expect(scoredManual.length).toBeGreaterThan(0);
    expect(justificationProblems({ definition, evaluation: base.evaluation, marks: scoredManual.flatMap((q) => good(q.key)) })).toEqual([]);
  });

  it('names the question and each evaluator whose justification falls short, and a counted mark no evaluator justified', () => {
    const [first, ...rest] = scoredManual;
    const marks = [mark(first!.key, 'Evan Two', 'see above'), mark(first!.key, 'Eve One', 'The answer names the dataset, the consent form and who signs it.'), ...rest.flatMap((q) => good(q.key))];
    expect(justificationProblems({ definition, evaluation: base.evaluation, marks })).toEqual([{ questionKey: first!.key, ref: first!.ref ?? null, question: first!.text, evaluator: 'Evan Two', fault: 'stock_phrase' }]);
    const none = justificationProblems({ definition, evaluation: base.evaluation, marks: rest.flatMap((q) => good(q.key)) });
    expect(none).toEqual([expect.objectContaining({ questionKey: first!.key, evaluator: null, fault: 'missing' })]);
  });

  it('takes the moderator’s rationale as the justification where no evaluator marked (a panel of the moderator alone), under the same rule', () => {
    const [first, ...rest] = scoredManual;
    const marks = rest.flatMap((q) => good(q.key));
    const alone = (rationale: string) => [{ questionKey: first!.key, moderator: 'Mo Derator', rationale }];
    expect(justificationProblems({ definition, evaluation: base.evaluation, marks, moderations: alone('The answer names the DPIA, its date and who signed it off.') })).toEqual([]);
    expect(justificationProblems({ definition, evaluation: base.evaluation, marks, moderations: alone('As above.') })).toEqual([
      expect.objectContaining({ questionKey: first!.key, evaluator: 'Mo Derator', fault: 'stock_phrase' }),
    ]);
    // Where evaluators marked, the moderator's note is never read.
    expect(justificationProblems({ definition, evaluation: base.evaluation, marks: [mark(first!.key, 'Eve One', 'see above'), ...marks], moderations: alone('The answer names the DPIA, its date and who signed it off.') })).toEqual([
      expect.objectContaining({ questionKey: first!.key, evaluator: 'Eve One', fault: 'stock_phrase' }),
    ]);
  });
});

describe('the numbers a supplier can check', () => {
  const section = (over: Partial<SectionEvaluation>): SectionEvaluation => ({ key: 'x', ref: '1', title: 'X', visible: true, score: 50, residualRisk: 'medium', critical: false, weight: 10, effectiveWeight: 10, weightedContribution: 5, working: [], ...over });

  it.each([
    [[46.88, 37.5], 84.4, 'The points are rounded to two decimals and the total to one, each from the unrounded scores: the points shown add up to 84.38, and the total is 84.4.'],
    [[40.1, 30.2], 70.3, 'The points shown add up to the total shown, 70.3.'],
    [[], null, 'There is no total: no criterion has a score.'],
  ])('points %j against the total %j', (parts, total, words) => {
    expect(addsUpWords({ parts, total, what: 'points' })).toBe(words);
  });

  it('says which sections’ weights were shared out, and why', () => {
    expect(rescaledWords([section({})])).toBeNull();
    expect(rescaledWords([section({}), section({ key: 'w', title: 'Workforce', visible: false, score: null, effectiveWeight: null }), section({ key: 's', title: 'Social care', visible: false, score: null, effectiveWeight: null })])).toBe(
      'Weights rescaled because the Workforce and Social care sections do not apply to this use case: their weight is shared among the other criteria in proportion, so the weights applied add up to 100.',
    );
    expect(rescaledWords([section({}), section({ key: 'e', title: 'Evidence', score: null, effectiveWeight: null })])).toContain('no question in the Evidence section was scored for your tender');
  });

  it('names the answers that would have passed a failed gateway: option labels, or the pass condition in words', () => {
    const questions = new Map(definition.sections.flatMap((s) => s.questions).map((q) => [q.key, q]));
    expect(passingAnswers(definition, questions.get('data.training')!, {})).toBe('“Never” or “Only if the council explicitly agrees in writing (opt-in)”');
    expect(passingAnswers(definition, questions.get('contract.exclusion')!, {})).toBe('“No”');
    const band = structuredClone(questions.get('data.training')!);
    delete band.options;
    expect(passingAnswers(definition, band, {})).toMatch(/^The answer to .* is one of/);
  });
});
