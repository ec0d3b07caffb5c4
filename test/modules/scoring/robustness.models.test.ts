import { describe, expect, it } from 'vitest';
import { evaluateResponse, rankingRobustness, reweighted, type EvaluationInput, type RobustnessResponse, type Score } from '../../../src/modules/scoring';
import { robustnessSentence } from '../../../src/modules/reports/comparison.models';
import { evaluationInputs, parseDefinition, scoringDefinitionInput as benchDefinitionInput, supplierData } from '../../bench/lib/scoring-fixture';
import { hashOf, parse } from './fixtures';

/**
 * Hand-built races whose answers are worked out below by hand. Every question is marked by the panel
 * (0 to 4, equal weights within a section), so a section scores mean(marks) / 4 × 100 and the
 * overall score is the sections' weighted mean, rounded to one decimal.
 */
const scale = ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label} answer.` }));

function raceDefinition({ a, b, weights }: { a: number; b: number; weights: { a: number; b: number } }) {
  const question = (section: 'a' | 'b', n: number) => ({
    key: `${section}.q${n}`,
    ref: `${section === 'a' ? 1 : 2}.${n}`,
    text: `Question ${n} of section ${section.toUpperCase()}?`,
    guidance: 'Explain.',
    type: 'long_text',
    required: true,
    limits: { maxLength: 2000 },
    scoring: { method: 'manual', descriptors: { 0: 'None.', 1: 'Vague.', 2: 'Some.', 3: 'Clear.', 4: 'Excellent.' } },
    riskAreas: ['general'],
    sources: ['LGA'],
  });
  return parse({
    key: 'race',
    version: '1.0.0',
    title: 'Race',
    description: 'For robustness tests.',
    scale,
    riskAreas: [{ key: 'general', title: 'General', critical: false }],
    triage: { questions: [{ key: 'triage.personal', text: 'Personal data?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }], tierRules: [], defaultTier: 'low' },
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    evidenceRule: { capWithoutEvidence: 2, fromTier: 'very_high' },
    sections: [
      { key: 'a', ref: '1', title: 'Section A', riskArea: 'general', questions: Array.from({ length: a }, (_, i) => question('a', i + 1)) },
      { key: 'b', ref: '2', title: 'Section B', riskArea: 'general', questions: Array.from({ length: b }, (_, i) => question('b', i + 1)) },
    ],
  });
}

type Definition = ReturnType<typeof raceDefinition>;

/** A response whose every question is answered and marked: `marks.a` for section A's questions in order, `marks.b` for B's. */
function bidder(definition: Definition, name: string, marks: { a: number[]; b: number[] }): RobustnessResponse {
  const keyed = (section: 'a' | 'b') => marks[section].map((score, i) => [`${section}.q${i + 1}`, score] as const);
  const all = [...keyed('a'), ...keyed('b')];
  const input: EvaluationInput = {
    definition,
    definitionHash: hashOf(definition),
    riskTier: 'low',
    weights: definition.weights.low,
    triage: { 'triage.personal': 'no' },
    answers: Object.fromEntries(all.map(([key]) => [key, `The answer of ${name}.`])),
    evidence: {},
    marks: Object.fromEntries(all.map(([key, score]) => [key, { score: score as Score, rationale: 'Consensus.' }])),
    gatewayDecisions: {},
  };
  return { id: name.toLowerCase(), name, input };
}

const race = (definition: Definition, marks: Record<string, { a: number[]; b: number[] }>) => Object.entries(marks).map(([name, m]) => bidder(definition, name, m));
const changesOf = (r: ReturnType<typeof rankingRobustness>) => (r.applies ? r.marks.changing.map((c) => `${c.name} ${c.questionKey} ${c.from}→${c.to}: ${c.before} to ${c.after}, first ${c.first.map((f) => f.name).join('+')}`) : []);

describe('the robustness of a ranking', () => {
  it('finds the single marks one point up or down that change the winner', () => {
    // Weights A 60, B 40; A has 2 questions (a mark moves A by 12.5, the overall by 7.5),
    // B has 3 (a mark moves B by 8.33, the overall by 3.33).
    // Alpha: A (3,3) = 75, B (3,3,3) = 75: overall 75.0.
    // Beta:  A (3,2) = 62.5, B (3,3,4) = 83.33: 0.6 × 62.5 + 0.4 × 83.33 = 70.83, shown 70.8. Margin 4.2.
    const definition = raceDefinition({ a: 2, b: 3, weights: { a: 60, b: 40 } });
    const responses = race(definition, { Alpha: { a: [3, 3], b: [3, 3, 3] }, Beta: { a: [3, 2], b: [3, 3, 4] } });
    expect(responses.map((r) => evaluateResponse(r.input).overallScore)).toEqual([75, 70.8]);
    const result = rankingRobustness({ responses });
    if (!result.applies) throw new Error('applies');
    expect(result.first).toEqual([{ id: 'alpha', name: 'Alpha', score: 75 }]);
    expect(result.next).toEqual([{ id: 'beta', name: 'Beta', score: 70.8 }]);
    expect(result.margin).toBe(4.2);
    // Tried: Alpha's five 3s both ways (10); Beta's 3, 2, 3, 3 both ways and its 4 down only (9).
    expect(result.marks.tried).toBe(19);
    // Beta +1 on A: 0.6 × 75 + 0.4 × 83.33 = 78.3, first. Alpha −1 on A: 0.6 × 62.5 + 0.4 × 75 = 67.5, below Beta.
    // A mark on B moves the overall by 3.33 only: Beta +1 gives 74.2, Alpha −1 gives 71.7: no change.
    expect(changesOf(result)).toEqual([
      'Alpha a.q1 3→2: 75 to 67.5, first Beta',
      'Alpha a.q2 3→2: 75 to 67.5, first Beta',
      'Beta a.q1 3→4: 70.8 to 78.3, first Beta',
      'Beta a.q2 2→3: 70.8 to 78.3, first Beta',
    ]);
    // Weights: A 48 and B 52 gives Beta 73.3; A 72 and B 28, 68.3; B 32 and A 68, 69.2; B 48 and A 52, 72.5: Alpha stays 75.
    expect(result.weights).toEqual({ tried: 4, changing: [] });
    expect(robustnessSentence(result, definition)).toBe('The ranking is not robust: 4 of 19 single mark changes of one point (such as Alpha’s mark for question 1.1 from 3 to 2) would change the winner, Alpha (margin 4.2 points).');
  });

  it('finds the section weight 20% up or down that changes the winner when no single mark does', () => {
    // Weights 50/50, 8 questions a section: one mark moves a section by 3.125, the overall by 1.5625.
    // Alpha: A all 4 = 100, B all 2 = 50: overall 75.0.
    // Beta:  A all 2 = 50, B six 4s and two 3s = 93.75: overall 71.875, shown 71.9. Margin 3.1.
    const definition = raceDefinition({ a: 8, b: 8, weights: { a: 50, b: 50 } });
    const responses = race(definition, { Alpha: { a: Array(8).fill(4), b: Array(8).fill(2) }, Beta: { a: Array(8).fill(2), b: [4, 4, 4, 4, 4, 4, 3, 3] } });
    const result = rankingRobustness({ responses });
    if (!result.applies) throw new Error('applies');
    expect(result.margin).toBe(3.1);
    // One mark: at best Beta 73.4 and Alpha 73.4 (never both at once): no change. Tried: Alpha 8 down + 16; Beta 16 + 6 down + 4.
    expect(result.marks).toEqual({ tried: 50, changing: [] });
    // A 40, B 60: Alpha 0.4 × 100 + 0.6 × 50 = 70.0, Beta 0.4 × 50 + 0.6 × 93.75 = 76.3: Beta first. The same from B's side.
    // A 60, B 40: Alpha 80.0, Beta 67.5: no change.
    expect(result.weights.tried).toBe(4);
    expect(result.weights.changing).toEqual([
      { sectionKey: 'a', from: 50, to: 40, first: [{ id: 'beta', name: 'Beta', score: 76.3 }] },
      { sectionKey: 'b', from: 50, to: 60, first: [{ id: 'beta', name: 'Beta', score: 76.3 }] },
    ]);
    expect(robustnessSentence(result, definition)).toBe('The ranking is not robust: 2 of 4 section weight changes of 20% (such as the weight of section 1 (Section A) from 50 to 40) would change the winner, Alpha (margin 3.1 points).');
  });

  it('says the ranking is robust when nothing tried changes the winner', () => {
    const definition = raceDefinition({ a: 2, b: 3, weights: { a: 60, b: 40 } });
    // Alpha all 4: 100.0; Beta all 2: 50.0. One mark moves Beta by 7.5 at most; a weight cannot move equal section scores.
    const result = rankingRobustness({ responses: race(definition, { Alpha: { a: [4, 4], b: [4, 4, 4] }, Beta: { a: [2, 2], b: [2, 2, 2] } }) });
    if (!result.applies) throw new Error('applies');
    // Alpha's 4s down only (5), Beta's 2s both ways (10).
    expect([result.marks.tried, result.marks.changing.length, result.weights.tried, result.weights.changing.length, result.margin]).toEqual([15, 0, 4, 0, 50]);
    expect(robustnessSentence(result, definition)).toBe('The ranking is robust: no single mark change of one point and no section weight change of 20% changes the winner, Alpha (margin 50.0 points).');
  });

  it('treats a tie for first as no single winner, broken by any mark that moves either score', () => {
    const definition = raceDefinition({ a: 2, b: 3, weights: { a: 60, b: 40 } });
    const result = rankingRobustness({ responses: race(definition, { Alpha: { a: [3, 3], b: [3, 3, 3] }, Beta: { a: [3, 3], b: [3, 3, 3] } }) });
    if (!result.applies) throw new Error('applies');
    expect(result.first.map((f) => f.name)).toEqual(['Alpha', 'Beta']);
    expect([result.margin, result.next]).toEqual([0, []]);
    // Every mark, either way, for either: 75 becomes 82.5, 67.5, 78.3 or 71.7, so first place is no longer shared.
    expect([result.marks.tried, result.marks.changing.length]).toEqual([20, 20]);
    expect(result.marks.changing[1]).toMatchObject({ name: 'Alpha', questionKey: 'a.q1', from: 3, to: 4, after: 82.5, first: [{ name: 'Alpha', score: 82.5 }] });
    expect(result.marks.changing[0]).toMatchObject({ name: 'Alpha', questionKey: 'a.q1', from: 3, to: 2, after: 67.5, first: [{ name: 'Beta', score: 75 }] });
    // Equal section scores: a weight moves neither.
    expect(result.weights).toEqual({ tried: 4, changing: [] });
    expect(robustnessSentence(result, definition)).toBe('There is no single winner: Alpha and Beta share first place with 75.0 points; 20 of 20 single mark changes of one point (such as Alpha’s mark for question 1.1 from 3 to 2) would break the tie.');
  });

  it('does not apply with fewer than two ranked responses', () => {
    const definition = raceDefinition({ a: 2, b: 3, weights: { a: 60, b: 40 } });
    const one = rankingRobustness({ responses: race(definition, { Alpha: { a: [3, 3], b: [3, 3, 3] } }) });
    expect(one).toEqual({ applies: false, ranked: 1 });
    expect(robustnessSentence(one, definition)).toBe('Robustness does not apply: only one response is ranked, so there is no other ranked response a change could put first.');
    expect(robustnessSentence(rankingRobustness({ responses: [] }), definition)).toContain('no response is ranked');
  });

  it('rescales the other weights so they add up to the same total', () => {
    expect(reweighted({ a: 40, b: 30, c: 30 }, 'a', 48)).toEqual({ a: 48, b: 26, c: 26 });
    expect(reweighted({ a: 40, b: 30, c: 30 }, 'a', 32)).toEqual({ a: 32, b: 34, c: 34 });
    // Nothing to rescale, or more than the whole: not a change that can be made.
    expect(reweighted({ a: 100 }, 'a', 80)).toBeNull();
    expect(reweighted({ a: 90, b: 10 }, 'a', 108)).toBeNull();
  });

  it('skips only runs that cannot matter: a mark never moves a score against its own direction (150 questions, 3 suppliers)', () => {
    // The robustness function does not re-run a mark change that can only keep the leader first or move
    // another response down; that rests on this: one point more never lowers the overall score, one less never raises it.
    const definition = parseDefinition(benchDefinitionInput());
    for (const input of evaluationInputs(definition, supplierData()).slice(0, 3)) {
      const base = evaluateResponse(input).overallScore!;
      const marked = Object.entries(input.marks);
      expect(marked.length).toBeGreaterThan(10);
      for (const [key, mark] of marked)
        for (const step of [-1, 1]) {
          const to = mark.score + step;
          if (to < 0 || to > 4) continue;
          const after = evaluateResponse({ ...input, marks: { ...input.marks, [key]: { ...mark, score: to as Score } } }).overallScore!;
          expect(step > 0 ? after >= base : after <= base, `${key} ${mark.score}→${to}: ${base} to ${after}`).toBe(true);
        }
    }
  });
});
