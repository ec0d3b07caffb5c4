import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportDefinition, validateDefinition, type QuestionnaireDefinitionInput } from '../../../src/modules/questionnaires';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';

const TYPES = ['yes_no', 'single_choice', 'multi_choice', 'short_text', 'long_text', 'number', 'date', 'url', 'email', 'file'] as const;
const words = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0);
const slug = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

/** Weights for n sections that add up to exactly 100. */
const weightsFor = (keys: string[]) =>
  fc.array(fc.integer({ min: 0, max: 100 }), { minLength: keys.length, maxLength: keys.length }).map((raw) => {
    const total = raw.reduce((a, b) => a + b, 0) || 1;
    const scaled = raw.map((r) => Math.floor((r / total) * 100));
    scaled[0]! += 100 - scaled.reduce((a, b) => a + b, 0);
    return Object.fromEntries(keys.map((k, i) => [k, scaled[i]!]));
  });

const questionArb = (key: string, earlier: string[]) =>
  fc
    .record({
      type: fc.constantFrom(...TYPES),
      text: words,
      guidance: words,
      required: fc.boolean(),
      weight: fc.integer({ min: 0, max: 5 }),
      optionCount: fc.integer({ min: 2, max: 4 }),
      scores: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 4 }),
      follows: earlier.length > 0 ? fc.option(fc.constantFrom(...earlier), { nil: undefined }) : fc.constant(undefined),
      gateway: fc.boolean(),
      evidence: fc.boolean(),
    })
    .map((q) => {
      const isChoice = q.type === 'yes_no' || q.type === 'single_choice' || q.type === 'multi_choice';
      const values = q.type === 'yes_no' ? ['yes', 'no'] : Array.from({ length: q.optionCount }, (_, i) => `opt_${i}`);
      const scored = isChoice;
      return {
        key,
        text: q.text,
        guidance: q.guidance,
        type: q.type,
        required: q.required,
        weight: q.weight,
        ...(isChoice ? { options: values.map((value, i) => ({ value, label: `Option ${value}`, score: q.scores[i]! })) } : {}),
        scoring: scored ? { method: 'options' as const } : q.type === 'number' ? { method: 'bands' as const, bands: [{ max: 10, score: 4 }, { min: 10, score: 1 }] } : { method: 'none' as const },
        ...(q.gateway && (q.type === 'yes_no' || q.type === 'single_choice') ? { gateway: { pass: { equals: { question: key, value: values[0]! } }, minTier: 'high' as const, failureMessage: 'Fails.' } } : {}),
        ...(q.evidence || q.type === 'file' ? { evidence: { requested: true, mandatory: false } } : {}),
        ...(q.follows ? { showIf: { answered: { question: q.follows } } } : {}),
        riskAreas: ['area'],
        sources: ['LGA' as const],
      };
    });

const definitionArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
  .chain((counts) => {
    const sectionKeys = counts.map((_, s) => `s${s}`);
    const keys = counts.map((n, s) => Array.from({ length: n }, (_, q) => `s${s}.q${q}`));
    const flat = keys.flat();
    const questions = flat.map((key, i) => questionArb(key, flat.slice(0, i)));
    return fc.record({
      key: slug.map((k) => k.replace(/_/g, '-')),
      version: fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`),
      title: words,
      description: fc.string({ maxLength: 100 }),
      questions: fc.tuple(...questions),
      weights: fc.record({ low: weightsFor(sectionKeys), medium: weightsFor(sectionKeys), high: weightsFor(sectionKeys), very_high: weightsFor(sectionKeys) }),
    }).map((d): QuestionnaireDefinitionInput => {
      let i = 0;
      return {
        key: d.key,
        version: d.version,
        title: d.title,
        description: d.description,
        scale: ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label}.` })),
        riskAreas: [{ key: 'area', title: 'Area', critical: true }],
        triage: { questions: [], tierRules: [], defaultTier: 'medium' },
        weights: d.weights,
        evidenceRule: { capWithoutEvidence: 2, fromTier: 'high' },
        sections: counts.map((n, s) => ({ key: sectionKeys[s]!, title: `Section ${s}`, riskArea: 'area', questions: d.questions.slice(i, (i += n)) })),
      } as QuestionnaireDefinitionInput;
    });
  });

describe('export then import', () => {
  it('gives the built-in bank back unchanged, byte for byte on a second export', () => {
    const first = validateDefinition(lgaResponsibleAi);
    if (!first.ok) throw new Error('invalid');
    const exported = exportDefinition(first.definition);
    const again = validateDefinition(JSON.parse(exported));
    expect(again.ok && again.definition).toEqual(first.definition);
    expect(again.ok && exportDefinition(again.definition)).toBe(exported);
  });

  it('gives any valid definition back unchanged', () => {
    fc.assert(
      fc.property(definitionArb, (input) => {
        const first = validateDefinition(input);
        if (!first.ok) throw new Error(`generator made an invalid definition: ${JSON.stringify(first.problems)}`);
        // Through a database jsonb column key order is lost; shuffle it to be sure export restores it.
        const reordered = JSON.parse(JSON.stringify(first.definition, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
        const exported = exportDefinition(reordered);
        const second = validateDefinition(JSON.parse(exported));
        expect(second.ok).toBe(true);
        if (second.ok) {
          expect(second.definition).toEqual(first.definition);
          expect(exportDefinition(second.definition)).toBe(exported);
        }
      }),
      { numRuns: 150, seed: 20261126 },
    );
  });
});
