import { describe, expect, it } from 'vitest';
import { validateDefinition, type QuestionnaireDefinition, type QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';
import { buildMethodology } from '../../../src/modules/questionnaires/questionnaires.methodology';
import { actionsFor } from '../../../src/modules/questionnaires/questionnaires.pages';
import {
  breakable,
  definitionView,
  importProblems,
  libraryEmpty,
  libraryFilter,
  libraryQuery,
  methodologyView,
  problemPlace,
  SOURCE_NAMES,
  statusTag,
} from '../../../src/modules/questionnaires/questionnaires.pages.models';
import type { QuestionnaireSummary } from '../../../src/modules/questionnaires/questionnaires.usecases';
import { smallDefinition } from './fixtures';

const parse = (input: QuestionnaireDefinitionInput): QuestionnaireDefinition => {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
};

const viewOf = (definition: QuestionnaireDefinition) => definitionView({ definition, methodology: buildMethodology(definition) });
const rowOf = (rows: Array<{ key: string; lines: string[] }>, key: string) => rows.find((r) => r.key === key)?.lines;

describe('the readable view of a definition', () => {
  const builtIn = parse(lgaResponsibleAi);
  const view = viewOf(builtIn);
  const questions = view.sections.flatMap((s) => s.questions);

  it('numbers every section and question of the built-in bank by its reference', () => {
    expect(view.sections.map((s) => s.title)).toEqual(builtIn.sections.map((s) => s.title));
    expect(questions).toHaveLength(builtIn.sections.reduce((n, s) => n + s.questions.length, 0));
    expect(questions.find((q) => q.key === 'data_protection.training_on_council_data')?.number).toBe('2.2');
  });

  it('lists each option of a choice question with its score and the scale label', () => {
    const training = questions.find((q) => q.key === 'data_protection.training_on_council_data')!;
    expect(training.options).toEqual([
      { label: 'Never', value: 'never', score: '4 (Excellent)' },
      { label: 'Only if the council explicitly agrees in writing (opt-in)', value: 'opt_in_only', score: '3 (Good)' },
      { label: 'Yes by default, unless the council opts out', value: 'default_opt_out', score: '1 (Poor)' },
      { label: 'Yes', value: 'yes', score: '0 (Unacceptable)' },
    ]);
  });

  it('says each gateway’s pass condition in the same words as the published methodology', () => {
    const methodology = buildMethodology(builtIn);
    const gateways = questions.filter((q) => q.gateway);
    expect(gateways.map((q) => q.key)).toEqual(methodology.gateways.map((g) => g.questionKey));
    expect(gateways.length).toBe(view.gatewayCount);
    const training = questions.find((q) => q.key === 'data_protection.training_on_council_data')!;
    expect(rowOf(training.rows, 'Gateway')).toEqual([
      'Passes when the answer to 2.2 is one of "Never", "Only if the council explicitly agrees in writing (opt-in)".',
      'Applies at every tier.',
      expect.stringMatching(/^If it fails: Council data must not be used/),
    ]);
    const highOnly = methodology.gateways.find((g) => g.appliesFrom === 'high')!;
    expect(rowOf(questions.find((q) => q.key === highOnly.questionKey)!.rows, 'Gateway')).toContain('Applies from the High tier up.');
  });

  it('names every source a question cites', () => {
    const training = questions.find((q) => q.key === 'data_protection.training_on_council_data')!;
    expect(rowOf(training.rows, 'Sources')).toEqual(['PPN017, ICO-AI, UKGDPR']);
    expect(rowOf(training.rows, 'Answer')).toEqual(['Choose one option: required']);
    expect(view.sources.map((s) => s.code)).toEqual([...new Set(builtIn.sections.flatMap((s) => s.questions.flatMap((q) => q.sources)))].sort());
    expect(view.sources.find((s) => s.code === 'PPN017')?.name).toBe(SOURCE_NAMES.PPN017);
  });

  it('says which evidence is asked for, and the cap without it from the evidence rule’s tier', () => {
    const evidence = questions.find((q) => q.key === 'purpose.evidence_of_benefits')!;
    expect(rowOf(evidence.rows, 'Evidence')).toEqual(['Requested.', 'Case studies, evaluation reports or customer statements that show the results.', 'Without it, the answer scores at most 2 of 4 from the High tier up.']);
    expect(rowOf(questions.find((q) => q.key === 'purpose.product_description')!.rows, 'Evidence')).toEqual(['Not requested.']);
  });

  it.each([
    ['a manual question lists its five descriptors', 'purpose.product_description', 'Marked by evaluators against these descriptors:', 6],
    ['an information-only question says it is not scored', 'purpose.ai_techniques', 'Not scored: for information only.', 1],
  ])('%s', (_name, key, first, lines) => {
    const scoring = rowOf(questions.find((q) => q.key === key)!.rows, 'Scoring')!;
    expect(scoring[0]).toBe(first);
    expect(scoring).toHaveLength(lines);
  });

  it('reads number bands and conditions in words', () => {
    const small = viewOf(parse(smallDefinition()));
    const hours = small.sections[1]!.questions[0]!;
    expect(rowOf(hours.rows, 'Scoring')).toEqual(['From the number given:', 'under 24 scores 4 (Excellent)', 'from 24 to under 72 scores 2 (Acceptable)', '72 or more scores 0 (Unacceptable)']);
    expect(rowOf(small.sections[1]!.rows, 'Shown when')).toEqual(['The council\'s answer to "Personal data?" is "Yes".']);
    expect(rowOf(small.sections[0]!.questions[1]!.rows, 'Shown when')).toEqual(['The answer to "Do you train on our data?" is "Only with opt-in".']);
    expect(rowOf(small.sections[0]!.rows, 'Weight')).toEqual(['Low tier: 60', 'Medium tier: 60', 'High tier: 60', 'Very high tier: 60']);
  });
});

describe('the methodology page', () => {
  it('lays out the methodology the API publishes without changing a rule', () => {
    const methodology = buildMethodology(parse(lgaResponsibleAi));
    const view = methodologyView(methodology);
    expect(view.scoringSteps).toEqual(methodology.scoringSteps);
    expect(view.gateways.map((g) => g.passes)).toEqual(methodology.gateways.map((g) => g.passes));
    expect(view.evidenceRule).toBe(methodology.evidenceRule);
    expect(view.residualRisk.rows.find((r) => r.tier === 'Very high')?.risks).toEqual(['Medium', 'High', 'Very high', 'Very high']);
    expect(view.ratingForRisk).toContainEqual({ risk: 'Medium', rating: 'Acceptable with conditions' });
    expect(view.sections[1]).toMatchObject({ number: '2', critical: true, weights: [{ tier: 'Low', weight: 8 }, { tier: 'Medium', weight: 12 }, { tier: 'High', weight: 14 }, { tier: 'Very high', weight: 15 }] });
  });
});

describe('the library', () => {
  it.each([
    ['a draft', 'Draft', { status: 'draft', archived: false, builtIn: false }],
    ['a published version', 'Published', { status: 'published', archived: false, builtIn: true }],
    ['an archived published version', 'Archived', { status: 'published', archived: true, builtIn: false }],
  ] as const)('tags %s as %s', (_name, text, state) => {
    expect(statusTag(state).text).toBe(text);
  });

  it('reads an unexpected filter as the default and writes only what differs from it', () => {
    expect(libraryFilter({ show: '<script>', archived: 'maybe' })).toEqual({ show: 'all', archived: false });
    expect(libraryQuery({ show: 'all', archived: false })).toBe('/questionnaires');
    expect(libraryQuery({ show: 'own', archived: true }, 'abc')).toBe('/questionnaires?show=own&archived=yes&cursor=abc');
  });

  it('tells an officer, not a viewer, what to do when the library is empty', () => {
    expect(libraryEmpty({ show: 'own', archived: false }, true)).toMatch(/Clone the built-in questionnaire .* or import/);
    expect(libraryEmpty({ show: 'own', archived: false }, false)).not.toMatch(/import/);
  });
});

describe('who may change a questionnaire', () => {
  const summary = (over: Partial<QuestionnaireSummary>): QuestionnaireSummary =>
    ({ id: 'x', key: 'k', version: '1.0.0', title: 't', status: 'draft', builtIn: false, archived: false, ...over }) as QuestionnaireSummary;

  it.each([
    ['an officer may publish a draft', summary({}), 'officer', 'publish', true],
    ['an admin may archive a published version', summary({ status: 'published' }), 'admin', 'archive', true],
    ['a viewer may not clone', summary({}), 'viewer', 'clone', false],
    ['an evaluator may not publish', summary({}), 'evaluator', 'publish', false],
    ['nobody publishes a published version again', summary({ status: 'published' }), 'admin', 'publish', false],
    ['nobody archives a built-in questionnaire', summary({ status: 'published', builtIn: true }), 'admin', 'archive', false],
    ['nobody publishes an archived draft', summary({ archived: true }), 'officer', 'publish', false],
    ['anyone who writes may copy a built-in questionnaire', summary({ status: 'published', builtIn: true }), 'officer', 'clone', true],
  ] as const)('%s', (_name, q, role, action, allowed) => {
    const result = actionsFor(q, role)[action];
    expect(result.allowed).toBe(allowed);
    expect(result.reason === null).toBe(allowed);
  });
});

describe('import problems', () => {
  const input = { sections: [{ title: 'Section A', questions: [{ key: 'a.one' }] }, { title: 'Section B', questions: [{ key: 'b.one' }] }] };

  it.each([
    ['/sections/1/questions/0/key', 'section 2 (Section B), question 1 (b.one)'],
    ['/sections/0/riskArea', 'section 1 (Section A)'],
    ['/weights/low', null],
    ['/sections/9/title', 'section 10'],
  ])('places %s as %s', (path, place) => {
    expect(problemPlace(path, input)).toBe(place);
  });

  it('escapes what the file says in the error summary and lets the path wrap', () => {
    const [problem] = importProblems([{ path: '/sections/0/title', message: 'bad <b>title</b>' }], { sections: [{ title: '<img src=x>' }] });
    expect(problem!.pathParts).toEqual(['/sections', '/0', '/title']);
    expect(problem!.summaryHtml).toBe('/sections<wbr>/0<wbr>/title (section 1 (&lt;img src=x&gt;)): bad &lt;b&gt;title&lt;<wbr>/b&gt;');
  });

  it.each([
    ['/', ['/']],
    ['/sections/12/questions/3/gateway/pass/in', ['/sections', '/12', '/questions', '/3', '/gateway', '/pass', '/in']],
    ['Invalid option: expected one of "yes_no"|"single_choice"', ['Invalid option: expected one of "yes_', 'no"|', '"single_', 'choice"']],
    ['section 2 (Section B), question 1 (a.training)', ['section 2 (Section B), question 1 (a.', 'training)']],
  ])('lets %s wrap without changing a character', (text, parts) => {
    expect(breakable(text)).toEqual(parts);
    expect(breakable(text).join('')).toBe(text);
  });
});
