import { describe, expect, it } from 'vitest';
import { validateDefinition, type QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { buildMethodology } from '../../../src/modules/questionnaires/questionnaires.methodology';
import { evaluateResponse, gatewaysNeedingDecision, rankByScore, type EvaluationInput } from '../../../src/modules/scoring';
import { change, hashOf, parse, scoringDefinitionInput, strongInput } from './fixtures';

/**
 * A gateway answer that no rule should decide goes to the panel: the scoring questionnaire's Cyber
 * Essentials gateway gains "Working towards it", which a person decides and which is usually passed
 * on conditions.
 */
type Option = { value: string; label: string; score?: number; gatewayOutcome?: 'pass' | 'fail' | 'review'; usualOutcome?: 'pass' | 'fail' | 'conditional' };
type QuestionInput = { key: string; options?: Option[]; gateway?: unknown };

function withOptions(key: string, options: (existing: Option[]) => Option[]): QuestionnaireDefinitionInput {
  const input = structuredClone(scoringDefinitionInput()) as unknown as { sections: Array<{ questions: QuestionInput[] }> };
  const question = input.sections.flatMap((s) => s.questions).find((q) => q.key === key)!;
  question.options = options(question.options ?? []);
  return input as unknown as QuestionnaireDefinitionInput;
}

const inProgress: Option = { value: 'in_progress', label: 'Working towards it', score: 1, gatewayOutcome: 'review', usualOutcome: 'conditional' };
const reviewDefinition = () => parse(withOptions('security.cyber_essentials', (options) => [...options, inProgress]));
const reviewInput = (): EvaluationInput => {
  const definition = reviewDefinition();
  return { ...strongInput({ tier: 'high', definition }), definitionHash: hashOf(definition) };
};
const gatewayOf = (input: EvaluationInput) => evaluateResponse(input).gateways.find((g) => g.questionKey === 'security.cyber_essentials')!;

describe('gateway answers the panel decides', () => {
  it('leaves the gateway pending for a person, with the usual outcome, and the evaluation provisional and unranked', () => {
    const input = change(reviewInput(), { answers: { 'security.cyber_essentials': 'in_progress' } });
    const evaluation = evaluateResponse(input);
    const gateway = gatewayOf(input);
    expect(gateway).toMatchObject({ outcome: 'pending', automaticOutcome: 'pending', decidedBy: 'rule', review: true, usualOutcome: 'conditional' });
    expect(gateway.reason).toBe("The answer 'Working towards it' is one the panel decides, with a reason; no rule passes or fails it. It is usually passed on conditions.");
    expect(evaluation.provisional).toBe(true);
    expect(evaluation.outstanding).toContain('Gateway 2.2 needs a moderator decision.');
    expect(gatewaysNeedingDecision({ definition: input.definition, triage: input.triage, answers: input.answers, riskTier: 'high' })).toContain('security.cyber_essentials');
    // Ranking counts only responses whose every gateway passed (a conditional pass counts): a pending one is not ranked.
    const row = { overallScore: evaluation.overallScore, gatewaysPassed: evaluation.gateways.every((g) => g.outcome === 'pass' || g.outcome === 'conditional') };
    expect(rankByScore([row], (r) => r.gatewaysPassed)[0]!.rank).toBeNull();
  });

  it('takes the moderator’s decision: conditional caps the rating, fail makes it not acceptable, and nothing is outstanding', () => {
    const base = change(reviewInput(), { answers: { 'security.cyber_essentials': 'in_progress' } });
    const conditional = evaluateResponse(
      change(base, { gatewayDecisions: { 'security.cyber_essentials': { outcome: 'conditional', rationale: 'Assessment booked.', action: 'Certificate by March', dueDate: '2027-03-31' } } }),
    );
    expect(conditional.gateways.find((g) => g.questionKey === 'security.cyber_essentials')).toMatchObject({ outcome: 'conditional', decidedBy: 'moderator', review: true });
    expect(conditional.provisional).toBe(false);
    expect(conditional.rating).not.toBe('acceptable');
    const failed = evaluateResponse(change(base, { gatewayDecisions: { 'security.cyber_essentials': { outcome: 'fail', rationale: 'No date for the assessment.' } } }));
    expect([failed.provisional, failed.rating]).toEqual([false, 'not_acceptable']);
  });

  it('still decides the other answers by the rule, and says which answers the panel decides', () => {
    const input = change(reviewInput(), { answers: { 'security.cyber_essentials': 'none' } });
    expect(gatewayOf(input)).toMatchObject({ outcome: 'fail', automaticOutcome: 'fail' });
    expect(gatewayOf(input).review).toBeUndefined();
    const passed = change(reviewInput(), { answers: { 'security.cyber_essentials': 'ce' } });
    expect(gatewayOf(passed)).toMatchObject({ outcome: 'pass' });
    const working = evaluateResponse(passed).questions.find((q) => q.key === 'security.cyber_essentials')!.working.join(' ');
    expect(working).toContain("requires 'Cyber Essentials Plus' or 'Cyber Essentials'");
  });

  it('keeps an evaluation without such answers byte-identical in shape: no review fields', () => {
    const evaluation = evaluateResponse(strongInput({ tier: 'high' }));
    for (const g of evaluation.gateways) expect(Object.keys(g)).not.toContain('review');
  });

  it('publishes in the methodology which answers a person decides', () => {
    const methodology = buildMethodology(reviewDefinition());
    const entry = methodology.gateways.find((g) => g.questionKey === 'security.cyber_essentials')!;
    expect(entry.decidedByPanel).toEqual([{ answer: 'Working towards it', usualOutcome: 'conditional' }]);
    expect(methodology.gateways.find((g) => g.questionKey === 'data.dpia')!.decidedByPanel).toEqual([]);
    expect(methodology.scoringSteps.join(' ')).toMatch(/decided by a person/);
  });
});

describe('validating gateway outcomes on options', () => {
  const problemsOf = (input: unknown) => {
    const result = validateDefinition(input);
    return result.ok ? [] : result.problems;
  };

  it('accepts review, and pass or fail that agree with the pass condition', () => {
    const input = withOptions('security.cyber_essentials', (options) => [
      { ...options[0]!, gatewayOutcome: 'pass' },
      options[1]!,
      { ...options[2]!, gatewayOutcome: 'fail' },
      inProgress,
    ]);
    expect(problemsOf(input)).toEqual([]);
  });

  it('refuses a pass or fail that contradicts the pass condition, a usual outcome without review, and an outcome on a question with no gateway', () => {
    const contradicting = withOptions('security.cyber_essentials', (options) => [{ ...options[0]!, gatewayOutcome: 'fail' }, ...options.slice(1)]);
    expect(problemsOf(contradicting)).toEqual([
      { path: expect.stringMatching(/\/questions\/\d+\/options\/0\/gatewayOutcome$/), message: `"fail" contradicts the gateway's pass condition, which passes this option` },
    ]);
    const usualAlone = withOptions('security.cyber_essentials', (options) => [{ ...options[0]!, usualOutcome: 'conditional' }, ...options.slice(1)]);
    expect(problemsOf(usualAlone)).toEqual([{ path: expect.stringMatching(/\/options\/0\/usualOutcome$/), message: 'a usual outcome goes only with gatewayOutcome "review"' }]);
    const noGateway = withOptions('data.transfers', (options) => [{ ...options[0]!, gatewayOutcome: 'review' }, ...options.slice(1)]);
    expect(problemsOf(noGateway)).toEqual([{ path: expect.stringMatching(/\/options\/0\/gatewayOutcome$/), message: 'a gateway outcome needs a question with a gateway' }]);
    const unknown = withOptions('security.cyber_essentials', (options) => [{ ...options[0]!, gatewayOutcome: 'maybe' as 'review' }, ...options.slice(1)]);
    expect(problemsOf(unknown).map((p) => p.path)).toEqual([expect.stringMatching(/\/options\/0\/gatewayOutcome$/)]);
  });
});
