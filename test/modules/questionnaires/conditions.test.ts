import { describe, expect, it } from 'vitest';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';
import {
  computeRiskTier,
  evaluateCondition,
  resolveVisibility,
  validateDefinition,
  type Answers,
  type Condition,
  type QuestionnaireDefinition,
} from '../../../src/modules/questionnaires';
import { smallDefinition } from './fixtures';

function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

const answers: Answers = { colour: 'red', count: 5, tags: ['a', 'b'], empty: '', none: null };
const valueOf = (operand: { question: string } | { triage: string }) => ('question' in operand ? answers[operand.question] : answers[operand.triage]);

describe('conditions', () => {
  it.each<[string, Condition, boolean]>([
    ['equals matches the same value', { equals: { question: 'colour', value: 'red' } }, true],
    ['equals does not match another value', { equals: { question: 'colour', value: 'blue' } }, false],
    ['in matches one of several', { in: { question: 'colour', values: ['blue', 'red'] } }, true],
    ['in on a multi-choice answer matches any chosen value', { in: { question: 'tags', values: ['b', 'z'] } }, true],
    ['contains finds a chosen option', { contains: { question: 'tags', value: 'a' } }, true],
    ['contains misses an option not chosen', { contains: { question: 'tags', value: 'c' } }, false],
    ['answered is false for an empty string', { answered: { question: 'empty' } }, false],
    ['answered is false for null', { answered: { question: 'none' } }, false],
    ['answered is true for a number', { answered: { question: 'count' } }, true],
    ['gt compares numbers', { gt: { question: 'count', value: 4 } }, true],
    ['gte includes the bound', { gte: { question: 'count', value: 5 } }, true],
    ['lt excludes the bound', { lt: { question: 'count', value: 5 } }, false],
    ['lte includes the bound', { lte: { question: 'count', value: 5 } }, true],
    ['a number comparison on text is false, never an error', { gt: { question: 'colour', value: 1 } }, false],
    ['a comparison on an unanswered question is false', { equals: { question: 'missing', value: 'x' } }, false],
    ['not inverts', { not: { equals: { question: 'colour', value: 'red' } } }, false],
    [
      'all needs every branch',
      { all: [{ equals: { question: 'colour', value: 'red' } }, { gt: { question: 'count', value: 10 } }] },
      false,
    ],
    [
      'any needs one branch',
      { any: [{ equals: { question: 'colour', value: 'blue' } }, { gt: { question: 'count', value: 1 } }] },
      true,
    ],
    [
      'nesting: all of (any, not)',
      {
        all: [
          { any: [{ contains: { question: 'tags', value: 'z' } }, { in: { question: 'colour', values: ['red'] } }] },
          { not: { answered: { question: 'none' } } },
        ],
      },
      true,
    ],
  ])('%s', (_name, condition, expected) => {
    expect(evaluateCondition(condition, valueOf)).toBe(expected);
  });
});

