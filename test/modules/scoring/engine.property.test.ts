import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RISK_TIERS, resolveVisibility, type AnswerValue, type Question, type QuestionnaireDefinition, type RiskTier } from '../../../src/modules/questionnaires';
import { RATINGS, RATING_FOR_RISK, evaluateResponse, type Evaluation, type EvaluationInput, type GatewayDecision, type Score } from '../../../src/modules/scoring';
import { hashOf, parse } from './fixtures';

/**
 * Small valid questionnaires built from arbitraries (and checked by the same validation as an
 * import), with answers, evidence, marks and gateway decisions. Conditions look only at the
 * council's triage flag, so changing a supplier's answer never changes what is shown.
 */

const RUNS = 150;
const tierArb = fc.constantFrom<RiskTier>(...RISK_TIERS);
const scoreArb = fc.integer({ min: 0, max: 4 }) as fc.Arbitrary<Score>;
const flagArb = fc.constantFrom<'yes' | 'no' | undefined>(undefined, 'yes', 'no');

const questionSpecArb = fc.record({
  kind: fc.constantFrom('single', 'yes_no', 'multi', 'number', 'manual', 'info', 'file'),
  required: fc.boolean(),
  weight: fc.constantFrom(0, 1, 1, 1, 2, 3),
  scores: fc.array(scoreArb, { minLength: 2, maxLength: 4 }),
  notApplicable: fc.boolean(),
  aggregate: fc.constantFrom(undefined, 'sum_capped', 'max', 'min'),
  gateway: fc.option(
    fc.record({
      mask: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      // Options whose gateway outcome a person decides (`gatewayOutcome: review`); mostly none.
      review: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }).map((flags) => flags.map((f, i) => f && i % 2 === 0)),
      minTier: fc.option(tierArb, { nil: undefined }),
    }),
    { nil: undefined },
  ),
  evidence: fc.option(fc.record({ cap: fc.option(scoreArb, { nil: undefined }) }), { nil: undefined }),
  showIf: flagArb,
  hasRef: fc.boolean(),
});
type QuestionSpec = typeof questionSpecArb extends fc.Arbitrary<infer T> ? T : never;

const sectionSpecArb = fc.record({
  critical: fc.boolean(),
  showIf: flagArb,
  hasRef: fc.boolean(),
  weight: fc.integer({ min: 1, max: 10 }),
  questions: fc.array(questionSpecArb, { minLength: 1, maxLength: 4 }),
});

const descriptors = { 0: 'None.', 1: 'Poor.', 2: 'Some.', 3: 'Good.', 4: 'Excellent.' };
const flagCondition = (value: 'yes' | 'no') => ({ equals: { triage: 'triage.flag', value } });

