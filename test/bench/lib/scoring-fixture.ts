// Scenario S2's data: a 150-question questionnaire (5 sections × 30) using every rule the scoring
// engine applies on a plain response (option scores with a not-applicable option, bands, manual
// marks, evidence caps with and without a question's own cap, two gateways, a critical risk area),
// and 50 suppliers' answers, evidence counts and moderated marks from a seeded PRNG, so every run
// scores exactly the same data. Also the "floor": the same arithmetic as a plain JS loop.
import { validateDefinition, type QuestionnaireDefinition, type QuestionnaireDefinitionInput, type RiskTier } from '../../../src/modules/questionnaires';
import type { EvaluationInput, Mark, Score } from '../../../src/modules/scoring';
import { canonicalJson, sha256Hex } from '../../../src/platform/crypto';
import { BENCH_TRIAGE, benchQuestionnaire } from './bench-questionnaire';

export const SECTIONS = 5;
export const QUESTIONS_PER_SECTION = 30;
export const SUPPLIERS = 50;
export const TIER: RiskTier = 'high';
export const TRIAGE = BENCH_TRIAGE;
const SECTION_WEIGHTS = [30, 25, 20, 15, 10];

/** mulberry32: small, fast and good enough to pick bench data repeatably. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What each position in a section holds, cycling every 6 questions. */
type Kind = 'practice' | 'yes_no' | 'hours' | 'narrative' | 'maturity' | 'incident';
const KINDS: Kind[] = ['practice', 'yes_no', 'hours', 'narrative', 'maturity', 'incident'];
const kindOf = (q: number): Kind => KINDS[(q - 1) % KINDS.length]!;

const PRACTICE = [
  { value: 'always', label: 'Always', score: 4 },
  { value: 'usually', label: 'Usually', score: 3 },
  { value: 'sometimes', label: 'Sometimes', score: 1 },
  { value: 'never', label: 'Never', score: 0 },
];
const NOT_APPLICABLE = { value: 'not_applicable', label: 'Not applicable to our service', notApplicable: true };
const MATURITY = [
  { value: 'certified', label: 'Independently certified', score: 4 },
  { value: 'documented', label: 'Documented, not certified', score: 2 },
  { value: 'informal', label: 'Informal', score: 0 },
];
const HOURS_BANDS = [
  { max: 24, score: 4, label: 'Within a day' },
  { min: 24, max: 48, score: 3 },
  { min: 48, max: 72, score: 2 },
  { min: 72, max: 168, score: 1 },
  { min: 168, score: 0, label: 'More than a week' },
];
const DESCRIPTORS = { 0: 'No answer of substance.', 1: 'Vague.', 2: 'Partly answers.', 3: 'Clear and specific.', 4: 'Clear, specific and evidenced.' };

export const questionKey = (s: number, q: number) => `s${s}.q${String(q).padStart(2, '0')}`;

/** Evidence is asked for on every yes/no "do you…" question and on every other number question (with its own cap of 1). */
const asksEvidence = (q: number) => kindOf(q) === 'yes_no' || (kindOf(q) === 'hours' && q % 12 === 3);

