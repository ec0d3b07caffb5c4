import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';

const scale = ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label} answer.` }));
const weights = { a: 60, b: 40 };

/** A small valid questionnaire: two sections, a gateway, a follow-up and a triage-driven section. */
export function smallDefinition(overrides: Partial<QuestionnaireDefinitionInput> = {}): QuestionnaireDefinitionInput {
  return {
    key: 'small-test',
    version: '1.0.0',
    title: 'Small test questionnaire',
    description: 'For tests.',
    scale,
    riskAreas: [
      { key: 'data', title: 'Data', critical: true },
      { key: 'other', title: 'Other', critical: false },
    ],
    triage: {
      questions: [
        { key: 'triage.personal_data', text: 'Personal data?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
        { key: 'triage.people', text: 'How many people?', type: 'number' },
      ],
      tierRules: [
        { tier: 'high', when: { equals: { triage: 'triage.personal_data', value: 'yes' } }, reason: 'Personal data.' },
        { tier: 'medium', when: { gte: { triage: 'triage.people', value: 1000 } }, reason: 'Many people.' },
      ],
      defaultTier: 'low',
    },
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    evidenceRule: { capWithoutEvidence: 2, fromTier: 'high' },
    sections: [
      {
        key: 'a',
        title: 'Section A',
        riskArea: 'data',
        questions: [
          {
            key: 'a.training',
            text: 'Do you train on our data?',
            guidance: 'Say never.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'never', label: 'Never', score: 4 },
              { value: 'opt_in', label: 'Only with opt-in', score: 3 },
              { value: 'default', label: 'By default', score: 0 },
            ],
            scoring: { method: 'options' },
            gateway: { pass: { in: { question: 'a.training', values: ['never', 'opt_in'] } }, failureMessage: 'Training on council data by default is not acceptable.' },
            riskAreas: ['data'],
            sources: ['LGA'],
          },
          {
            key: 'a.training_detail',
            text: 'Explain the opt-in.',
            guidance: 'How the council opts in.',
            type: 'long_text',
            required: true,
            limits: { maxLength: 5000 },
            scoring: { method: 'manual', descriptors: { 0: 'None.', 1: 'Vague.', 2: 'Some.', 3: 'Clear.', 4: 'Excellent.' } },
            showIf: { equals: { question: 'a.training', value: 'opt_in' } },
            riskAreas: ['data'],
            sources: ['ICO-AI'],
          },
        ],
      },
      {
        key: 'b',
        title: 'Section B',
        riskArea: 'other',
        showIf: { equals: { triage: 'triage.personal_data', value: 'yes' } },
        questions: [
          {
            key: 'b.hours',
            text: 'Incident notification hours?',
            guidance: 'Within 24 hours is best.',
            type: 'number',
            required: true,
            limits: { min: 0, max: 1000 },
            scoring: { method: 'bands', bands: [{ max: 24, score: 4 }, { min: 24, max: 72, score: 2 }, { min: 72, score: 0 }] },
            riskAreas: ['other'],
            sources: ['NCSC'],
          },
        ],
      },
    ],
    ...overrides,
  } as QuestionnaireDefinitionInput;
}

/**
 * The small questionnaire with evidence: `b.hours` must come with a file (mandatory evidence), and
 * `b.policy` is a required file question. Both are in section b, shown when personal data is used.
 */
export function evidenceDefinition(): QuestionnaireDefinitionInput {
  const definition = smallDefinition();
  const sectionB = definition.sections[1]!;
  return {
    ...definition,
    key: 'evidence-test',
    sections: [
      definition.sections[0]!,
      {
        ...sectionB,
        questions: [
          { ...sectionB.questions[0]!, evidence: { requested: true, mandatory: true, description: 'Your incident response plan.' } },
          {
            key: 'b.policy',
            text: 'Upload your AI use policy.',
            guidance: 'The current version.',
            type: 'file',
            required: true,
            scoring: { method: 'none' },
            evidence: { requested: true, mandatory: true, description: 'The policy document.' },
            riskAreas: ['other'],
            sources: ['LGA'],
          },
        ],
      },
    ],
  } as QuestionnaireDefinitionInput;
}
