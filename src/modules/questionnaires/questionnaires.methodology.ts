import type { Condition, Operand, QuestionnaireDefinition, RiskTier } from './questionnaires.definition';
import { RISK_TIERS } from './questionnaires.definition';

/**
 * What a council publishes to bidders before they answer (Procurement Act 2023 s.23): how answers
 * are marked, the weights for each tier, which answers disqualify, and the evidence rule. Pure.
 */
export type Methodology = {
  questionnaire: { key: string; version: string; title: string };
  scale: Array<{ value: number; label: string; descriptor: string }>;
  scoringSteps: string[];
  tiers: Array<{ tier: RiskTier; rule: string }>;
  sections: Array<{ key: string; ref: string | null; title: string; critical: boolean; condition: string | null; weights: Record<RiskTier, number>; questionCount: number }>;
  gateways: Array<{
    questionKey: string;
    ref: string | null;
    sectionKey: string;
    question: string;
    passes: string;
    /** Answers no rule decides: the panel does, with a reason; each with the outcome it usually reaches. */
    decidedByPanel: Array<{ answer: string; usualOutcome: 'pass' | 'fail' | 'conditional' | null }>;
    appliesFrom: RiskTier | 'all';
    failureMessage: string;
  }>;
  evidenceRule: string;
  manualQuestions: Array<{ questionKey: string; ref: string | null; question: string; descriptors: Record<'0' | '1' | '2' | '3' | '4', string> }>;
  informationOnly: Array<{ questionKey: string; ref: string | null; question: string }>;
  /** Multiple-choice questions marked by a rubric over what was chosen: each level, best first, with the options it needs. */
  rubricQuestions: Array<{ questionKey: string; ref: string | null; question: string; levels: Array<{ score: number; label: string | null; requires: string[] }> }>;
  /** What changed in each version, newest first, as the definition records it; empty when it records none. */
  changeLog: Array<{ version: string; summary: string; changes: string[] }>;
  /** Answers that must not go together: each raises an integrity flag for the panel, never a change of score. */
  consistency: Array<{ key: string; flaggedWhen: string; message: string }>;
  /** How scores read as residual risk and the overall rating, as the scoring engine applies them. */
  rating: {
    bands: string[];
    residualRisk: Record<RiskTier, string[]>;
    ratingForRisk: Record<'low' | 'medium' | 'high' | 'very_high', string>;
  };
};

/** Score bands, best first, for the residual-risk table. */
const SCORE_BANDS = ['75 or more', '50 to under 75', '25 to under 50', 'under 25'] as const;

/**
 * The §7.4 table as published. The scoring engine keeps its own copy for computing; a test checks
 * the two are the same, so what bidders read is what is applied.
 */
const PUBLISHED_RESIDUAL_RISK = {
  low: ['low', 'low', 'medium', 'high'],
  medium: ['low', 'medium', 'high', 'high'],
  high: ['medium', 'high', 'high', 'very_high'],
  very_high: ['medium', 'high', 'very_high', 'very_high'],
} as const satisfies Record<RiskTier, readonly [string, string, string, string]>;

const PUBLISHED_RATING_FOR_RISK = { low: 'acceptable', medium: 'acceptable_with_conditions', high: 'significant_concerns', very_high: 'not_acceptable' } as const;

export const TIER_NAMES: Record<RiskTier, string> = { low: 'Low', medium: 'Medium', high: 'High', very_high: 'Very high' };

/** A condition in words, naming option labels rather than values where it can. */
export function describeCondition(condition: Condition, labelOf: (operand: Operand, value: string | number | boolean) => string, nameOf: (operand: Operand) => string): string {
  const describe = (c: Condition): string => describeCondition(c, labelOf, nameOf);
  if ('all' in condition) return condition.all.map(describe).join(' and ');
  if ('any' in condition) return condition.any.map(describe).join(' or ');
  if ('not' in condition) return `not (${describe(condition.not)})`;
  if ('answered' in condition) return `${nameOf(condition.answered)} is answered`;
  if ('equals' in condition) return `${nameOf(condition.equals)} is "${labelOf(condition.equals, condition.equals.value)}"`;
  if ('in' in condition) return `${nameOf(condition.in)} is one of ${condition.in.values.map((v) => `"${labelOf(condition.in, v)}"`).join(', ')}`;
  if ('contains' in condition) return `${nameOf(condition.contains)} includes "${labelOf(condition.contains, condition.contains.value)}"`;
  const [operator, operand] = Object.entries(condition)[0] as [string, Operand & { value: number }];
  const words: Record<string, string> = { gt: 'more than', gte: 'at least', lt: 'less than', lte: 'at most' };
  return `${nameOf(operand)} is ${words[operator]} ${operand.value}`;
}