export function scoringDefinitionInput(): QuestionnaireDefinitionInput {
  const sectionKeys = Array.from({ length: SECTIONS }, (_, i) => `s${i + 1}`);
  const weights = Object.fromEntries(sectionKeys.map((k, i) => [k, SECTION_WEIGHTS[i]!]));
  const question = (s: number, q: number) => {
    const key = questionKey(s, q);
    const kind = kindOf(q);
    const common = {
      key,
      ref: `${s}.${q}`,
      text: `Bench question ${key}: how does your service handle this area?`,
      guidance: 'Answer as you would for a real council.',
      required: true,
      riskAreas: [`area${s}`],
      sources: ['LGA'],
    };
    const evidence = asksEvidence(q) ? { evidence: { requested: true, mandatory: false, description: 'A policy or report that shows it.', ...(kind === 'hours' ? { capWithoutEvidence: 1 } : {}) } } : {};
    switch (kind) {
      case 'practice': {
        const options = q % 12 === 7 ? [...PRACTICE, NOT_APPLICABLE] : PRACTICE;
        // The first question of section 1 is a gateway (always active).
        const gateway = s === 1 && q === 1 ? { gateway: { pass: { in: { question: key, values: ['always', 'usually'] } }, failureMessage: 'This must be done at least usually.' } } : {};
        return { ...common, type: 'single_choice', options, scoring: { method: 'options' }, ...gateway, ...evidence };
      }
      case 'yes_no': {
        // The second question of section 2 is a High+ gateway.
        const gateway = s === 2 && q === 2 ? { gateway: { minTier: 'high', pass: { equals: { question: key, value: 'yes' } }, failureMessage: 'A high-risk use needs this.' } } : {};
        return { ...common, type: 'yes_no', options: [{ value: 'yes', label: 'Yes', score: 4 }, { value: 'no', label: 'No', score: 0 }], scoring: { method: 'options' }, ...gateway, ...evidence };
      }
      case 'hours':
        return { ...common, type: 'number', limits: { min: 0, max: 1000, integer: true, unit: 'hours' }, scoring: { method: 'bands', bands: HOURS_BANDS }, ...(q % 12 === 9 ? { weight: 2 } : {}), ...evidence };
      case 'narrative':
        return { ...common, type: 'long_text', limits: { maxLength: 5000 }, scoring: { method: 'manual', descriptors: DESCRIPTORS }, ...evidence };
      case 'maturity':
        return { ...common, type: 'single_choice', options: MATURITY, scoring: { method: 'options' }, ...evidence };
      case 'incident':
        return { ...common, type: 'yes_no', options: [{ value: 'yes', label: 'Yes', score: 0 }, { value: 'no', label: 'No', score: 4 }], scoring: { method: 'options' }, ...evidence };
    }
  };
  return benchQuestionnaire({
    key: 'bench-s2-scoring',
    title: 'Bench S2: 150 questions',
    description: 'Made by test/bench/lib/scoring-fixture.ts.',
    riskAreas: sectionKeys.map((_, i) => ({ key: `area${i + 1}`, title: `Area ${i + 1}`, critical: i === 0 })),
    weights,
    sections: sectionKeys.map((key, i) => ({
      key,
      ref: String(i + 1),
      title: `Section ${i + 1}`,
      riskArea: `area${i + 1}`,
      questions: Array.from({ length: QUESTIONS_PER_SECTION }, (_, q) => question(i + 1, q + 1)),
    })),
  });
}

export function parseDefinition(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(`invalid bench definition: ${JSON.stringify(result.problems.slice(0, 5))}`);
  return result.definition;
}

const PROSE =
  'We process council data only in the UK, under contract, with access logged and reviewed monthly; staff are vetted and trained, and incidents are reported within 24 hours. ' +
  'Our model is evaluated before each release against a fixed test set, with results for each protected characteristic published to the customer. ';

/** One supplier's data, as the engine and the API take it. */
export type SupplierData = {
  answers: Record<string, string | number>;
  /** Evidence files per question key (0 or 1; absent = 0). */
  evidence: Record<string, number>;
  marks: Record<string, Mark>;
};

/**
 * 50 suppliers' answers from a seeded PRNG: each has a "quality" that biases it towards the best
 * options and short notification times; roughly 60% of evidence-requesting questions have a file;
 * every long-text answer has a moderated mark, and about 2% of the automatically scored answers
 * (never a not-applicable one, which the API refuses to moderate) a moderator's override.
 */
export function supplierData(seed = 20_240_202): SupplierData[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const out: SupplierData[] = [];
  for (let i = 0; i < SUPPLIERS; i += 1) {
    const quality = 0.2 + random() * 0.7;
    const answers: SupplierData['answers'] = {};
    const evidence: SupplierData['evidence'] = {};
    const marks: SupplierData['marks'] = {};
    for (let s = 1; s <= SECTIONS; s += 1) {
      for (let q = 1; q <= QUESTIONS_PER_SECTION; q += 1) {
        const key = questionKey(s, q);
        const good = random() < quality;
        switch (kindOf(q)) {
          case 'practice':
            answers[key] = q % 12 === 7 && random() < 0.1 ? NOT_APPLICABLE.value : good ? 'always' : pick(PRACTICE).value;
            break;
          case 'yes_no':
            answers[key] = good ? 'yes' : pick(['yes', 'no']);
            break;
          case 'hours':
            answers[key] = Math.floor(random() * (good ? 30 : 400));
            break;
          case 'narrative': {
            const length = 200 + Math.floor(random() * 1000);
            const start = Math.floor(random() * 100);
            // Trimmed: the service trims text answers, and the inputs hash must match the in-process one.
            answers[key] = `${PROSE.repeat(6).slice(start, start + length).trim()} (supplier ${i + 1}, ${key})`;
            marks[key] = { score: (good ? 3 + Math.floor(random() * 2) : Math.floor(random() * 5)) as Score, rationale: `Consensus of two evaluators on ${key}.` };
            break;
          }
          case 'maturity':
            answers[key] = good ? 'certified' : pick(MATURITY).value;
            break;
          case 'incident':
            answers[key] = good ? 'no' : pick(['yes', 'no']);
            break;
        }
        if (asksEvidence(q) && random() < 0.6) evidence[key] = 1;
        if (kindOf(q) !== 'narrative' && answers[key] !== NOT_APPLICABLE.value && random() < 0.02) marks[key] = { score: Math.floor(random() * 5) as Score, rationale: `Moderator override on ${key}: the answer is contradicted by the evidence.` };
      }
    }
    out.push({ answers, evidence, marks });
  }
  return out;
}