function buildQuestion(spec: QuestionSpec, key: string, ref: string | undefined): Record<string, unknown> {
  const options =
    spec.kind === 'yes_no'
      ? [
          { value: 'yes', label: 'Yes', score: spec.scores[0] },
          { value: 'no', label: 'No', score: spec.scores[1] },
        ]
      : [
          ...spec.scores.map((score, i) => ({ value: `o${i}`, label: `Option ${i}`, score })),
          ...(spec.notApplicable ? [{ value: 'na', label: 'Not applicable', notApplicable: true }] : []),
        ];
  const base = {
    key,
    ...(ref ? { ref } : {}),
    text: `Question ${key}?`,
    guidance: 'Answer fully.',
    required: spec.required,
    weight: spec.weight,
    riskAreas: ['area'],
    sources: ['LGA'],
    ...(spec.showIf ? { showIf: flagCondition(spec.showIf) } : {}),
    ...(spec.evidence && spec.kind !== 'file'
      ? { evidence: { requested: true, mandatory: false, ...(spec.evidence.cap !== undefined ? { capWithoutEvidence: spec.evidence.cap } : {}) } }
      : {}),
  };
  const gateway = (choices: Array<{ value: string }>) => {
    if (!spec.gateway) return {};
    const values = choices.filter((_, i) => spec.gateway!.mask[i]).map((o) => o.value);
    return {
      gateway: {
        pass: { in: { question: key, values: values.length > 0 ? values : [choices[0]!.value] } },
        failureMessage: 'Not acceptable.',
        ...(spec.gateway.minTier ? { minTier: spec.gateway.minTier } : {}),
      },
    };
  };
  switch (spec.kind) {
    case 'single':
    case 'yes_no': {
      const reviewed = spec.gateway ? options.map((o, i) => (spec.gateway!.review[i] ? { ...o, gatewayOutcome: 'review' } : o)) : options;
      return { ...base, type: spec.kind === 'single' ? 'single_choice' : 'yes_no', options: reviewed, scoring: { method: 'options' }, ...gateway(options) };
    }
    case 'multi':
      return { ...base, type: 'multi_choice', options, scoring: { method: 'options', ...(spec.aggregate ? { aggregate: spec.aggregate } : {}) } };
    case 'number':
      return {
        ...base,
        type: 'number',
        limits: { min: 0, max: 1000 },
        scoring: {
          method: 'bands',
          bands: [
            { max: 10, score: spec.scores[0] },
            { min: 10, max: 100, score: spec.scores[1] },
            { min: 100, score: spec.scores[2] ?? 0 },
          ],
        },
      };
    case 'manual':
      return { ...base, type: 'long_text', scoring: { method: 'manual', descriptors } };
    case 'info':
      return { ...base, type: 'short_text', scoring: { method: 'none' } };
    default:
      return { ...base, type: 'file', scoring: { method: 'none' }, evidence: { requested: true, mandatory: false } };
  }
}

const definitionArb: fc.Arbitrary<QuestionnaireDefinition> = fc
  .record({ sections: fc.array(sectionSpecArb, { minLength: 1, maxLength: 4 }), evidenceCap: scoreArb, evidenceFrom: tierArb })
  .map(({ sections, evidenceCap, evidenceFrom }) => {
    const total = sections.reduce((sum, s) => sum + s.weight, 0);
    const weights: Record<string, number> = Object.fromEntries(sections.map((s, i) => [`s${i}`, Math.floor((s.weight * 100) / total)]));
    weights.s0! += 100 - Object.values(weights).reduce((a, b) => a + b, 0);
    return parse({
      key: 'property-test',
      version: '1.0.0',
      title: 'Property test',
      description: 'Generated.',
      scale: ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'].map((label, value) => ({ value, label, descriptor: `${label}.` })),
      riskAreas: [
        { key: 'crit', title: 'Critical area', critical: true },
        { key: 'norm', title: 'Other area', critical: false },
        { key: 'area', title: 'Question area', critical: false },
      ],
      triage: {
        questions: [{ key: 'triage.flag', text: 'Flag?', type: 'yes_no', options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] }],
        tierRules: [],
        defaultTier: 'low',
      },
      weights: { low: weights, medium: weights, high: weights, very_high: weights },
      evidenceRule: { capWithoutEvidence: evidenceCap, fromTier: evidenceFrom },
      sections: sections.map((s, i) => ({
        key: `s${i}`,
        ...(s.hasRef ? { ref: String(i + 1) } : {}),
        title: `Section ${i}`,
        riskArea: s.critical ? 'crit' : 'norm',
        ...(s.showIf ? { showIf: flagCondition(s.showIf) } : {}),
        questions: s.questions.map((q, j) => buildQuestion(q, `s${i}.q${j}`, q.hasRef ? `${i + 1}.${j + 1}` : undefined)),
      })),
    });
  });

const allQuestions = (definition: QuestionnaireDefinition) => definition.sections.flatMap((s) => s.questions);

function answerArb(question: Question): fc.Arbitrary<AnswerValue> {
  const values = (question.options ?? []).map((o) => o.value);
  switch (question.type) {
    case 'yes_no':
    case 'single_choice':
      return fc.constantFrom(...values);
    case 'multi_choice':
      return fc.subarray(values, { minLength: 1 });
    case 'number':
      return fc.integer({ min: 0, max: 1000 });
    case 'file':
      return fc.constant(undefined);
    default:
      return fc.constantFrom('A short answer.', 'A longer, more specific answer.');
  }
}

