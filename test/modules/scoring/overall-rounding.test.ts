import { describe, expect, it } from 'vitest';
import { evaluateResponse, type EvaluationInput, type Score } from '../../../src/modules/scoring';
import { hashOf, parse } from './fixtures';

/**
 * The overall score is computed from the unrounded section scores and rounded once, at the end.
 * Two sections of three marked questions: A all 0 (0.0), B marked 1, 0, 0 (8.333…, shown 8.3),
 * weighted 20 and 80. Exactly, 0 × 0.2 + 8.333… × 0.8 = 6.666…, which rounds to 6.7; adding the
 * shown, rounded section scores (0.0 × 0.2 + 8.3 × 0.8 = 6.64) would give 6.6.
 */
const descriptors = { 0: 'None.', 1: 'Poor.', 2: 'Some.', 3: 'Good.', 4: 'Excellent.' };
const manual = (key: string) => ({ key, text: `Question ${key}?`, guidance: 'Explain.', type: 'long_text', required: true, scoring: { method: 'manual', descriptors }, riskAreas: ['area'], sources: ['LGA'] });
const weights = { a: 20, b: 80 };

function twoSections() {
  return parse({
    key: 'rounding',
    version: '1.0.0',
    title: 'Rounding',
    description: 'Two sections.',
    scale: [0, 1, 2, 3, 4].map((value) => ({ value, label: `Mark ${value}`, descriptor: `Mark ${value}.` })),
    riskAreas: [{ key: 'area', title: 'Area', critical: false }],
    triage: { questions: [], tierRules: [], defaultTier: 'low' },
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    evidenceRule: { capWithoutEvidence: 2, fromTier: 'high' },
    sections: [
      { key: 'a', title: 'Section A', riskArea: 'area', questions: ['a.one', 'a.two', 'a.three'].map(manual) },
      { key: 'b', title: 'Section B', riskArea: 'area', questions: ['b.one', 'b.two', 'b.three'].map(manual) },
    ],
  });
}

function input(marks: Record<string, Score>): EvaluationInput {
  const definition = twoSections();
  const keys = ['a.one', 'a.two', 'a.three', 'b.one', 'b.two', 'b.three'];
  return {
    definition,
    definitionHash: hashOf(definition),
    riskTier: 'low',
    weights,
    triage: {},
    answers: Object.fromEntries(keys.map((k) => [k, 'An answer.'])),
    evidence: {},
    marks: Object.fromEntries(Object.entries(marks).map(([k, score]) => [k, { score, rationale: `Marked ${score}.` }])),
    gatewayDecisions: {},
  };
}

describe('the overall score and rounding', () => {
  it('computes the overall score from unrounded section scores, and says the shown parts are rounded when they do not add up', () => {
    const evaluation = evaluateResponse(input({ 'a.one': 0, 'a.two': 0, 'a.three': 0, 'b.one': 1, 'b.two': 0, 'b.three': 0 }));
    expect(evaluation.sections.map((s) => s.score)).toEqual([0, 8.3]);
    expect(evaluation.overallScore).toBe(6.7);
    const line = evaluation.working.find((w) => w.startsWith('Overall score'));
    expect(line).toContain('= 6.7');
    expect(evaluation.working.join(' ')).toMatch(/rounded to one decimal.*unrounded/);
  });

  it('says nothing about rounding when the shown parts give the shown total', () => {
    const evaluation = evaluateResponse(input({ 'a.one': 4, 'a.two': 4, 'a.three': 4, 'b.one': 2, 'b.two': 2, 'b.three': 2 }));
    expect(evaluation.overallScore).toBe(60);
    expect(evaluation.working.join(' ')).not.toMatch(/unrounded/);
  });
});