export function evaluationInputs(definition: QuestionnaireDefinition, suppliers: SupplierData[]): EvaluationInput[] {
  const definitionHash = sha256Hex(canonicalJson(definition));
  return suppliers.map((supplier) => ({
    definition,
    definitionHash,
    riskTier: TIER,
    weights: definition.weights[TIER],
    triage: { ...TRIAGE },
    answers: supplier.answers,
    evidence: supplier.evidence,
    marks: supplier.marks,
    gatewayDecisions: {},
  }));
}

// ---------------------------------------------------------------------------------------------
// The floor: only the arithmetic, over the same preloaded inputs.

const OPTIONS = 0;
const BANDS = 1;
const MANUAL = 2;

type FloorQuestion = {
  key: string;
  section: number;
  weight: number;
  method: typeof OPTIONS | typeof BANDS | typeof MANUAL;
  /** Option value → score, or -1 for a not-applicable option. */
  optionScores: Map<string, number>;
  bands: Array<{ min: number; max: number; score: number }>;
  /** The evidence cap at this procurement's tier, or -1 when none applies. */
  cap: number;
};

export type FloorTable = { questions: FloorQuestion[]; sectionWeights: Float64Array };

/** Compiled once per questionnaire version and tier, like any preloaded lookup table. */
export function compileFloor(definition: QuestionnaireDefinition, tier: RiskTier): FloorTable {
  const tiers = ['low', 'medium', 'high', 'very_high'];
  const capApplies = tiers.indexOf(tier) >= tiers.indexOf(definition.evidenceRule.fromTier);
  const questions: FloorQuestion[] = [];
  definition.sections.forEach((section, s) => {
    for (const question of section.questions) {
      const scoring = question.scoring;
      if (scoring.method === 'none') continue;
      questions.push({
        key: question.key,
        section: s,
        weight: question.weight,
        method: scoring.method === 'options' ? OPTIONS : scoring.method === 'bands' ? BANDS : MANUAL,
        optionScores: new Map((question.options ?? []).map((o) => [o.value, o.notApplicable || o.score === undefined ? -1 : o.score])),
        bands: scoring.method === 'bands' ? scoring.bands.map((b) => ({ min: b.min ?? -Infinity, max: b.max ?? Infinity, score: b.score })) : [],
        cap: question.evidence?.requested && capApplies ? (question.evidence.capWithoutEvidence ?? definition.evidenceRule.capWithoutEvidence) : -1,
      });
    }
  });
  return { questions, sectionWeights: Float64Array.from(definition.sections.map((s) => definition.weights[tier][s.key] ?? 0)) };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * One response's overall score, by plain arithmetic: option/band lookup to 0–4 (a moderated mark
 * wins; a manual question counts only with a mark), the evidence cap, per-section weighted mean
 * × 25 (rounded to 1 decimal as published), then the weighted overall score. No working strings,
 * no visibility, no hashing, no gateways or rating.
 */
export function floorScore(table: FloorTable, input: EvaluationInput, sums: Float64Array, weights: Float64Array): number {
  sums.fill(0);
  weights.fill(0);
  const { answers, evidence, marks } = input;
  const questions = table.questions;
  for (let i = 0; i < questions.length; i += 1) {
    const q = questions[i]!;
    const mark = marks[q.key];
    let score: number;
    if (q.method === MANUAL) {
      if (mark === undefined) continue;
      score = mark.score;
    } else {
      const value = answers[q.key];
      let auto: number;
      if (value === undefined || value === null || value === '') auto = 0;
      else if (q.method === OPTIONS) auto = q.optionScores.get(value as string) ?? 0;
      else {
        auto = 0;
        const n = value as number;
        for (const band of q.bands) {
          if (n >= band.min && n < band.max) {
            auto = band.score;
            break;
          }
        }
      }
      if (auto < 0) continue; // not applicable
      score = mark === undefined ? auto : mark.score;
    }
    if (q.cap >= 0 && score > q.cap && !((evidence[q.key] ?? 0) > 0)) score = q.cap;
    sums[q.section]! += q.weight * score;
    weights[q.section]! += q.weight;
  }
  let total = 0;
  let totalWeight = 0;
  for (let s = 0; s < sums.length; s += 1) {
    if (weights[s]! > 0) {
      total += round1((sums[s]! / weights[s]!) * 25) * table.sectionWeights[s]!;
      totalWeight += table.sectionWeights[s]!;
    }
  }
  return totalWeight > 0 ? round1(total / totalWeight) : Number.NaN;
}
