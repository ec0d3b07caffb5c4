import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateDefinition, type QuestionnaireDefinitionInput, type RiskTier } from '../../../src/modules/questionnaires';
import { conditionsRegister, deriveConditions } from '../../../src/modules/scoring/conditions.models';
import { evaluateResponse, type EvaluationInput, type Score } from '../../../src/modules/scoring';
import { change, hashOf, parse, scoringDefinitionInput, strongInput } from './fixtures';

/**
 * The conditions register, from the engine's evaluation: which facts raise a condition, in which
 * order they are numbered, and what people recorded laid over them.
 */

/** The scoring questionnaire, where training on council data may also be answered "on terms we changed": an exception to the council's terms. */
function exceptionDefinition() {
  const input = structuredClone(scoringDefinitionInput()) as unknown as { sections: Array<{ questions: Array<{ key: string; options?: unknown[] }> }> };
  const training = input.sections.flatMap((s) => s.questions).find((q) => q.key === 'data.training')!;
  training.options!.push({ value: 'changed_terms', label: 'Only on terms we have changed', score: 2, exception: true });
  return parse(input as unknown as QuestionnaireDefinitionInput);
}
const inputWith = (tier: RiskTier = 'high'): EvaluationInput => {
  const definition = exceptionDefinition();
  return { ...strongInput({ tier, definition }), definitionHash: hashOf(definition) };
};
const derive = (input: EvaluationInput, gatewayOwners: Record<string, string> = {}) =>
  deriveConditions({ definition: input.definition, answers: input.answers, evaluation: evaluateResponse(input), gatewayOwners });

