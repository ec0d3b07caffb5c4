import { validateDefinition, type QuestionnaireDefinition, type QuestionnaireDefinitionInput, type RiskTier } from '../../../src/modules/questionnaires';
import { canonicalJson, sha256Hex } from '../../../src/platform/crypto';
import type { EvaluationInput } from '../../../src/modules/scoring';

export function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(`invalid test definition: ${JSON.stringify(result.problems)}`);
  return result.definition;
}

const scale = ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label} answer.` }));
const descriptors = { 0: 'Nothing.', 1: 'Vague.', 2: 'Some detail.', 3: 'Clear.', 4: 'Clear and evidenced.' };
const yesNo = (yes: number, no: number) => [
  { value: 'yes', label: 'Yes', score: yes },
  { value: 'no', label: 'No', score: no },
];
const weights = { data: 40, security: 30, workforce: 20, contract: 10 };

/**
 * A questionnaire with one of each rule the engine applies: two critical sections (Data protection,
 * Security), a workforce section shown only when the council says staff are managed, gateways (one
 * High+), not-applicable options, bands, manual marks, evidence with and without a question's own
 * cap, an information-only and a file question, an optional gateway, and a follow-up question
 * shown only when AI was used to write the response.
 */
export function scoringDefinitionInput(): QuestionnaireDefinitionInput {
  return {
    key: 'scoring-test',
    version: '1.0.0',
    title: 'Scoring test questionnaire',
    description: 'For scoring tests.',
    scale,
    riskAreas: [
      { key: 'data', title: 'Data protection', critical: true },
      { key: 'security', title: 'Security', critical: true },
      { key: 'other', title: 'Other', critical: false },
    ],
    triage: {
      questions: [
        { key: 'triage.personal', text: 'Personal data?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
        { key: 'triage.staff', text: 'Manages staff?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] },
      ],
      tierRules: [{ tier: 'high', when: { equals: { triage: 'triage.personal', value: 'yes' } }, reason: 'Personal data is used.' }],
      defaultTier: 'low',
    },
    weights: { low: weights, medium: weights, high: weights, very_high: weights },
    evidenceRule: { capWithoutEvidence: 2, fromTier: 'high' },
    sections: [
      {
        key: 'data',
        ref: '1',
        title: 'Data protection',
        riskArea: 'data',
        questions: [
          {
            key: 'data.training',
            ref: '1.1',
            text: 'Will council data be used to train any AI model?',
            guidance: 'Say never.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'never', label: 'Never', score: 4 },
              { value: 'opt_in_only', label: 'Only if the council explicitly agrees in writing (opt-in)', score: 3 },
              { value: 'default_opt_out', label: 'Yes by default, unless the council opts out', score: 1 },
              { value: 'yes', label: 'Yes', score: 0 },
            ],
            scoring: { method: 'options' },
            weight: 2,
            gateway: {
              pass: { in: { question: 'data.training', values: ['never', 'opt_in_only'] } },
              failureMessage: 'Council data must not train models without explicit agreement.',
            },
            riskAreas: ['data'],
            sources: ['ICO-AI'],
          },
          {
            key: 'data.dpia',
            ref: '1.2',
            text: 'Will you give the council what it needs for its DPIA?',
            guidance: 'Data flow map and risk register.',
            type: 'yes_no',
            required: true,
            options: yesNo(4, 0),
            scoring: { method: 'options' },
            evidence: { requested: true, mandatory: false, description: 'Your DPIA.' },
            gateway: { minTier: 'high', pass: { equals: { question: 'data.dpia', value: 'yes' } }, failureMessage: 'A high-risk use needs a DPIA.' },
            riskAreas: ['data'],
            sources: ['DPIA'],
          },
          {
            key: 'data.rights',
            ref: '1.3',
            text: 'How will you help with data subject rights?',
            guidance: 'Give timescales.',
            type: 'long_text',
            required: true,
            scoring: { method: 'manual', descriptors },
            riskAreas: ['data'],
            sources: ['UKGDPR'],
          },
          {
            key: 'data.transfers',
            ref: '1.4',
            text: 'What safeguard covers transfers outside the UK?',
            guidance: 'Choose the weakest.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'no_transfer', label: 'Council personal data stays in the UK', notApplicable: true },
              { value: 'adequacy', label: 'Adequacy regulations', score: 4 },
              { value: 'none', label: 'No safeguard', score: 0 },
            ],
            scoring: { method: 'options' },
            riskAreas: ['data'],
            sources: ['UKGDPR'],
          },
          {
            key: 'data.locations',
            ref: '1.5',
            text: 'Where is council data processed?',
            guidance: 'Tick every location.',
            type: 'multi_choice',
            required: true,
            options: [
              { value: 'uk', label: 'United Kingdom', score: 4 },
              { value: 'us', label: 'United States', score: 2 },
              { value: 'other', label: 'Anywhere else', score: 1 },
            ],
            scoring: { method: 'options', aggregate: 'min' },
            riskAreas: ['data'],
            sources: ['UKGDPR'],
          },
        ],
      },
      {
        key: 'security',
        ref: '2',
        title: 'Security',
        riskArea: 'security',
        questions: [
          {
            key: 'security.hours',
            ref: '2.1',
            text: 'How many hours to notify an incident?',
            guidance: 'Within 24 hours is best.',
            type: 'number',
            required: true,
            limits: { min: 0, max: 1000, unit: 'hours' },
            scoring: {
              method: 'bands',
              bands: [
                { max: 24, score: 4, label: 'Under a day' },
                { min: 24, max: 48, score: 3 },
                { min: 48, max: 72, score: 2 },
                { min: 72, score: 0 },
              ],
            },
            evidence: { requested: true, mandatory: false, description: 'Your incident plan.', capWithoutEvidence: 1 },
            riskAreas: ['security'],
            sources: ['NCSC'],
          },
          {
            key: 'security.cyber_essentials',
            ref: '2.2',
            text: 'Do you hold Cyber Essentials?',
            guidance: 'Plus is best.',
            type: 'single_choice',
            required: true,
            options: [
              { value: 'ce_plus', label: 'Cyber Essentials Plus', score: 4 },
              { value: 'ce', label: 'Cyber Essentials', score: 3 },
              { value: 'none', label: 'Neither', score: 0 },
            ],
            scoring: { method: 'options' },
            gateway: { pass: { in: { question: 'security.cyber_essentials', values: ['ce_plus', 'ce'] } }, failureMessage: 'Cyber Essentials is required.' },
            riskAreas: ['security'],
            sources: ['CE'],
          },
          {
            key: 'security.policy',
            ref: '2.3',
            text: 'Upload your security policy.',
            guidance: 'The current version.',
            type: 'file',
            required: false,
            scoring: { method: 'none' },
            evidence: { requested: true, mandatory: false },
            riskAreas: ['security'],
            sources: ['NCSC'],
          },
          {
            key: 'security.threats',
            ref: '2.4',
            text: 'Describe any AI-specific threats you mitigate.',
            guidance: 'Prompt injection, data poisoning.',
            type: 'long_text',
            required: false,
            scoring: { method: 'manual', descriptors },
            riskAreas: ['security'],
            sources: ['CoP'],
          },
        ],
      },
      {
        key: 'workforce',
        ref: '3',
        title: 'Workforce',
        riskArea: 'other',
        showIf: { equals: { triage: 'triage.staff', value: 'yes' } },
        questions: [
          {
            key: 'workforce.review',
            ref: '3.1',
            text: 'Does a manager review every decision about a worker?',
            guidance: 'Yes is best.',
            type: 'yes_no',
            required: true,
            options: yesNo(4, 0),
            scoring: { method: 'options' },
            riskAreas: ['other'],
            sources: ['WPC'],
          },
        ],
      },
      {
        key: 'contract',
        ref: '4',
        title: 'Contract',
        riskArea: 'other',
        questions: [
          {
            key: 'contract.exit',
            ref: '4.1',
            text: 'Describe your exit arrangements.',
            guidance: 'Data return and deletion.',
            type: 'long_text',
            required: true,
            scoring: { method: 'manual', descriptors },
            riskAreas: ['other'],
            sources: ['LGA'],
          },
          {
            key: 'contract.ai_in_bid',
            ref: '4.2',
            text: 'Did you use AI to write this response?',
            guidance: 'For information only.',
            type: 'yes_no',
            required: true,
            options: [
              { value: 'yes', label: 'Yes' },
              { value: 'no', label: 'No' },
            ],
            scoring: { method: 'none' },
            riskAreas: ['other'],
            sources: ['PPN017'],
          },
          {
            key: 'contract.exclusion',
            ref: '4.3',
            text: 'Does any exclusion ground apply to you?',
            guidance: 'Answer if you know.',
            type: 'yes_no',
            required: false,
            options: [
              { value: 'yes', label: 'Yes' },
              { value: 'no', label: 'No' },
            ],
            scoring: { method: 'none' },
            gateway: { pass: { equals: { question: 'contract.exclusion', value: 'no' } }, failureMessage: 'An exclusion ground applies.' },
            riskAreas: ['other'],
            sources: ['PA23'],
          },
          {
            key: 'contract.ai_in_bid_checked',
            ref: '4.4',
            text: 'Did a person check everything AI wrote in this response?',
            guidance: 'Only asked when AI was used.',
            type: 'yes_no',
            required: true,
            options: yesNo(4, 0),
            scoring: { method: 'options' },
            showIf: { equals: { question: 'contract.ai_in_bid', value: 'yes' } },
            riskAreas: ['other'],
            sources: ['PPN017'],
          },
        ],
      },
    ],
  } as QuestionnaireDefinitionInput;
}

export function scoringDefinition(): QuestionnaireDefinition {
  return parse(scoringDefinitionInput());
}

export function hashOf(definition: QuestionnaireDefinition): string {
  return sha256Hex(canonicalJson(definition));
}

/**
 * A strong response to the scoring questionnaire at the given tier: every answer at its best,
 * evidence attached, every manual question marked 4, the workforce section shown.
 */
export function strongInput({ tier = 'high' as RiskTier, definition = scoringDefinition() } = {}): EvaluationInput {
  return {
    definition,
    definitionHash: hashOf(definition),
    riskTier: tier,
    weights: definition.weights[tier],
    triage: { 'triage.personal': tier === 'high' || tier === 'very_high' ? 'yes' : 'no', 'triage.staff': 'yes' },
    answers: {
      'data.training': 'never',
      'data.dpia': 'yes',
      'data.rights': 'Within 10 working days, with tooling.',
      'data.transfers': 'adequacy',
      'data.locations': ['uk'],
      'security.hours': 12,
      'security.cyber_essentials': 'ce_plus',
      'security.threats': 'We test for prompt injection monthly.',
      'workforce.review': 'yes',
      'contract.exit': 'Full export in open formats within 30 days.',
      'contract.ai_in_bid': 'no',
      'contract.exclusion': 'no',
    },
    evidence: { 'data.dpia': 1, 'security.hours': 2, 'security.policy': 1 },
    marks: {
      'data.rights': { score: 4, rationale: 'Clear timescales and tooling.' },
      'security.threats': { score: 4, rationale: 'Regular testing.' },
      'contract.exit': { score: 4, rationale: 'Open formats and a deadline.' },
    },
    gatewayDecisions: {},
  };
}

/** A copy of an input with some answers, evidence, marks, decisions or triage answers changed; `undefined` removes. */
export function change(
  input: EvaluationInput,
  patch: {
    answers?: Record<string, unknown>;
    evidence?: Record<string, number | undefined>;
    marks?: Record<string, { score: 0 | 1 | 2 | 3 | 4; rationale: string } | undefined>;
    gatewayDecisions?: Record<string, EvaluationInput['gatewayDecisions'][string] | undefined>;
    triage?: Record<string, unknown>;
    riskTier?: RiskTier;
  },
): EvaluationInput {
  const merge = <T>(base: Readonly<Record<string, T>>, extra: Record<string, unknown> | undefined) => {
    const out: Record<string, T> = { ...base };
    for (const [key, value] of Object.entries(extra ?? {})) {
      if (value === undefined) delete out[key];
      else out[key] = value as T;
    }
    return out;
  };
  return {
    ...input,
    riskTier: patch.riskTier ?? input.riskTier,
    answers: merge(input.answers, patch.answers),
    evidence: merge(input.evidence, patch.evidence),
    marks: merge(input.marks, patch.marks),
    gatewayDecisions: merge(input.gatewayDecisions, patch.gatewayDecisions),
    triage: merge(input.triage, patch.triage),
  };
}
