import type { QuestionnaireDefinition, RiskTier } from '../questionnaires';

export const PROCUREMENT_STATUSES = ['draft', 'open', 'closed', 'evaluating', 'decided', 'cancelled'] as const;
export type ProcurementStatus = (typeof PROCUREMENT_STATUSES)[number];

export const TRANSITIONS = {
  open: { from: ['draft'], to: 'open' },
  close: { from: ['open'], to: 'closed' },
  'start-evaluation': { from: ['closed'], to: 'evaluating' },
  // Evaluation (scores, moderation) adds its own checks before a decision can be recorded.
  decide: { from: ['evaluating'], to: 'decided' },
  cancel: { from: ['draft', 'open', 'closed', 'evaluating'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly ProcurementStatus[]; to: ProcurementStatus }>;
export type TransitionName = keyof typeof TRANSITIONS;

/** The status a procurement moves to, or null when the move is not allowed from where it is. */
export function nextStatus(current: ProcurementStatus, transition: TransitionName): ProcurementStatus | null {
  const rule = TRANSITIONS[transition];
  return (rule.from as readonly ProcurementStatus[]).includes(current) ? rule.to : null;
}

export type TriageValue = string | number | string[];
export type Problem = { path: string; message: string };

/** Checks the council's triage answers against the questionnaire's triage questions. */
export function checkTriage({ definition, triage }: { definition: QuestionnaireDefinition; triage: Record<string, unknown> }): Problem[] {
  const problems: Problem[] = [];
  const questions = new Map(definition.triage.questions.map((q) => [q.key, q]));
  for (const [key, value] of Object.entries(triage)) {
    const path = `/body/triage/${key}`;
    const question = questions.get(key);
    if (!question) {
      problems.push({ path, message: `"${key}" is not a triage question of this questionnaire` });
      continue;
    }
    const options = new Set((question.options ?? []).map((o) => o.value));
    if (question.type === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value)) problems.push({ path, message: 'must be a number' });
      else if (question.limits?.min !== undefined && value < question.limits.min) problems.push({ path, message: `must be at least ${question.limits.min}` });
      else if (question.limits?.max !== undefined && value > question.limits.max) problems.push({ path, message: `must be at most ${question.limits.max}` });
    } else if (question.type === 'multi_choice') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !options.has(v))) problems.push({ path, message: `must be a list of: ${[...options].join(', ')}` });
    } else if (typeof value !== 'string' || !options.has(value)) {
      problems.push({ path, message: `must be one of: ${[...options].join(', ')}` });
    }
  }
  return problems;
}

/** Required triage questions the council has not answered yet (a procurement cannot open without them). */
export function missingTriage({ definition, triage }: { definition: QuestionnaireDefinition; triage: Record<string, unknown> }): string[] {
  return definition.triage.questions.filter((q) => q.required && triage[q.key] === undefined).map((q) => q.key);
}

/** Section weights must name every section exactly once and add up to 100. */
export function checkWeights({ definition, weights }: { definition: QuestionnaireDefinition; weights: Record<string, number> }): Problem[] {
  const problems: Problem[] = [];
  const sections = new Set(definition.sections.map((s) => s.key));
  for (const key of sections) if (!(key in weights)) problems.push({ path: '/body/weights', message: `no weight for section "${key}"` });
  for (const key of Object.keys(weights)) if (!sections.has(key)) problems.push({ path: `/body/weights/${key}`, message: `"${key}" is not a section of this questionnaire` });
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 100) > 1e-9) problems.push({ path: '/body/weights', message: `the weights add up to ${sum}, not 100` });
  return problems;
}

export function defaultWeights(definition: QuestionnaireDefinition, tier: RiskTier): Record<string, number> {
  return { ...definition.weights[tier] };
}
