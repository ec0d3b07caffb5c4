import { describe, expect, it } from 'vitest';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';
import { validateDefinition, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { smallDefinition } from './fixtures';

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function problemsOf(input: unknown) {
  const result = validateDefinition(input);
  if (result.ok) throw new Error('expected the definition to be invalid');
  return result.problems;
}

describe('definition rules beyond shape', () => {
  it('accepts the small fixture', () => {
    expect(validateDefinition(smallDefinition()).ok).toBe(true);
  });

  it.each([
    [
      'a question key used twice',
      (d: QuestionnaireDefinition) => {
        d.sections[1]!.questions[0]!.key = 'a.training';
      },
      '/sections/1/questions/0/key',
      /declared twice/,
    ],
    [
      'a condition on a question that does not exist',
      (d: QuestionnaireDefinition) => {
        d.sections[0]!.questions[1]!.showIf = { equals: { question: 'a.nowhere', value: 'x' } };
      },
      '/sections/0/questions/1/showIf/equals',
      /does not exist/,
    ],
    [
      'a condition value that is not an option',
      (d: QuestionnaireDefinition) => {
        d.sections[0]!.questions[1]!.showIf = { equals: { question: 'a.training', value: 'sometimes' } };
      },
      '/sections/0/questions/1/showIf/equals',
      /not an option/,
    ],
    [
      'a gateway naming an option that does not exist',
      (d: QuestionnaireDefinition) => {
        d.sections[0]!.questions[0]!.gateway!.pass = { in: { question: 'a.training', values: ['never', 'rarely'] } };
      },
      '/sections/0/questions/0/gateway/pass/in',
      /"rarely" is not an option/,
    ],
    [
      'options on a number question',
      (d: QuestionnaireDefinition) => {
        d.sections[1]!.questions[0]!.options = [{ value: 'x', label: 'X' }];
      },
      '/sections/1/questions/0/options',
      /only choice questions/,
    ],
    [
      'weights that do not add up to 100',
      (d: QuestionnaireDefinition) => {
        d.weights.high = { a: 50, b: 40 };
      },
      '/weights/high',
      /add up to 90/,
    ],
    [
      'a scored option without a score',
      (d: QuestionnaireDefinition) => {
        delete d.sections[0]!.questions[0]!.options![2]!.score;
      },
      '/sections/0/questions/0/options/2/score',
      /needs a score/,
    ],
    [
      'number bands that leave a gap',
      (d: QuestionnaireDefinition) => {
        d.sections[1]!.questions[0]!.scoring = { method: 'bands', bands: [{ max: 24, score: 4 }, { min: 48, score: 0 }] };
      },
      '/sections/1/questions/0/scoring/bands',
      /no band scores answers from 24 to 48/,
    ],
    [
      'number bands that do not cover the answers allowed',
      (d: QuestionnaireDefinition) => {
        d.sections[1]!.questions[0]!.scoring = { method: 'bands', bands: [{ min: 10, score: 4 }] };
      },
      '/sections/1/questions/0/scoring/bands',
      /answers below 10 fall in no band/,
    ],
    [
      'a tier rule looking at a supplier answer',
      (d: QuestionnaireDefinition) => {
        d.triage.tierRules[0]!.when = { answered: { question: 'a.training' } };
      },
      '/triage/tierRules/0/when',
      /only look at triage/,
    ],
  ])('rejects %s, naming the path', (_name, mutate, path, message) => {
    const d = clone(validDefinition());
    mutate(d);
    const problems = problemsOf(d);
    expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('rejects a cycle of conditions', () => {
    const d = clone(validDefinition());
    d.sections[0]!.questions[0]!.showIf = { answered: { question: 'a.training_detail' } };
    expect(problemsOf(d)).toContainEqual({ path: '/sections', message: expect.stringMatching(/cycle: .*a\.training.*a\.training_detail/) });
  });

  it('rejects a manual question without descriptors as a shape problem', () => {
    const d = clone(validDefinition()) as unknown as { sections: Array<{ questions: Array<{ scoring: unknown }> }> };
    d.sections[0]!.questions[1]!.scoring = { method: 'manual' };
    expect(problemsOf(d)).toContainEqual({ path: '/sections/0/questions/1/scoring/descriptors', message: expect.any(String) });
  });

  it('reports every problem at once, not only the first', () => {
    const d = clone(validDefinition());
    d.sections[1]!.questions[0]!.key = 'a.training';
    d.weights.low = { a: 1, b: 1 };
    d.sections[0]!.questions[1]!.showIf = { equals: { question: 'a.training', value: 'sometimes' } };
    expect(problemsOf(d).length).toBeGreaterThanOrEqual(3);
  });

  it('reports every shape problem at once too', () => {
    const problems = problemsOf({ ...smallDefinition(), version: 'one', scale: [], extra: true });
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/version', '/scale', '/']));
  });
});

function validDefinition(): QuestionnaireDefinition {
  const result = validateDefinition(smallDefinition());
  if (!result.ok) throw new Error('fixture invalid');
  return result.definition;
}

describe('the built-in bank lga-responsible-ai 1.0.0', () => {
  const result = validateDefinition(lgaResponsibleAi);
  const definition = result.ok ? result.definition : undefined;
  const questions = definition?.sections.flatMap((s) => s.questions) ?? [];

  it('passes every rule an import must pass', () => {
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(definition).toMatchObject({ key: 'lga-responsible-ai', version: '1.0.0' });
  });

  it('has at least 11 sections shown to every supplier plus the workforce and adult social care sections', () => {
    const always = definition!.sections.filter((s) => !s.showIf).map((s) => s.key);
    expect(always.length).toBeGreaterThanOrEqual(11);
    expect(always).toEqual(expect.arrayContaining(['purpose', 'data_protection', 'transparency', 'fairness', 'security', 'oversight', 'model', 'environment', 'viability', 'contract', 'monitoring']));
    expect(definition!.sections.filter((s) => s.showIf).map((s) => s.key)).toEqual(['workforce', 'social_care']);
  });

  it('has at least 70 supplier questions, each with guidance and a source', () => {
    expect(questions.length).toBeGreaterThanOrEqual(70);
    for (const q of questions) {
      expect(q.guidance.trim().length, q.key).toBeGreaterThan(20);
      expect(q.sources.length, q.key).toBeGreaterThan(0);
    }
  });

  it('has about nine council triage questions and rules for every tier above low', () => {
    expect(definition!.triage.questions.length).toBeGreaterThanOrEqual(9);
    expect(definition!.triage.tierRules.map((r) => r.tier)).toEqual(['very_high', 'high', 'medium']);
  });

  it('gives every gateway a pass condition on its own answer and a failure message', () => {
    const gateways = questions.filter((q) => q.gateway);
    expect(gateways.length).toBeGreaterThanOrEqual(15);
    for (const q of gateways) {
      expect(JSON.stringify(q.gateway!.pass)).toContain(`"question":"${q.key}"`);
      expect(q.gateway!.failureMessage.length).toBeGreaterThan(20);
    }
  });

  it('never scores the PPN 02/24 question on using AI to write the bid', () => {
    const ppn = questions.filter((q) => q.key.startsWith('transparency.ai_used_in_bid'));
    expect(ppn.map((q) => q.key)).toEqual(['transparency.ai_used_in_bid', 'transparency.ai_used_in_bid_details']);
    for (const q of ppn) {
      expect(q.scoring.method).toBe('none');
      expect(q.gateway).toBeUndefined();
      expect(q.options?.every((o) => o.score === undefined) ?? true).toBe(true);
    }
  });

  it('marks data protection, fairness, security and human oversight as the critical areas', () => {
    expect(definition!.riskAreas.filter((a) => a.critical).map((a) => a.key).sort()).toEqual(['data_protection', 'fairness', 'oversight', 'security']);
  });
});