describe('which questions a supplier sees', () => {
  const definition = parse(smallDefinition());

  it('shows a follow-up only when the answer it depends on calls for it', () => {
    const hidden = resolveVisibility({ definition, triage: {}, answers: { 'a.training': 'never' } });
    expect(hidden.isVisible('a.training_detail')).toBe(false);
    const shown = resolveVisibility({ definition, triage: {}, answers: { 'a.training': 'opt_in' } });
    expect(shown.isVisible('a.training_detail')).toBe(true);
    expect(shown.requiredQuestions).toContain('a.training_detail');
  });

  it('shows a section only when the council’s triage answer calls for it', () => {
    const without = resolveVisibility({ definition, triage: { 'triage.personal_data': 'no' }, answers: {} });
    expect(without.sections.find((s) => s.key === 'b')!.visible).toBe(false);
    expect(without.isVisible('b.hours')).toBe(false);
    const withData = resolveVisibility({ definition, triage: { 'triage.personal_data': 'yes' }, answers: {} });
    expect(withData.isVisible('b.hours')).toBe(true);
  });

  it('never requires a hidden question', () => {
    const v = resolveVisibility({ definition, triage: { 'triage.personal_data': 'no' }, answers: { 'a.training': 'never' } });
    expect(v.requiredQuestions).toEqual(['a.training']);
    for (const key of v.requiredQuestions) expect(v.isVisible(key)).toBe(true);
  });

  it('hides a question whose condition reads a hidden question, even if that hidden question still has an answer', () => {
    const chained = parse({
      ...smallDefinition(),
      sections: [
        ...smallDefinition().sections,
        {
          key: 'c',
          title: 'Section C',
          riskArea: 'other',
          questions: [
            {
              key: 'c.depends_on_b',
              text: 'Shown when b.hours is over 48',
              guidance: 'Follows section B.',
              type: 'long_text',
              required: true,
              limits: { maxLength: 5000 },
              scoring: { method: 'none' },
              showIf: { gt: { question: 'b.hours', value: 48 } },
              riskAreas: ['other'],
              sources: ['LGA'],
            },
          ],
        },
      ],
      weights: Object.fromEntries(['low', 'medium', 'high', 'very_high'].map((t) => [t, { a: 50, b: 30, c: 20 }])),
    });
    // The supplier answered 96 while section B was visible; then the council's triage hid section B.
    const staleAnswer = { 'b.hours': 96 };
    expect(resolveVisibility({ definition: chained, triage: { 'triage.personal_data': 'yes' }, answers: staleAnswer }).isVisible('c.depends_on_b')).toBe(true);
    const v = resolveVisibility({ definition: chained, triage: { 'triage.personal_data': 'no' }, answers: staleAnswer });
    expect(v.isVisible('b.hours')).toBe(false);
    expect(v.isVisible('c.depends_on_b')).toBe(false);
    expect(v.requiredQuestions).not.toContain('c.depends_on_b');
  });
});

describe('the built-in bank’s triage', () => {
  const definition = parse(lgaResponsibleAi);
  const base = {
    'triage.decision_role': 'advisory',
    'triage.access_decisions': 'no',
    'triage.data_categories': ['none'],
    'triage.public_facing': 'no',
    'triage.vulnerable_people': 'no',
    'triage.people_affected': 100,
    'triage.workforce_management': 'no',
    'triage.generative_ai': 'no',
    'triage.existing_contract': 'no',
  };

  it.each<[string, Record<string, unknown>, string]>([
    ['internal drafting on public information is low', {}, 'low'],
    ['a public-facing tool using personal data is medium', { 'triage.public_facing': 'yes', 'triage.data_categories': ['personal'] }, 'medium'],
    ['special category data makes it high', { 'triage.data_categories': ['personal', 'special_category'] }, 'high'],
    ['vulnerable people make it high', { 'triage.vulnerable_people': 'yes' }, 'high'],
    ['automated decisions about access to services are very high', { 'triage.decision_role': 'fully_automated', 'triage.access_decisions': 'yes' }, 'very_high'],
  ])('%s', (_name, changes, tier) => {
    expect(computeRiskTier({ definition, triage: { ...base, ...changes } as Answers }).tier).toBe(tier);
  });

  it('shows the workforce section only for workforce management, and adult social care only for vulnerable people', () => {
    const plain = resolveVisibility({ definition, triage: base as Answers, answers: {} });
    expect(plain.sections.filter((s) => !s.visible).map((s) => s.key)).toEqual(['workforce', 'social_care']);
    const both = resolveVisibility({ definition, triage: { ...base, 'triage.workforce_management': 'yes', 'triage.vulnerable_people': 'yes' } as Answers, answers: {} });
    expect(both.sections.every((s) => s.visible)).toBe(true);
    expect(both.requiredQuestions.length).toBeGreaterThan(plain.requiredQuestions.length);
  });
});