type Case = { input: EvaluationInput; alternative: Record<string, AnswerValue>; seed: number };

const caseArb: fc.Arbitrary<Case> = definitionArb.chain((definition) => {
  const questions = allQuestions(definition);
  const answers = () => fc.tuple(...questions.map((q) => fc.option(answerArb(q), { nil: undefined, freq: 4 })));
  return fc
    .record({
      tier: tierArb,
      flag: fc.constantFrom('yes', 'no'),
      answers: answers(),
      alternative: answers(),
      evidence: fc.tuple(...questions.map(() => fc.constantFrom(0, 0, 1, 2))),
      marks: fc.tuple(...questions.map((q) => fc.option(scoreArb, { nil: undefined, freq: q.scoring.method === 'manual' ? 1 : 6 }))),
      decisions: fc.tuple(...questions.map((q) => (q.gateway ? fc.option(fc.constantFrom('pass', 'fail', 'conditional'), { nil: undefined, freq: 4 }) : fc.constant(undefined)))),
      seed: fc.integer(),
    })
    .map(({ tier, flag, answers: given, alternative, evidence, marks, decisions, seed }) => {
      const pick = <T>(values: T[]) => Object.fromEntries(questions.flatMap((q, i) => (values[i] === undefined ? [] : [[q.key, values[i] as T]])));
      const outcomes = pick(decisions);
      const gatewayDecisions: Record<string, GatewayDecision> = Object.fromEntries(
        Object.entries(outcomes).map(([key, outcome]) => [
          key,
          outcome === 'conditional' ? { outcome, rationale: 'Remediable.', action: 'Fix it', dueDate: '2026-01-31' } : { outcome: outcome!, rationale: 'Decided.' },
        ]),
      );
      const input: EvaluationInput = {
        definition,
        definitionHash: hashOf(definition),
        riskTier: tier,
        weights: definition.weights[tier],
        triage: { 'triage.flag': flag },
        answers: pick(given),
        evidence: pick(evidence),
        marks: Object.fromEntries(Object.entries(pick(marks)).map(([key, score]) => [key, { score: score!, rationale: `Marked ${score}.` }])),
        gatewayDecisions,
      };
      return { input, alternative: pick(alternative), seed };
    });
});

