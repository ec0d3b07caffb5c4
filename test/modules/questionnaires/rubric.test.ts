import { describe, expect, it } from 'vitest';
import { exportDefinition, validateDefinition, type QuestionnaireDefinition, type QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { buildMethodology } from '../../../src/modules/questionnaires/questionnaires.methodology';
import { methodologySchema } from '../../../src/modules/questionnaires/questionnaires.schemas';
import { definitionHash } from '../../../src/modules/questionnaires/questionnaires.usecases';
import { evaluateResponse } from '../../../src/modules/scoring';
import { smallDefinition } from './fixtures';

/**
 * Rubric scoring of multiple-choice answers and the change log, in the definition format: validated
 * on import like everything else, published in the methodology, and scored by the engine as the
 * highest level whose required options were all chosen.
 */

type Level = { score: number; requires: string[]; label?: string };

const THREATS = [
  { value: 'prompt_injection', label: 'Prompt injection' },
  { value: 'indirect', label: 'Indirect prompt injection' },
  { value: 'jailbreaks', label: 'Jailbreaks' },
  { value: 'poisoning', label: 'Data poisoning' },
  { value: 'none', label: 'None of these' },
  { value: 'not_ai', label: 'The product uses no AI model', notApplicable: true },
];
const LEVELS: Level[] = [
  { score: 1, requires: ['prompt_injection'] },
  { score: 3, requires: ['prompt_injection', 'indirect'], label: 'Both kinds of injection' },
  { score: 4, requires: ['prompt_injection', 'indirect', 'jailbreaks', 'poisoning'] },
];

/** The small questionnaire with a rubric-scored multi_choice question in section B. */
function withRubric({ levels = LEVELS, type = 'multi_choice', options = THREATS, extra = {} }: { levels?: Level[]; type?: string; options?: Array<Record<string, unknown>>; extra?: Record<string, unknown> } = {}): QuestionnaireDefinitionInput {
  const input = structuredClone(smallDefinition()) as unknown as { sections: Array<{ questions: Array<Record<string, unknown>> }> } & Record<string, unknown>;
  input.sections[1]!.questions.push({
    key: 'b.threats',
    ref: 'B.9',
    text: 'Which attacks do you test for?',
    guidance: 'Tick only what you test for.',
    type,
    required: true,
    options,
    scoring: { method: 'rubric', levels },
    riskAreas: ['other'],
    sources: ['NCSC'],
  });
  return { ...input, ...extra } as unknown as QuestionnaireDefinitionInput;
}

function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

const problemsOf = (input: unknown) => {
  const result = validateDefinition(input);
  return result.ok ? [] : result.problems;
};

describe('rubric scoring in the definition format', () => {
  it('accepts a rubric and exports it back unchanged', () => {
    const definition = parse(withRubric());
    expect(parse(JSON.parse(exportDefinition(definition)))).toEqual(definition);
  });

  it.each([
    ['an option value the question does not have', withRubric({ levels: [{ score: 2, requires: ['prompt_injection', 'typo'] }] }), [{ path: '/sections/1/questions/1/scoring/levels/0/requires/1', message: '"typo" is not an option of this question' }]],
    ['a not-applicable option as a requirement', withRubric({ levels: [{ score: 2, requires: ['not_ai'] }] }), [{ path: '/sections/1/questions/1/scoring/levels/0/requires/0', message: '"not_ai" means not applicable, so a rubric level cannot require it' }]],
    ['two levels with the same score', withRubric({ levels: [{ score: 2, requires: ['prompt_injection'] }, { score: 2, requires: ['indirect'] }] }), [{ path: '/sections/1/questions/1/scoring/levels/1/score', message: 'two rubric levels score 2' }]],
    [
      'a rubric on a single-choice question',
      withRubric({ type: 'single_choice' }),
      [{ path: '/sections/1/questions/1/scoring', message: 'a rubric needs a multi_choice question; this one is single_choice' }],
    ],
    [
      'option scores beside a rubric',
      withRubric({ options: THREATS.map((o) => (o.notApplicable ? o : { ...o, score: 1 })) }),
      ['prompt_injection', 'indirect', 'jailbreaks', 'poisoning', 'none'].map((value, i) => ({ path: `/sections/1/questions/1/options/${i}/score`, message: `option "${value}" has a score, but the question is scored by rubric` })),
    ],
  ])('reports %s, with its path', (_name, input, problems) => {
    expect(problemsOf(input)).toEqual(problems);
  });

  it('refuses a rubric with no levels, or a level that requires nothing or scores off the scale', () => {
    expect(problemsOf(withRubric({ levels: [] })).map((p) => p.path)).toEqual(['/sections/1/questions/1/scoring/levels']);
    expect(problemsOf(withRubric({ levels: [{ score: 2, requires: [] }] })).map((p) => p.path)).toEqual(['/sections/1/questions/1/scoring/levels/0/requires']);
    expect(problemsOf(withRubric({ levels: [{ score: 5, requires: ['indirect'] }] })).map((p) => p.path)).toEqual(['/sections/1/questions/1/scoring/levels/0/score']);
  });

  it('publishes each rubric in the methodology, best level first with option labels, and says how rubrics work', () => {
    const methodology = buildMethodology(parse(withRubric()));
    expect(methodologySchema.parse(methodology).rubricQuestions).toEqual([
      {
        questionKey: 'b.threats',
        ref: 'B.9',
        question: 'Which attacks do you test for?',
        levels: [
          { score: 4, label: null, requires: ['Prompt injection', 'Indirect prompt injection', 'Jailbreaks', 'Data poisoning'] },
          { score: 3, label: 'Both kinds of injection', requires: ['Prompt injection', 'Indirect prompt injection'] },
          { score: 1, label: null, requires: ['Prompt injection'] },
        ],
      },
    ]);
    expect(methodology.scoringSteps.filter((s) => s.includes('marked by a rubric'))).toHaveLength(1);
    expect(buildMethodology(parse(smallDefinition())).scoringSteps.some((s) => s.includes('rubric'))).toBe(false);
  });
});

describe('the engine scores a rubric as the highest level met', () => {
  const definition = parse(withRubric());
  const scored = (value: unknown) =>
    evaluateResponse({
      definition,
      definitionHash: definitionHash(definition),
      riskTier: 'low',
      weights: definition.weights.low,
      triage: { 'triage.personal_data': 'yes', 'triage.people': 10 },
      answers: { 'b.threats': value as never },
      evidence: {},
      marks: {},
      gatewayDecisions: {},
    }).questions.find((q) => q.key === 'b.threats')!;

  it.each([
    ['every required option of the top level', ['poisoning', 'jailbreaks', 'indirect', 'prompt_injection'], 4],
    ['a middle level, whatever else is ticked', ['prompt_injection', 'indirect', 'poisoning'], 3],
    ['the lowest level', ['prompt_injection'], 1],
    ['many boxes but no level met', ['indirect', 'jailbreaks', 'poisoning'], 0],
    ['"none of these"', ['none'], 0],
    ['a level met, with a not-applicable option ignored beside it', ['prompt_injection', 'not_ai'], 1],
  ])('%s', (_name, chosen, score) => {
    expect(scored(chosen)).toMatchObject({ status: 'scored', score });
  });

  it('explains the level met and what the next level would need', () => {
    const { working } = scored(['prompt_injection', 'indirect', 'poisoning']);
    expect(working).toContain("Answers 'Prompt injection', 'Indirect prompt injection', 'Data poisoning': the highest rubric level met, 'Both kinds of injection', needs 'Prompt injection', 'Indirect prompt injection': 3 of 4.");
    expect(working).toContain("4 of 4 would also need 'Jailbreaks'.");
  });

  it('leaves out an answer that is only not applicable, and treats unknown values as unanswered', () => {
    expect(scored(['not_ai'])).toMatchObject({ status: 'not_applicable', score: null });
    expect(scored(['made_up'])).toMatchObject({ status: 'unanswered', score: 0 });
    expect(scored(['prompt_injection', 'made_up']).working).toContain("'made_up' is not an option of this question and is ignored.");
  });
});

describe('the change log in the definition format', () => {
  const withLog = (changeLog: unknown[]) => ({ ...smallDefinition({ version: '1.2.0' }), changeLog });

  it('accepts entries up to the definition’s own version, exports them, and publishes them in the methodology', () => {
    const log = [
      { version: '1.2.0', summary: 'Adds a question.', changes: ['B.9 asks which attacks are tested.'] },
      { version: '1.0.0', summary: 'First version.', changes: ['Published.'] },
    ];
    const definition = parse(withLog(log));
    expect(definition.changeLog).toEqual(log);
    expect(parse(JSON.parse(exportDefinition(definition)))).toEqual(definition);
    expect(buildMethodology(definition).changeLog).toEqual(log);
    expect(buildMethodology(parse(smallDefinition())).changeLog).toEqual([]);
  });

  it.each([
    ['a version later than the definition’s', [{ version: '2.0.0', summary: 'Later.', changes: ['x'] }], [{ path: '/changeLog/0/version', message: "the change log names version 2.0.0, later than this definition's version 1.2.0" }]],
    [
      'the same version twice',
      [
        { version: '1.1.0', summary: 'One.', changes: ['x'] },
        { version: '1.1.0', summary: 'Two.', changes: ['y'] },
      ],
      [{ path: '/changeLog/1/version', message: 'the change log has two entries for version 1.1.0' }],
    ],
  ])('reports %s', (_name, log, problems) => {
    expect(problemsOf(withLog(log))).toEqual(problems);
  });

  it('refuses an entry with no changes, a version that is not semantic, or an unknown field', () => {
    expect(problemsOf(withLog([{ version: '1.0.0', summary: 'S.', changes: [] }])).map((p) => p.path)).toEqual(['/changeLog/0/changes']);
    expect(problemsOf(withLog([{ version: 'one', summary: 'S.', changes: ['x'] }])).map((p) => p.path)).toEqual(['/changeLog/0/version']);
    expect(problemsOf(withLog([{ version: '1.0.0', summary: 'S.', changes: ['x'], author: 'me' }])).map((p) => p.path)).toEqual(['/changeLog/0']);
  });
});