describe('the conditions a response’s evaluation raises', () => {
  it('raises none for a strong response at the low tier; at the high tier, the controls for each critical section’s medium residual risk', () => {
    const low = change(inputWith('low'), { riskTier: 'low', triage: { 'triage.personal': 'no' } });
    expect(evaluateResponse(low).rating).toBe('acceptable');
    expect(derive(low)).toEqual([]);
    // At the high tier even a perfect section carries medium residual risk (§7.4): the rating is "acceptable with conditions", and these are its conditions.
    const high = inputWith('high');
    expect(evaluateResponse(high).rating).toBe('acceptable_with_conditions');
    expect(derive(high).map((c) => [c.id, c.text])).toEqual([
      ['residual_risk:data', 'Agree the controls and monitoring that manage the medium residual risk in section 1 Data protection (score 100.0 at the high tier)'],
      ['residual_risk:security', 'Agree the controls and monitoring that manage the medium residual risk in section 2 Security (score 100.0 at the high tier)'],
    ]);
  });

  it('numbers a conditional gateway, an exception, a capped answer and a critical section’s residual risk, in that order', () => {
    const input = change(inputWith(), {
      answers: { 'data.training': 'changed_terms' },
      evidence: { 'security.hours': undefined },
      marks: { 'security.threats': { score: 1, rationale: 'Thin.' }, 'data.rights': { score: 1, rationale: 'Vague.' } },
      gatewayDecisions: { 'data.dpia': { outcome: 'conditional', rationale: 'DPIA drafted, not signed.', action: 'Sign the DPIA', dueDate: '2027-01-31' } },
    });
    const evaluation = evaluateResponse(input);
    const conditions = conditionsRegister({ derived: derive(input, { 'data.dpia': 'Data protection officer' }), states: [] });
    expect(conditions.map((c) => [c.number, c.id])).toEqual([
      [1, 'gateway:data.dpia'],
      [2, 'exception:data.training'],
      [3, 'evidence:security.hours'],
      ...evaluation.sections.filter((s) => s.critical && (s.residualRisk === 'medium' || s.residualRisk === 'high')).map((s, i) => [4 + i, `residual_risk:${s.key}`]),
    ]);
    expect(conditions.length).toBeGreaterThanOrEqual(4);
    expect(conditions[0]).toMatchObject({ source: 'gateway', ref: '1.2', text: 'Sign the DPIA (gateway 1.2 Will you give the council what it needs for its DPIA?)', owner: 'Data protection officer', dueDate: '2027-01-31', status: 'open', version: 0 });
    expect(conditions[1]!.text).toBe('Agree or withdraw the supplier’s exception to the council’s terms before contract, at 1.1 Will council data be used to train any AI model?');
    expect(conditions[2]).toMatchObject({ source: 'evidence', questionKey: 'security.hours', owner: null, dueDate: null });
    expect(conditions[2]!.text).toMatch(/^The supplier provides the evidence asked for at 2\.1 .+ \(scored 1 of 4 without it\)$/);
    const section = conditions.find((c) => c.source === 'residual_risk')!;
    expect(section.text).toMatch(/^Agree the controls and monitoring that manage the (medium|high) residual risk in section \d .+ \(score \d+\.\d at the high tier\)$/);
  });

  it('raises the overall residual risk only when no critical section raised one', () => {
    const input = change(inputWith('medium'), {
      riskTier: 'medium',
      triage: { 'triage.personal': 'no' },
      answers: { 'workforce.review': 'no' },
      marks: { 'contract.exit': { score: 0, rationale: 'None.' } },
    });
    const evaluation = evaluateResponse(input);
    expect([evaluation.overallResidualRisk, evaluation.rating]).toEqual(['medium', 'acceptable_with_conditions']);
    expect(evaluation.sections.filter((s) => s.critical).map((s) => s.residualRisk)).toEqual(['low', 'low']);
    expect(derive(input).map((c) => [c.id, c.text])).toEqual([
      ['overall_risk', `Agree the controls and monitoring that manage the medium overall residual risk (score ${evaluation.overallScore!.toFixed(1)} at the medium tier)`],
    ]);
  });

  it('quotes no answer: an exception names the question, never the option chosen', () => {
    const input = change(inputWith(), { answers: { 'data.training': 'changed_terms' } });
    expect(derive(input).map((c) => c.text).join(' ')).not.toContain('Only on terms we have changed');
  });

  it('raises no evidence condition below the evidence rule’s tier, where nothing is capped', () => {
    const input = change(inputWith('low'), { evidence: { 'security.hours': undefined, 'data.dpia': undefined } });
    expect(derive(input).filter((c) => c.source === 'evidence')).toEqual([]);
  });

  it('lays what people recorded over the derived conditions, and keeps a record whose condition no longer arises out of the list', () => {
    const input = change(inputWith(), { answers: { 'data.training': 'changed_terms' } });
    const derived = derive(input);
    const at = new Date('2027-02-01T10:00:00Z');
    const register = conditionsRegister({
      derived,
      states: [
        { conditionId: 'exception:data.training', owner: 'Legal', dueDate: '2027-02-14', status: 'waived', reason: 'Terms accepted by legal.', updatedBy: 'u1', updatedAt: at, version: 2 },
        { conditionId: 'gateway:gone', owner: null, dueDate: null, status: 'met', reason: null, updatedBy: 'u1', updatedAt: at, version: 1 },
      ],
    });
    expect(register.find((c) => c.id === 'exception:data.training')).toMatchObject({ owner: 'Legal', dueDate: '2027-02-14', status: 'waived', reason: 'Terms accepted by legal.', updatedAt: at.toISOString(), version: 2 });
    expect(register.map((c) => c.id)).not.toContain('gateway:gone');
  });

  it('validates `exception` only on options that can carry it', () => {
    const input = structuredClone(scoringDefinitionInput()) as unknown as { triage: { questions: Array<{ options?: Array<Record<string, unknown>> }> } };
    input.triage.questions[0]!.options![0]!.exception = true;
    expect(validateDefinition(input).ok).toBe(false);
  });

  it('always lists a condition when the rating is “acceptable with conditions”, and one for each conditional gateway and capped answer', () => {
    const scoreArb = fc.integer({ min: 0, max: 4 }) as fc.Arbitrary<Score>;
    fc.assert(
      fc.property(
        fc.record({
          tier: fc.constantFrom<RiskTier>('low', 'medium', 'high', 'very_high'),
          marks: fc.tuple(scoreArb, scoreArb, scoreArb),
          training: fc.constantFrom('never', 'opt_in_only', 'default_opt_out', 'changed_terms'),
          cyber: fc.constantFrom('ce_plus', 'ce', 'none'),
          evidence: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
          dpia: fc.constantFrom<'none' | 'pass' | 'conditional'>('none', 'pass', 'conditional'),
        }),
        ({ tier, marks, training, cyber, evidence, dpia }) => {
          const input = change(inputWith(tier), {
            riskTier: tier,
            answers: { 'data.training': training, 'security.cyber_essentials': cyber },
            evidence: { 'data.dpia': evidence[0] ? 1 : undefined, 'security.hours': evidence[1] ? 1 : undefined, 'security.policy': evidence[2] ? 1 : undefined },
            marks: {
              'data.rights': { score: marks[0], rationale: 'r' },
              'security.threats': { score: marks[1], rationale: 'r' },
              'contract.exit': { score: marks[2], rationale: 'r' },
            },
            gatewayDecisions: dpia === 'none' ? {} : { 'data.dpia': { outcome: dpia, rationale: 'r', ...(dpia === 'conditional' ? { action: 'Sign it', dueDate: '2027-01-01' } : {}) } },
          });
          const evaluation = evaluateResponse(input);
          const conditions = derive(input);
          if (evaluation.rating === 'acceptable_with_conditions') expect(conditions.length).toBeGreaterThan(0);
          for (const g of evaluation.gateways.filter((g) => g.outcome === 'conditional')) expect(conditions.map((c) => c.id)).toContain(`gateway:${g.questionKey}`);
          for (const q of evaluation.questions.filter((q) => q.capped)) expect(conditions.map((c) => c.id)).toContain(`evidence:${q.key}`);
          expect(new Set(conditions.map((c) => c.id)).size).toBe(conditions.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
