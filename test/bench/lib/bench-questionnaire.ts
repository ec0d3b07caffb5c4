import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';

/** The triage every bench procurement answers: personal data, so the high tier. */
export const BENCH_TRIAGE = { 'triage.personal_data': 'yes' } as const;

/**
 * What every bench questionnaire shares: the 0–4 scale, a one-question triage (personal data
 * makes the tier high), the same section weights at every tier, and the evidence rule. Each
 * scenario supplies its own sections and risk areas.
 */
export function benchQuestionnaire({
  key,
  title,
  description,
  riskAreas,
  weights,
  sections,
}: {
  key: string;
  title: string;
  description: string;
  riskAreas: Array<{ key: string; title: string; critical: boolean }>;
  weights: Record<string, number>;
  sections: unknown[];
}): QuestionnaireDefinitionInput {
  return {
    key,
    version: '1.0.0',
    title,
    description,
    scale: ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label} answer.` })),
    riskAreas,
    triage: {
      questions: [{ key: 'triage.personal_data', text: 'Does the system process personal data?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }],
      tierRules: [{ tier: 'high', when: { equals: { triage: 'triage.personal_data', value: 'yes' } }, reason: 'Personal data.' }],
      defaultTier: 'low',
    },
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    evidenceRule: { capWithoutEvidence: 2, fromTier: 'high' },
    sections,
  } as QuestionnaireDefinitionInput;
}
