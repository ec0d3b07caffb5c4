import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { smallDefinition } from './fixtures';

export const RESIDENCY_MESSAGE = 'Data is said to stay in the UK or EEA, but the transfer mechanism given is the UK–US data bridge.';

/**
 * The small questionnaire with a data-location section: where data is kept (3.1) and the transfer
 * mechanism (3.2), a completion date (3.3), an expiry date (3.4), an evidence file (3.5) and a date
 * that says nothing of what it is (3.6); and two consistency rules, one of them over a follow-up
 * that is shown only for the opt-in answer.
 */
export function integrityDefinition(overrides: Partial<QuestionnaireDefinitionInput> = {}): QuestionnaireDefinitionInput {
  const base = smallDefinition();
  const weights = { a: 50, b: 30, c: 20 };
  const dateQuestion = (key: string, ref: string, text: string, of?: 'completion' | 'expiry') => ({
    key,
    ref,
    text,
    guidance: 'Give the date.',
    type: 'date' as const,
    required: false,
    ...(of ? { date: { of } } : {}),
    scoring: { method: 'none' as const },
    riskAreas: ['other'],
    sources: ['LGA' as const],
  });
  return {
    ...base,
    key: 'integrity-test',
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    sections: [
      ...base.sections,
      {
        key: 'c',
        ref: '3',
        title: 'Data location and assurance',
        riskArea: 'other',
        questions: [
          {
            key: 'c.residency',
            ref: '3.1',
            text: 'Where is council data stored and processed?',
            guidance: 'Say where.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'uk_eea', label: 'Only in the UK or EEA', score: 4 },
              { value: 'elsewhere', label: 'Also outside the UK or EEA', score: 1 },
            ],
            scoring: { method: 'options' },
            riskAreas: ['other'],
            sources: ['UKGDPR'],
          },
          {
            key: 'c.transfer',
            ref: '3.2',
            text: 'What transfer mechanism covers data leaving the UK?',
            guidance: 'Name it.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'none', label: 'No transfers', score: 4 },
              { value: 'idta', label: 'International data transfer agreement', score: 3 },
              { value: 'data_bridge', label: 'UK–US data bridge', score: 2 },
            ],
            scoring: { method: 'options' },
            riskAreas: ['other'],
            sources: ['UKGDPR'],
          },
          dateQuestion('c.audit_date', '3.3', 'When was the independent audit finished?', 'completion'),
          dateQuestion('c.cert_expiry', '3.4', 'When does your certificate expire?', 'expiry'),
          {
            key: 'c.policy',
            ref: '3.5',
            text: 'Upload your data protection policy.',
            guidance: 'The current version.',
            type: 'file',
            required: false,
            scoring: { method: 'none' },
            evidence: { requested: true },
            riskAreas: ['other'],
            sources: ['LGA'],
          },
          dateQuestion('c.plain_date', '3.6', 'When did you start trading?'),
        ],
      },
    ],
    consistency: [
      {
        key: 'residency_vs_transfer',
        when: { all: [{ equals: { question: 'c.residency', value: 'uk_eea' } }, { equals: { question: 'c.transfer', value: 'data_bridge' } }] },
        message: RESIDENCY_MESSAGE,
      },
      {
        // a.training_detail is shown only for "Only with opt-in": an answer left behind must not count.
        key: 'default_training_explained',
        when: { all: [{ equals: { question: 'a.training', value: 'default' } }, { answered: { question: 'a.training_detail' } }] },
        message: 'Training by default is chosen, yet the opt-in is explained.',
      },
    ],
    ...overrides,
  } as QuestionnaireDefinitionInput;
}