/** A seeded shuffle (mulberry32), so a failing case replays exactly. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const shuffleKeys = <T>(record: Readonly<Record<string, T>>, seed: number): Record<string, T> => Object.fromEntries(shuffle(Object.entries(record), seed));

const withoutHash = ({ inputsHash: _inputsHash, ...rest }: Evaluation) => JSON.stringify(rest);

describe('scoring engine properties', () => {
  it('every score is within bounds: questions 0–4, sections and overall 0–100', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const evaluation = evaluateResponse(input);
        for (const q of evaluation.questions) {
          if (q.score !== null) expect([0, 1, 2, 3, 4]).toContain(q.score);
          if (q.automaticScore !== null) expect([0, 1, 2, 3, 4]).toContain(q.automaticScore);
        }
        for (const s of evaluation.sections) {
          if (s.score !== null) {
            expect(s.score).toBeGreaterThanOrEqual(0);
            expect(s.score).toBeLessThanOrEqual(100);
          }
        }
        if (evaluation.overallScore !== null) {
          expect(evaluation.overallScore).toBeGreaterThanOrEqual(0);
          expect(evaluation.overallScore).toBeLessThanOrEqual(100);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('choosing a higher-scoring option never lowers its section or the overall score', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        for (const section of input.definition.sections) {
          for (const q of section.questions) {
            if (q.type !== 'single_choice' && q.type !== 'yes_no') continue;
            const ladder = (q.options ?? []).filter((o) => o.score !== undefined).sort((a, b) => a.score! - b.score!);
            let previous: Evaluation | null = null;
            for (const option of ladder) {
              const current = evaluateResponse({ ...input, answers: { ...input.answers, [q.key]: option.value } });
              if (previous) {
                const before = previous.sections.find((s) => s.key === section.key)!.score;
                const after = current.sections.find((s) => s.key === section.key)!.score;
                if (before !== null && after !== null) expect(after).toBeGreaterThanOrEqual(before);
                if (previous.overallScore !== null && current.overallScore !== null) expect(current.overallScore).toBeGreaterThanOrEqual(previous.overallScore);
              }
              previous = current;
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('any failed gateway gives not_acceptable; a conditional one rules out acceptable; no rating beats the worst critical section', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const evaluation = evaluateResponse(input);
        if (evaluation.gateways.some((g) => g.outcome === 'fail')) expect(evaluation.rating).toBe('not_acceptable');
        if (evaluation.gateways.some((g) => g.outcome === 'conditional')) expect(evaluation.rating).not.toBe('acceptable');
        for (const s of evaluation.sections) {
          if (s.critical && s.residualRisk) expect(RATINGS.indexOf(evaluation.rating)).toBeGreaterThanOrEqual(RATINGS.indexOf(RATING_FOR_RISK[s.residualRisk]));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('answers to hidden questions never change the result', () => {
    let hiddenSeen = 0;
    fc.assert(
      fc.property(caseArb, ({ input, alternative }) => {
        const evaluation = evaluateResponse(input);
        // Which questions are hidden comes from the conditions engine, not from the result under test.
        const visibility = resolveVisibility({ definition: input.definition, triage: input.triage, answers: input.answers });
        const hidden = allQuestions(input.definition).filter((q) => !visibility.isVisible(q.key)).map((q) => q.key);
        // Skipped, not passed, when nothing is hidden: fast-check then generates another case.
        fc.pre(hidden.length > 0);
        hiddenSeen += 1;
        const answers: Record<string, AnswerValue> = { ...input.answers };
        for (const key of hidden) {
          if (alternative[key] === undefined) delete answers[key];
          else answers[key] = alternative[key];
        }
        expect(withoutHash(evaluateResponse({ ...input, answers }))).toBe(withoutHash(evaluation));
      }),
      { numRuns: RUNS },
    );
    expect(hiddenSeen).toBeGreaterThanOrEqual(RUNS);
  });

  it('reordering sections, questions or the keys of any input record changes nothing', () => {
    fc.assert(
      fc.property(caseArb, ({ input, seed }) => {
        const { definition } = input;
        const reordered = parse({
          ...definition,
          weights: Object.fromEntries(Object.entries(definition.weights).map(([tier, w]) => [tier, shuffleKeys(w, seed + 1)])),
          sections: shuffle(definition.sections, seed).map((s, i) => ({ ...s, questions: shuffle(s.questions, seed + i + 2) })),
        });
        const shuffled: EvaluationInput = {
          definition: reordered,
          definitionHash: input.definitionHash,
          riskTier: input.riskTier,
          weights: shuffleKeys(input.weights, seed + 3),
          triage: shuffleKeys(input.triage, seed + 4),
          answers: shuffleKeys(input.answers, seed + 5),
          evidence: shuffleKeys(input.evidence, seed + 6),
          marks: shuffleKeys(input.marks, seed + 7),
          gatewayDecisions: shuffleKeys(input.gatewayDecisions, seed + 8),
        };
        expect(JSON.stringify(evaluateResponse(shuffled))).toBe(JSON.stringify(evaluateResponse(input)));
      }),
      { numRuns: RUNS },
    );
  });

  it('the overall score is the exact weighted mean of the counted marks, rounded once: the rounding of section scores never moves it', () => {
    // Exact arithmetic with BigInt fractions, independent of the engine: each section's mean of its
    // counted marks (as a fraction of 4), weighted by the procurement's section weights.
    type Fraction = { n: bigint; d: bigint };
    const add = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
    const big = (value: number) => {
      expect(Number.isInteger(value)).toBe(true);
      return BigInt(value);
    };
    let differsFromShownParts = 0;
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const evaluation = evaluateResponse(input);
        let total: Fraction = { n: 0n, d: 1n };
        let weight = 0n;
        for (const section of evaluation.sections.filter((s) => s.score !== null)) {
          const counted = evaluation.questions.filter((q) => q.section === section.key && q.score !== null);
          const sectionScore: Fraction = { n: counted.reduce((sum, q) => sum + big(q.weight) * BigInt(q.score!), 0n) * 100n, d: counted.reduce((sum, q) => sum + big(q.weight), 0n) * 4n };
          total = add(total, { n: sectionScore.n * big(section.weight), d: sectionScore.d });
          weight += big(section.weight);
        }
        if (weight === 0n) {
          expect(evaluation.overallScore).toBeNull();
          return;
        }
        // Half up at one decimal: floor(10x + 1/2) for x ≥ 0.
        const tenths = (2n * 10n * total.n + total.d * weight) / (2n * total.d * weight);
        expect(Math.round(evaluation.overallScore! * 10)).toBe(Number(tenths));
        const shown = evaluation.sections.filter((s) => s.score !== null).reduce((sum, s) => sum + s.score! * s.weight, 0) / Number(weight);
        if (Math.round(Number((shown * 10).toPrecision(12))) !== Number(tenths)) {
          differsFromShownParts += 1;
          expect(evaluation.working.join(' ')).toMatch(/rounded to one decimal; the overall score is computed from their unrounded values/);
        }
      }),
      // Such cases are rare (about 0.7% of generated ones), so enough runs that some always occur.
      { numRuns: 2000 },
    );
    // The cases that matter, where adding the rounded parts gives another total, did occur.
    expect(differsFromShownParts).toBeGreaterThan(0);
  });

  it('an answer the panel decides leaves its gateway pending until a decision, then takes the decision', () => {
    // Random answers rarely land on an option the panel decides, so every gateway question that has
    // such options is answered with one of them (chosen by the case's seed), and cases where none of
    // those gateways applies (hidden, or below the gateway's tier) are skipped, not counted: each of
    // the RUNS cases checked holds at least one gateway a person decides.
    const reviewCaseArb = caseArb.map(({ input, seed }) => {
      const answers = { ...input.answers };
      for (const question of allQuestions(input.definition)) {
        const review = (question.options ?? []).filter((o) => o.gatewayOutcome === 'review');
        if (question.gateway && review.length > 0) answers[question.key] = review[Math.abs(seed) % review.length]!.value;
      }
      return { ...input, answers };
    });
    let seen = 0;
    let cases = 0;
    fc.assert(
      fc.property(reviewCaseArb, (input) => {
        const evaluation = evaluateResponse(input);
        const reviewed = evaluation.gateways.filter((gateway) => {
          const question = allQuestions(input.definition).find((q) => q.key === gateway.questionKey)!;
          return question.options?.find((o) => o.value === input.answers[question.key])?.gatewayOutcome === 'review';
        });
        fc.pre(reviewed.length > 0);
        cases += 1;
        for (const gateway of reviewed) {
          seen += 1;
          const decision = input.gatewayDecisions[gateway.questionKey];
          expect(gateway.review).toBe(true);
          expect(gateway.automaticOutcome).toBe('pending');
          expect(gateway.outcome).toBe(decision ? decision.outcome : 'pending');
          if (!decision) expect(evaluation.provisional).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    // fast-check counts only the cases that passed fc.pre, so every one of them checked a gateway.
    expect(cases).toBeGreaterThanOrEqual(RUNS);
    expect(seen).toBeGreaterThanOrEqual(cases);
  });

  it('the same inputs give identical JSON and inputsHash', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const first = evaluateResponse(input);
        const second = evaluateResponse(structuredClone(input));
        expect(second.inputsHash).toBe(first.inputsHash);
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      { numRuns: RUNS },
    );
  });
});
