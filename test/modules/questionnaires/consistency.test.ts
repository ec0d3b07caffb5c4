import { describe, expect, it } from 'vitest';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';
import { exportDefinition, validateDefinition, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { buildMethodology } from '../../../src/modules/questionnaires/questionnaires.methodology';
import { methodologySchema } from '../../../src/modules/questionnaires/questionnaires.schemas';
import { RESIDENCY_MESSAGE, integrityDefinition } from './consistency.fixtures';
import { smallDefinition } from './fixtures';

function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

/** The fixture, changed by `edit` after a valid parse, so only the change under test can be wrong. */
function problemsAfter(edit: (d: QuestionnaireDefinition) => void) {
  const definition = parse(integrityDefinition());
  edit(definition);
  const result = validateDefinition(definition);
  if (result.ok) throw new Error('expected the definition to be invalid');
  return result.problems;
}

describe('consistency rules in the definition format', () => {
  it('accepts valid rules and keeps them as written', () => {
    const definition = parse(integrityDefinition());
    expect(definition.consistency?.map((r) => r.key)).toEqual(['residency_vs_transfer', 'default_training_explained']);
    expect(definition.consistency?.[0]?.message).toBe(RESIDENCY_MESSAGE);
  });

  it('exports the rules and date meanings and imports them back unchanged', () => {
    const definition = parse(integrityDefinition());
    const exported = exportDefinition(definition);
    expect(JSON.parse(exported)).toMatchObject({ consistency: [{ key: 'residency_vs_transfer' }, { key: 'default_training_explained' }] });
    expect(exported).toContain('"of": "completion"');
    expect(parse(JSON.parse(exported))).toEqual(definition);
  });

  it('leaves a definition without rules exactly as it was, so its export and hash do not change', () => {
    const definition = parse(smallDefinition());
    expect('consistency' in definition).toBe(false);
  });

  it('accepts a rule that also reads a triage answer, as long as it reads a supplier answer', () => {
    const definition = parse(integrityDefinition());
    definition.consistency = [
      { key: 'no_personal_data_yet_hours', when: { all: [{ equals: { triage: 'triage.personal_data', value: 'no' } }, { lt: { question: 'b.hours', value: 24 } }] }, message: 'Fast notice for no personal data.' },
    ];
    expect(validateDefinition(definition).ok).toBe(true);
  });

  it.each<[string, (d: QuestionnaireDefinition) => void, string, RegExp]>([
    [
      'a rule on a question that does not exist',
      (d) => {
        d.consistency![0]!.when = { equals: { question: 'c.nowhere', value: 'x' } };
      },
      '/consistency/0/when/equals',
      /question "c\.nowhere", which does not exist/,
    ],
    [
      'a rule on a triage question that does not exist',
      (d) => {
        d.consistency![0]!.when = { all: [{ equals: { triage: 'triage.nowhere', value: 'yes' } }, { answered: { question: 'c.residency' } }] };
      },
      '/consistency/0/when/all/0/equals',
      /triage question "triage\.nowhere", which does not exist/,
    ],
    [
      'an option value the question does not have',
      (d) => {
        d.consistency![0]!.when = { all: [{ equals: { question: 'c.residency', value: 'uk_eea' } }, { equals: { question: 'c.transfer', value: 'privacy_shield' } }] };
      },
      '/consistency/0/when/all/1/equals',
      /"privacy_shield" is not an option of question "c\.transfer"/,
    ],
    [
      'a number comparison on a choice question (wrong operand type)',
      (d) => {
        d.consistency![0]!.when = { gt: { question: 'c.transfer', value: 2 } };
      },
      '/consistency/0/when/gt',
      /"gt" needs a number question; question "c\.transfer" is single_choice/,
    ],
    [
      '"contains" on a single-choice question (wrong operand type)',
      (d) => {
        d.consistency![1]!.when = { contains: { question: 'c.transfer', value: 'data_bridge' } };
      },
      '/consistency/1/when/contains',
      /"contains" needs a multi_choice question/,
    ],
    [
      'two rules with the same key',
      (d) => {
        d.consistency![1]!.key = 'residency_vs_transfer';
      },
      '/consistency/1/key',
      /consistency rule "residency_vs_transfer" is declared twice/,
    ],
    [
      'a rule over triage answers alone, which would flag every response alike',
      (d) => {
        d.consistency![0]!.when = { equals: { triage: 'triage.personal_data', value: 'yes' } };
      },
      '/consistency/0/when',
      /must look at one or more of the supplier’s answers/,
    ],
  ])('rejects %s, with its JSON path', (_name, edit, path, message) => {
    const problems = problemsAfter(edit);
    expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
    // Only the broken rule is reported: the rest of the fixture stays valid.
    expect(problems.every((p) => p.path.startsWith(path.split('/').slice(0, 3).join('/')))).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a rule without a message', { key: 'x', when: { answered: { question: 'c.residency' } } }, '/consistency/0/message'],
    ['a rule with an unknown field', { key: 'x', when: { answered: { question: 'c.residency' } }, message: 'M.', severity: 'high' }, '/consistency/0'],
    ['a key that is not lower-case', { key: 'Residency', when: { answered: { question: 'c.residency' } }, message: 'M.' }, '/consistency/0/key'],
  ])('rejects the shape of %s', (_name, rule, path) => {
    const result = validateDefinition({ ...integrityDefinition(), consistency: [rule] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toContain(path);
  });
});

describe('what a date is of', () => {
  it('is accepted on a date question', () => {
    const definition = parse(integrityDefinition());
    const dates = definition.sections[2]!.questions.filter((q) => q.type === 'date').map((q) => [q.key, q.date?.of ?? null]);
    expect(dates).toEqual([
      ['c.audit_date', 'completion'],
      ['c.cert_expiry', 'expiry'],
      ['c.plain_date', null],
    ]);
  });

  it('is refused on a question that is not a date, with its path', () => {
    const problems = problemsAfter((d) => {
      d.sections[2]!.questions[0]!.date = { of: 'completion' };
    });
    expect(problems).toEqual([{ path: '/sections/2/questions/0/date', message: 'only a date question can say what its date is of; this one is single_choice' }]);
  });

  it('is refused when it names something other than a completion or an expiry', () => {
    const input = integrityDefinition();
    (input.sections[2]!.questions[2] as { date: unknown }).date = { of: 'start' };
    const result = validateDefinition(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual(['/sections/2/questions/2/date/of']);
  });
});

describe('the published methodology', () => {
  it('lists each consistency rule in words, with option labels and question references, and its message', () => {
    const methodology = buildMethodology(parse(integrityDefinition()));
    expect(methodology.consistency).toEqual([
      {
        key: 'residency_vs_transfer',
        flaggedWhen: 'Flagged for the panel when the answer to 3.1 is "Only in the UK or EEA" and the answer to 3.2 is "UK–US data bridge".',
        message: RESIDENCY_MESSAGE,
      },
      {
        key: 'default_training_explained',
        flaggedWhen: 'Flagged for the panel when the answer to "Do you train on our data?" is "By default" and the answer to "Explain the opt-in." is answered.',
        message: 'Training by default is chosen, yet the opt-in is explained.',
      },
    ]);
    // What the API serves: the schema accepts it and keeps the rules.
    expect(methodologySchema.parse(methodology).consistency).toHaveLength(2);
  });

  it('lists none for a questionnaire without rules, such as the built-in bank', () => {
    expect(buildMethodology(parse(smallDefinition())).consistency).toEqual([]);
    expect(buildMethodology(parse(lgaResponsibleAi)).consistency).toEqual([]);
  });
});
