import type { Answers, QuestionnaireDefinition } from '../questionnaires';
import { RISK_WORDS, TIER_WORDS, type Evaluation } from './scoring.models';

/**
 * The conditions register of one response: what must be true before, or soon after, a contract is
 * signed with this supplier. Pure. Each condition is derived from the evaluation, so it appears
 * and disappears with the facts that raise it; what people record about it (owner, due date,
 * status) is kept separately against its stable id and laid over it here.
 *
 * Raised by, in this order (the order gives the numbers):
 * 1. a gateway the moderator passed on conditions (its action, owner and due date);
 * 2. an answer that takes an exception to the council's terms (an option marked `exception`);
 * 3. an answer whose score the evidence cap lowered (the evidence is still owed);
 * 4. a critical section whose residual risk is medium or high;
 * 5. an overall residual risk of medium, when no critical section raised one (the same risk, said once).
 * At the high and very high tiers even a perfect section carries medium residual risk (§7.4), so
 * its controls are always a condition there.
 * So a rating of "acceptable with conditions" always lists at least one condition.
 */

export const CONDITION_SOURCES = ['gateway', 'exception', 'evidence', 'residual_risk', 'overall_risk'] as const;
export type ConditionSource = (typeof CONDITION_SOURCES)[number];
export const CONDITION_STATUSES = ['open', 'met', 'waived'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** A condition as the evaluation raises it. */
export type DerivedCondition = {
  /** Stable for the same response and finding: `gateway:<question>`, `exception:<question>`, `evidence:<question>`, `residual_risk:<section>`, `overall_risk`. */
  id: string;
  source: ConditionSource;
  /** The question's or section's reference (e.g. "6.8", "3"), when it has one. */
  ref: string | null;
  questionKey: string | null;
  sectionKey: string | null;
  text: string;
  owner: string | null;
  dueDate: string | null;
};

/** What people recorded about a condition. */
export type ConditionState = {
  conditionId: string;
  owner: string | null;
  dueDate: string | null;
  status: ConditionStatus;
  reason: string | null;
  updatedBy: string;
  updatedAt: Date;
  version: number;
};

export type Condition = DerivedCondition & {
  number: number;
  status: ConditionStatus;
  /** Why it was waived, or how it was met. */
  reason: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  /** 0 until anyone records anything about it; send it back to change it. */
  version: number;
};

type Input = {
  definition: QuestionnaireDefinition;
  /** The answers the evaluation scored. */
  answers: Answers;
  evaluation: Pick<Evaluation, 'gateways' | 'questions' | 'sections' | 'overallResidualRisk' | 'overallScore' | 'riskTier'>;
  /** Owners of conditional gateways, by question key (kept in the gateway decision, not the engine). */
  gatewayOwners?: Readonly<Record<string, string>>;
};

const labelOf = (ref: string | null, text: string) => (ref ? `${ref} ${text}` : text);

/** The conditions the evaluation raises, in register order. */
export function deriveConditions({ definition, answers, evaluation, gatewayOwners = {} }: Input): DerivedCondition[] {
  const questions = new Map(definition.sections.flatMap((section) => section.questions.map((question) => [question.key, question] as const)));
  const shown = new Map(evaluation.questions.map((q) => [q.key, q]));
  const questionText = (key: string) => questions.get(key)?.text ?? key;
  const conditions: DerivedCondition[] = [];
  const question = (source: ConditionSource, key: string, text: string, extra: Partial<DerivedCondition> = {}) =>
    conditions.push({ id: `${source}:${key}`, source, ref: shown.get(key)?.ref ?? null, questionKey: key, sectionKey: shown.get(key)?.section ?? null, text, owner: null, dueDate: null, ...extra });

  for (const gateway of evaluation.gateways) {
    if (gateway.outcome !== 'conditional') continue;
    const action = gateway.action ?? gateway.reason;
    question('gateway', gateway.questionKey, `${action} (gateway ${labelOf(gateway.ref, questionText(gateway.questionKey))})`, {
      owner: Object.hasOwn(gatewayOwners, gateway.questionKey) ? gatewayOwners[gateway.questionKey]! : null,
      dueDate: gateway.dueDate ?? null,
    });
  }
  for (const [key, q] of questions) {
    if (!shown.get(key) || shown.get(key)!.status === 'hidden') continue;
    const value = Object.hasOwn(answers, key) ? answers[key] : undefined;
    // The option chosen is never quoted: the answer may be confidential, and the register is published to the scores feed.
    const excepted = (q.options ?? []).some((o) => o.exception && (Array.isArray(value) ? value.includes(o.value) : value === o.value));
    if (excepted) question('exception', key, `Agree or withdraw the supplier’s exception to the council’s terms before contract, at ${labelOf(shown.get(key)!.ref, q.text)}`);
  }
  for (const q of evaluation.questions) {
    if (!q.capped) continue;
    question('evidence', q.key, `The supplier provides the evidence asked for at ${labelOf(q.ref, questionText(q.key))} (scored ${q.score} of 4 without it)`);
  }
  for (const section of evaluation.sections) {
    if (!section.visible || !section.critical || (section.residualRisk !== 'medium' && section.residualRisk !== 'high')) continue;
    conditions.push({
      id: `residual_risk:${section.key}`,
      source: 'residual_risk',
      ref: section.ref,
      questionKey: null,
      sectionKey: section.key,
      text: `Agree the controls and monitoring that manage the ${RISK_WORDS[section.residualRisk]} residual risk in section ${labelOf(section.ref, section.title)} (score ${section.score?.toFixed(1)} at the ${TIER_WORDS[evaluation.riskTier]} tier)`,
      owner: null,
      dueDate: null,
    });
  }
  // Only when no critical section raised one already: the same risk, said once.
  if (evaluation.overallResidualRisk === 'medium' && !conditions.some((c) => c.source === 'residual_risk')) {
    conditions.push({
      id: 'overall_risk',
      source: 'overall_risk',
      ref: null,
      questionKey: null,
      sectionKey: null,
      text: `Agree the controls and monitoring that manage the medium overall residual risk (score ${evaluation.overallScore?.toFixed(1)} at the ${TIER_WORDS[evaluation.riskTier]} tier)`,
      owner: null,
      dueDate: null,
    });
  }
  return conditions;
}

/** The register: derived conditions, numbered, with what people recorded laid over them. States of conditions that no longer arise are kept but not listed. */
export function conditionsRegister({ derived, states }: { derived: DerivedCondition[]; states: readonly ConditionState[] }): Condition[] {
  const byId = new Map(states.map((s) => [s.conditionId, s]));
  return derived.map((condition, index) => {
    const state = byId.get(condition.id);
    return {
      ...condition,
      number: index + 1,
      owner: state?.owner ?? condition.owner,
      dueDate: state?.dueDate ?? condition.dueDate,
      status: state?.status ?? 'open',
      reason: state?.reason ?? null,
      updatedBy: state?.updatedBy ?? null,
      updatedAt: state?.updatedAt.toISOString() ?? null,
      version: state?.version ?? 0,
    };
  });
}

/** Who owns each conditional gateway's action, by question key: kept in the gateway decision, not the engine's input. */
export function gatewayOwnersOf(decisions: ReadonlyArray<{ questionKey: string; outcome: string; owner: string | null }>): Record<string, string> {
  return Object.fromEntries(decisions.filter((d) => d.outcome === 'conditional' && d.owner).map((d) => [d.questionKey, d.owner!]));
}

/** One response's register from its evaluation, its gateway decisions and what people recorded: the one place the two are put together. */
export function registerOf({
  definition,
  answers,
  evaluation,
  decisions,
  states,
}: Omit<Input, 'gatewayOwners'> & { decisions: Parameters<typeof gatewayOwnersOf>[0]; states: readonly ConditionState[] }): Condition[] {
  return conditionsRegister({ derived: deriveConditions({ definition, answers, evaluation, gatewayOwners: gatewayOwnersOf(decisions) }), states });
}