/**
 * Conditions of one definition in words, naming its questions and option labels: what the published
 * methodology says, and what the console's readable view of a definition says, from one place.
 */
export function conditionWords(definition: QuestionnaireDefinition): (condition: Condition) => string {
  const questions = new Map(definition.sections.flatMap((s) => s.questions.map((q) => [q.key, q] as const)));
  const triage = new Map(definition.triage.questions.map((q) => [q.key, q] as const));
  const targetOf = (operand: Operand) => ('question' in operand ? questions.get(operand.question) : triage.get(operand.triage));
  const labelOf = (operand: Operand, value: string | number | boolean) =>
    targetOf(operand)?.options?.find((o) => o.value === value)?.label ?? String(value);
  const nameOf = (operand: Operand) => {
    const target = targetOf(operand);
    if ('triage' in operand) return `the council's answer to "${target?.text ?? operand.triage}"`;
    const ref = (target as { ref?: string } | undefined)?.ref;
    return ref ? `the answer to ${ref}` : `the answer to "${target?.text ?? operand.question}"`;
  };
  return (condition) => describeCondition(condition, labelOf, nameOf);
}

export function buildMethodology(definition: QuestionnaireDefinition): Methodology {
  const words = conditionWords(definition);
  const critical = new Set(definition.riskAreas.filter((a) => a.critical).map((a) => a.key));
  const capTier = TIER_NAMES[definition.evidenceRule.fromTier];
  const rubricQuestions = definition.sections.flatMap((section) =>
    section.questions.flatMap((q) => {
      if (q.scoring.method !== 'rubric') return [];
      const labelOf = (value: string) => q.options?.find((o) => o.value === value)?.label ?? value;
      const levels = [...q.scoring.levels].sort((a, b) => b.score - a.score).map((level) => ({ score: level.score, label: level.label ?? null, requires: level.requires.map(labelOf) }));
      return [{ questionKey: q.key, ref: q.ref ?? null, question: q.text, levels }];
    }),
  );

  return {
    questionnaire: { key: definition.key, version: definition.version, title: definition.title },
    scale: definition.scale.map((m) => ({ value: m.value, label: m.label, descriptor: m.descriptor })),
    scoringSteps: [
      'The council answers the triage questions about its use case; the first matching rule below sets the inherent risk tier.',
      'Each visible question is marked 0 (Unacceptable) to 4 (Excellent): from the option chosen, from the number band the answer falls in, or by evaluators against the published descriptors (marked independently, then moderated). Questions that are hidden or answered "not applicable" are left out; a required question left unanswered scores 0.',
      // Only where a question uses one, so the methodology of a questionnaire without rubrics reads as before.
      ...(rubricQuestions.length > 0
        ? ['Some multiple-choice questions are marked by a rubric (listed below) rather than by adding up the options ticked: the answer gets the mark of the highest level whose required options were all chosen, and 0 if it meets none, so ticking more boxes earns nothing by itself.']
        : []),
      `From the ${capTier} tier up, a question that asks for evidence scores at most ${definition.evidenceRule.capWithoutEvidence} without it, unless the question sets its own cap.`,
      'A section score (0–100) is the weighted mean of its question marks divided by 4, times 100. Sections that are hidden share their weight among the visible ones in proportion.',
      'The overall score (0–100) is the weighted sum of section scores using the weights for the procurement’s tier (published below; the council may set its own before inviting bids). It is computed from the unrounded section scores and rounded once, to one decimal; section scores are shown to one decimal, so the shown parts can differ from the total by 0.1, and the working says so when they do.',
      'Each section’s residual risk is read from its score and the tier in the table below; so is the overall score, and that residual risk gives the overall rating: low "acceptable", medium "acceptable with conditions", high "significant concerns", very high "not acceptable". At the high and very high tiers the best rating is therefore "acceptable with conditions".',
      'The overall rating is never better than the worst critical section. A gateway passed on conditions (an action by a due date, decided by the moderator) limits it to "acceptable with conditions"; any failed gateway makes it "not acceptable", whatever the score.',
      'Some answers to a gateway question are decided by a person, not a rule (listed with each gateway below): the moderator decides pass, fail or conditional and records why. Until then the evaluation is provisional, the response is not ranked and it cannot be awarded.',
      'Each response has a numbered register of conditions, raised by its evaluation: every gateway passed on conditions, every answer that takes an exception to the council’s terms, every answer capped for missing evidence, every critical section with medium or high residual risk, and a medium overall residual risk when no critical section raised one. A rating of "acceptable with conditions" always lists its conditions; the council records each one’s owner, due date and whether it was met or waived (with a reason).',
      'A question marked by evaluators counts once the moderator has recorded the consensus mark; until then the evaluation is provisional and the question is left out. The moderator may override an automatic mark, with a written rationale that is shown.',
    ],
    tiers: [
      ...definition.triage.tierRules.map((rule) => ({ tier: rule.tier, rule: `${rule.reason} (when ${words(rule.when)})` })),
      { tier: definition.triage.defaultTier, rule: 'Otherwise.' },
    ],
    sections: definition.sections.map((section) => ({
      key: section.key,
      ref: section.ref ?? null,
      title: section.title,
      critical: critical.has(section.riskArea),
      condition: section.showIf ? `Only when ${words(section.showIf)}.` : null,
      weights: Object.fromEntries(RISK_TIERS.map((tier) => [tier, definition.weights[tier][section.key] ?? 0])) as Record<RiskTier, number>,
      questionCount: section.questions.length,
    })),
    gateways: definition.sections.flatMap((section) =>
      section.questions
        .filter((q) => q.gateway)
        .map((q) => ({
          questionKey: q.key,
          ref: q.ref ?? null,
          sectionKey: section.key,
          question: q.text,
          passes: `Passes when ${words(q.gateway!.pass)}.`,
          decidedByPanel: (q.options ?? []).filter((o) => o.gatewayOutcome === 'review').map((o) => ({ answer: o.label, usualOutcome: o.usualOutcome ?? null })),
          appliesFrom: q.gateway!.minTier ?? ('all' as const),
          failureMessage: q.gateway!.failureMessage,
        })),
    ),
    evidenceRule: `From the ${capTier} tier up, an answer to a question that asks for evidence scores at most ${definition.evidenceRule.capWithoutEvidence} of 4 unless the evidence is attached.`,
    manualQuestions: definition.sections.flatMap((section) =>
      section.questions.flatMap((q) =>
        q.scoring.method === 'manual' ? [{ questionKey: q.key, ref: q.ref ?? null, question: q.text, descriptors: q.scoring.descriptors as Record<'0' | '1' | '2' | '3' | '4', string> }] : [],
      ),
    ),
    informationOnly: definition.sections.flatMap((section) =>
      section.questions.flatMap((q) => (q.scoring.method === 'none' ? [{ questionKey: q.key, ref: q.ref ?? null, question: q.text }] : [])),
    ),
    rubricQuestions,
    changeLog: (definition.changeLog ?? []).map((entry) => ({ version: entry.version, summary: entry.summary, changes: [...entry.changes] })),
    // Bidders should know what is checked, so each rule is published in the same words as any condition.
    consistency: (definition.consistency ?? []).map((rule) => ({ key: rule.key, flaggedWhen: `Flagged for the panel when ${words(rule.when)}.`, message: rule.message })),
    rating: {
      bands: [...SCORE_BANDS],
      residualRisk: Object.fromEntries(RISK_TIERS.map((tier) => [tier, [...PUBLISHED_RESIDUAL_RISK[tier]]])) as Record<RiskTier, string[]>,
      ratingForRisk: { ...PUBLISHED_RATING_FOR_RISK },
    },
  };
}
