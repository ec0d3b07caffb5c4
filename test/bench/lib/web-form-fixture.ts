// Scenario S5's data: a questionnaire with one section of exactly 10 questions of mixed types
// (2 yes/no, 2 single choice with 4 options, 1 multi choice, 2 long text with a maximum length,
// 1 number scored by bands, 1 date, 1 short text; 3 of them ask for evidence), and the answers a
// supplier has saved to half of them, so the section page shows filled fields. Also the labels the
// page must show, to check the page before it is measured.
import type { QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { BENCH_TRIAGE, benchQuestionnaire } from './bench-questionnaire';

export const WEB_SECTION_KEY = 'form';
export const WEB_TRIAGE = BENCH_TRIAGE;

const YES_NO = (good: 'yes' | 'no') => [
  { value: 'yes', label: 'Yes', score: good === 'yes' ? 4 : 0 },
  { value: 'no', label: 'No', score: good === 'no' ? 4 : 0 },
];
const PRACTICE = [
  { value: 'always', label: 'Always', score: 4 },
  { value: 'usually', label: 'Usually', score: 3 },
  { value: 'sometimes', label: 'Sometimes', score: 1 },
  { value: 'never', label: 'Never', score: 0 },
];
const MATURITY = [
  { value: 'certified', label: 'Independently certified', score: 4 },
  { value: 'documented', label: 'Documented, not certified', score: 2 },
  { value: 'informal', label: 'Informal, not written down', score: 1 },
  { value: 'none', label: 'No process', score: 0 },
];
const SAFEGUARDS = [
  { value: 'human_review', label: 'Human review of every decision', score: 2 },
  { value: 'bias_testing', label: 'Bias testing before each release', score: 2 },
  { value: 'audit_log', label: 'An audit log of every output', score: 1 },
  { value: 'red_team', label: 'Independent red-team exercises', score: 1 },
  { value: 'kill_switch', label: 'A way to switch the model off at once', score: 1 },
];
const HOURS_BANDS = [
  { max: 24, score: 4, label: 'Within a day' },
  { min: 24, max: 72, score: 2 },
  { min: 72, score: 0, label: 'More than three days' },
];
const DESCRIPTORS = { 0: 'No answer of substance.', 1: 'Vague.', 2: 'Partly answers.', 3: 'Clear and specific.', 4: 'Clear, specific and evidenced.' };
const EVIDENCE = { requested: true, mandatory: false, description: 'A policy or report that shows it.' };

/** The 10 questions, in page order. Plain text only (no characters HTML escapes), so a label is found in the page as written. */
const QUESTIONS = [
  { key: 'form.q01', type: 'yes_no', text: 'Do you process council data only in the UK?', options: YES_NO('yes'), scoring: { method: 'options' }, evidence: EVIDENCE },
  { key: 'form.q02', type: 'yes_no', text: 'Has the model been trained on any council data?', options: YES_NO('no'), scoring: { method: 'options' } },
  { key: 'form.q03', type: 'single_choice', text: 'How often do you test the model for bias?', options: PRACTICE, scoring: { method: 'options' } },
  { key: 'form.q04', type: 'single_choice', text: 'How mature is your incident response process?', options: MATURITY, scoring: { method: 'options' }, evidence: EVIDENCE },
  { key: 'form.q05', type: 'multi_choice', text: 'Which safeguards does your service have?', options: SAFEGUARDS, scoring: { method: 'options', aggregate: 'sum_capped' } },
  { key: 'form.q06', type: 'long_text', text: 'Describe how you explain automated decisions to residents.', limits: { maxLength: 5000 }, scoring: { method: 'manual', descriptors: DESCRIPTORS } },
  { key: 'form.q07', type: 'long_text', text: 'Describe how a council officer can override the model.', limits: { maxLength: 3000 }, scoring: { method: 'manual', descriptors: DESCRIPTORS } },
  { key: 'form.q08', type: 'number', text: 'Within how many hours do you report a data incident?', limits: { min: 0, max: 1000, integer: true, unit: 'hours' }, scoring: { method: 'bands', bands: HOURS_BANDS }, evidence: EVIDENCE },
  { key: 'form.q09', type: 'date', text: 'When was your last independent security test?', scoring: { method: 'none' } },
  { key: 'form.q10', type: 'short_text', text: 'What is the name of your data protection officer?', limits: { maxLength: 200 }, scoring: { method: 'none' } },
] as const;

export const WEB_QUESTIONS = QUESTIONS.length;

export function webFormDefinitionInput(): QuestionnaireDefinitionInput {
  const weights = { [WEB_SECTION_KEY]: 100 };
  return benchQuestionnaire({
    key: 'bench-s5-web-form',
    title: 'Bench S5: one section of 10 questions',
    description: 'Made by test/bench/lib/web-form-fixture.ts.',
    riskAreas: [{ key: 'governance', title: 'Governance', critical: false }],
    weights,
    sections: [
      {
        key: WEB_SECTION_KEY,
        ref: '1',
        title: 'Data and governance',
        description: 'How your service handles council data and the decisions it supports.',
        riskArea: 'governance',
        questions: QUESTIONS.map((q, i) => ({
          ...q,
          ref: `1.${i + 1}`,
          guidance: 'Answer as you would for a real council.',
          required: true,
          riskAreas: ['governance'],
          sources: ['LGA'],
        })),
      },
    ],
  });
}

/** What the section page shows as each question's label or legend: "ref text" (all are required). */
export const webQuestionLabels = (): string[] => QUESTIONS.map((q, i) => `1.${i + 1} ${q.text}`);

const PROSE =
  'Every decision the model supports is explained to the resident in plain English, with the main factors that led to it and how to ask for a person to look at it again. ' +
  'Officers see the same explanation, and can add their own notes before the letter goes out. ';

/** The supplier's saved answers: 5 of the 10 (a yes/no, a single choice, the multi choice, a long text and the number), for the bulk PATCH. */
export function webFormAnswers(): Record<string, { value: unknown }> {
  return {
    'form.q01': { value: 'yes' },
    'form.q03': { value: 'usually' },
    'form.q05': { value: ['human_review', 'audit_log'] },
    'form.q06': { value: PROSE.repeat(6).trim() },
    'form.q08': { value: 36 },
  };
}

/** Strings the page shows only when the saved answers are filled in (the radios, checkboxes, textarea and number as GOV.UK Frontend renders them). */
export function webFilledMarkers(): string[] {
  return ['value="yes" checked', 'value="usually" checked', 'value="human_review" checked', 'value="audit_log" checked', PROSE.slice(0, 80), 'value="36"'];
}
