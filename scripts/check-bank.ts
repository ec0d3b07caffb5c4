/**
 * Checks the built-in question bank: the zod schema, then the rules that need the whole document
 * (references, options, scoring, gateways, weights, cycles). Prints counts; exits 1 on any problem.
 * Usage: npx tsx scripts/check-bank.ts
 */
import { CHOICE_TYPES, RISK_TIERS, questionnaireDefinitionSchema } from '../src/modules/questionnaires/questionnaires.definition';
import type { Condition, Operand, Question, QuestionnaireDefinition, TriageQuestion } from '../src/modules/questionnaires/questionnaires.definition';
import { lgaResponsibleAi } from '../src/modules/questionnaires/builtin/lga-responsible-ai';

const problems: string[] = [];
const problem = (where: string, message: string): void => {
  problems.push(`${where}: ${message}`);
};

const parsed = questionnaireDefinitionSchema.safeParse(lgaResponsibleAi);
if (!parsed.success) {
  for (const issue of parsed.error.issues) problem(`schema ${issue.path.join('.') || '(root)'}`, issue.message);
  report();
  process.exit(1);
}
const def: QuestionnaireDefinition = parsed.data;

type AnyQuestion = { key: string; type: string; options?: Array<{ value: string }> };

const sectionKeys = def.sections.map((s) => s.key);
const riskAreaKeys = new Set(def.riskAreas.map((r) => r.key));
const triageByKey = new Map<string, TriageQuestion>();
const questionByKey = new Map<string, Question>();
const questionOrder = new Map<string, number>();
const questionSection = new Map<string, string>();

// ── Keys ───────────────────────────────────────────────────────────────────────
findDuplicates(sectionKeys).forEach((k) => problem(`section ${k}`, 'duplicate section key'));
findDuplicates(def.riskAreas.map((r) => r.key)).forEach((k) => problem(`riskArea ${k}`, 'duplicate risk area key'));
findDuplicates(def.triage.questions.map((q) => q.key)).forEach((k) => problem(`triage ${k}`, 'duplicate triage key'));
for (const q of def.triage.questions) triageByKey.set(q.key, q);

let order = 0;
for (const section of def.sections) {
  for (const q of section.questions) {
    if (questionByKey.has(q.key)) problem(`question ${q.key}`, 'duplicate question key');
    if (triageByKey.has(q.key)) problem(`question ${q.key}`, 'same key as a triage question');
    questionByKey.set(q.key, q);
    questionOrder.set(q.key, order++);
    questionSection.set(q.key, section.key);
  }
}
const refs = def.sections.flatMap((s) => s.questions.map((q) => q.ref).filter((r): r is string => r !== undefined));
findDuplicates(refs).forEach((r) => problem(`ref ${r}`, 'duplicate question ref'));

// ── Scale ──────────────────────────────────────────────────────────────────────
const expectedLabels = ['Unacceptable', 'Poor', 'Acceptable', 'Good', 'Excellent'];
def.scale.forEach((entry, i) => {
  if (entry.value !== i) problem(`scale[${i}]`, `value ${entry.value}, expected ${i}`);
  if (entry.label !== expectedLabels[i]) problem(`scale[${i}]`, `label "${entry.label}", expected "${expectedLabels[i]}"`);
});

// ── Risk areas ─────────────────────────────────────────────────────────────────
const criticalExpected = ['data_protection', 'fairness', 'oversight', 'security'];
const criticalActual = def.riskAreas.filter((r) => r.critical).map((r) => r.key).sort();
if (criticalActual.join() !== criticalExpected.join()) problem('riskAreas', `critical areas are ${criticalActual.join(', ')}, expected ${criticalExpected.join(', ')}`);

// ── Weights ────────────────────────────────────────────────────────────────────
for (const tier of RISK_TIERS) {
  const weights = def.weights[tier];
  const keys = Object.keys(weights);
  for (const k of sectionKeys) if (!(k in weights)) problem(`weights.${tier}`, `missing section ${k}`);
  for (const k of keys) if (!sectionKeys.includes(k)) problem(`weights.${tier}`, `unknown section ${k}`);
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 100) > 1e-9) problem(`weights.${tier}`, `sums to ${sum}, expected 100`);
}

// ── Triage ─────────────────────────────────────────────────────────────────────
for (const q of def.triage.questions) checkOptionsShape(`triage ${q.key}`, q);
const ruleTiers = def.triage.tierRules.map((r) => r.tier);
if (ruleTiers.join() !== 'very_high,high,medium') problem('triage.tierRules', `tiers in order ${ruleTiers.join(', ')}, expected very_high, high, medium`);
if (def.triage.defaultTier !== 'low') problem('triage.defaultTier', `is ${def.triage.defaultTier}, expected low`);
def.triage.tierRules.forEach((rule, i) => {
  walkCondition(rule.when, (operand, node) => {
    if (!('triage' in operand)) problem(`triage.tierRules[${i}]`, 'tier rules may only look at triage answers');
    checkOperand(`triage.tierRules[${i}]`, operand, node);
  });
});

// ── Sections and questions ─────────────────────────────────────────────────────
for (const section of def.sections) {
  const where = `section ${section.key}`;
  if (!riskAreaKeys.has(section.riskArea)) problem(where, `unknown riskArea ${section.riskArea}`);
  if (section.showIf) {
    walkCondition(section.showIf, (operand, node) => {
      checkOperand(where, operand, node);
      if ('question' in operand && questionSection.get(operand.question) === section.key) problem(where, 'showIf refers to its own question');
    });
  }
  for (const q of section.questions) checkQuestion(section.key, q);
}

function checkQuestion(sectionKey: string, q: Question): void {
  const where = `question ${q.key}`;
  const isChoice = CHOICE_TYPES.includes(q.type);
  if (!q.key.startsWith(`${sectionKey}.`)) problem(where, `key should start with "${sectionKey}."`);
  if (q.guidance.trim().length === 0) problem(where, 'no guidance');
  if (q.sources.length === 0) problem(where, 'no source');
  for (const ra of q.riskAreas) if (!riskAreaKeys.has(ra)) problem(where, `unknown risk area ${ra}`);
  if (q.atrsField !== undefined && !/^(tier1|tier2|metadata)\.[a-z0-9_.]+$/.test(q.atrsField)) problem(where, `atrsField "${q.atrsField}" is not tier1./tier2./metadata.`);

  checkOptionsShape(where, q);
  const options = q.options ?? [];

  // Scoring method against type.
  const s = q.scoring;
  if (s.method === 'options') {
    if (!isChoice) problem(where, `options scoring on a ${q.type} question`);
    for (const o of options) {
      if (o.notApplicable && o.score !== undefined) problem(where, `option ${o.value} is notApplicable but has a score`);
      if (!o.notApplicable && o.score === undefined) problem(where, `option ${o.value} has no score`);
    }
    if (options.every((o) => o.notApplicable)) problem(where, 'every option is notApplicable');
    if (s.aggregate !== undefined && q.type !== 'multi_choice') problem(where, 'aggregate is only for multi_choice');
  } else {
    for (const o of options) if (o.score !== undefined || o.notApplicable) problem(where, `option ${o.value} carries a score or notApplicable but scoring is ${s.method}`);
  }
  if (s.method === 'bands') {
    if (q.type !== 'number') problem(where, `bands scoring on a ${q.type} question`);
    else checkBands(where, q, s.bands);
  }
  if (s.method === 'manual' && q.type !== 'long_text' && q.type !== 'short_text') problem(where, `manual scoring on a ${q.type} question`);

  // Types and limits.
  if (q.type === 'number') {
    if (q.limits?.min === undefined || q.limits.max === undefined) problem(where, 'number question without limits.min and limits.max');
  }
  if (q.type === 'short_text' || q.type === 'long_text' || q.type === 'url') {
    const max = q.limits?.maxLength;
    if (max === undefined) problem(where, `${q.type} question without limits.maxLength`);
    else if (q.type === 'long_text' && (max < 5000 || max > 10000)) problem(where, `long_text maxLength ${max} outside 5000–10000`);
    else if (q.type === 'short_text' && (max < 200 || max > 500)) problem(where, `short_text maxLength ${max} outside 200–500`);
  }
  if (q.type === 'file') {
    if (!q.evidence?.requested) problem(where, 'file question must request evidence');
    if (s.method !== 'none' && s.method !== 'manual') problem(where, `file question scored by ${s.method}`);
  }
  if (q.evidence?.mandatory && !q.evidence.requested) problem(where, 'evidence is mandatory but not requested');

  // Conditions.
  if (q.showIf) {
    walkCondition(q.showIf, (operand, node) => {
      checkOperand(where, operand, node);
      if ('question' in operand) {
        const target = questionOrder.get(operand.question);
        const own = questionOrder.get(q.key);
        if (target !== undefined && own !== undefined && target >= own) problem(where, `showIf refers to ${operand.question}, which is not earlier`);
      }
    });
  }

  // Gateway.
  if (q.gateway) {
    if (q.type !== 'yes_no' && q.type !== 'single_choice') problem(where, `gateway on a ${q.type} question`);
    walkCondition(q.gateway.pass, (operand, node) => {
      checkOperand(`${where} gateway`, operand, node);
      if (!('question' in operand) || operand.question !== q.key) problem(`${where} gateway`, 'pass condition must look only at this question');
    });
    const passing = options.filter((o) => evaluateOwn(q.gateway!.pass, q.key, o.value));
    if (passing.length === 0) problem(`${where} gateway`, 'no option passes');
    if (passing.length === options.length) problem(`${where} gateway`, 'every option passes, so the gateway can never fail');
  }
}

function checkOptionsShape(where: string, q: AnyQuestion): void {
  const isChoice = CHOICE_TYPES.includes(q.type as (typeof CHOICE_TYPES)[number]);
  if (!isChoice && q.options) problem(where, `options on a ${q.type} question`);
  if (isChoice && (!q.options || q.options.length === 0)) problem(where, 'choice question without options');
  const values = (q.options ?? []).map((o) => o.value);
  findDuplicates(values).forEach((v) => problem(where, `duplicate option value ${v}`));
  if (q.type === 'yes_no' && values.slice().sort().join() !== 'no,yes') problem(where, `yes_no options are [${values.join(', ')}], expected yes and no`);
}

function checkBands(where: string, q: Question, bands: Array<{ min?: number; max?: number }>): void {
  const sorted = bands.slice().sort((a, b) => (a.min ?? -Infinity) - (b.min ?? -Infinity));
  sorted.forEach((b, i) => {
    if (b.min !== undefined && b.max !== undefined && b.min >= b.max) problem(where, `band [${b.min}, ${b.max}) is empty`);
    const next = sorted[i + 1];
    if (next) {
      const end = b.max ?? Infinity;
      const start = next.min ?? -Infinity;
      if (end > start) problem(where, `bands overlap at ${start}`);
      if (end < start) problem(where, `gap between bands from ${end} to ${start}`);
    }
  });
  const lo = sorted[0]?.min ?? -Infinity;
  const hi = sorted[sorted.length - 1]?.max ?? Infinity;
  if (q.limits?.min !== undefined && lo > q.limits.min) problem(where, `bands start at ${lo}, above limits.min ${q.limits.min}`);
  if (q.limits?.max !== undefined && hi <= q.limits.max) problem(where, `bands end at ${hi}, not covering limits.max ${q.limits.max}`);
}

/** Checks one comparison: the operand exists and the compared values fit the target question. */
function checkOperand(where: string, operand: Operand, node: Condition): void {
  const target: AnyQuestion | undefined = 'question' in operand ? questionByKey.get(operand.question) : triageByKey.get(operand.triage);
  const name = 'question' in operand ? `question ${operand.question}` : `triage ${operand.triage}`;
  if (!target) {
    problem(where, `condition refers to unknown ${name}`);
    return;
  }
  const isChoice = CHOICE_TYPES.includes(target.type as (typeof CHOICE_TYPES)[number]);
  const optionValues = new Set((target.options ?? []).map((o) => o.value));
  const checkValue = (v: unknown): void => {
    if (isChoice && !optionValues.has(String(v))) problem(where, `value "${String(v)}" is not an option of ${name}`);
  };
  if ('equals' in node) checkValue(node.equals.value);
  if ('in' in node) node.in.values.forEach(checkValue);
  if ('contains' in node) {
    if (target.type !== 'multi_choice') problem(where, `contains used on ${name}, which is ${target.type}`);
    checkValue(node.contains.value);
  }
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    if (op in node && target.type !== 'number') problem(where, `${op} used on ${name}, which is ${target.type}`);
  }
}

/** Calls `visit` for every comparison in the tree, with its operand. */
function walkCondition(c: Condition, visit: (operand: Operand, node: Condition) => void): void {
  if ('all' in c) c.all.forEach((x) => walkCondition(x, visit));
  else if ('any' in c) c.any.forEach((x) => walkCondition(x, visit));
  else if ('not' in c) walkCondition(c.not, visit);
  else if ('answered' in c) visit(c.answered, c);
  else {
    const inner = Object.values(c)[0] as Operand;
    visit(inner, c);
  }
}

/** Evaluates a gateway pass condition for one option value of its own question. */
function evaluateOwn(c: Condition, key: string, value: string): boolean {
  if ('all' in c) return c.all.every((x) => evaluateOwn(x, key, value));
  if ('any' in c) return c.any.some((x) => evaluateOwn(x, key, value));
  if ('not' in c) return !evaluateOwn(c.not, key, value);
  if ('equals' in c) return c.equals.value === value;
  if ('in' in c) return c.in.values.includes(value);
  if ('answered' in c) return true;
  return false;
}

// ── Cycles (section and question showIf over questions) ────────────────────────
{
  const edges = new Map<string, string[]>();
  for (const section of def.sections) {
    const deps: string[] = [];
    if (section.showIf) walkCondition(section.showIf, (o) => 'question' in o && deps.push(o.question));
    for (const q of section.questions) {
      const own = [...deps];
      if (q.showIf) walkCondition(q.showIf, (o) => 'question' in o && own.push(o.question));
      edges.set(q.key, own);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (k: string, path: string[]): void => {
    if (state.get(k) === 'done') return;
    if (state.get(k) === 'visiting') {
      problem('conditions', `cycle: ${[...path, k].join(' → ')}`);
      return;
    }
    state.set(k, 'visiting');
    for (const d of edges.get(k) ?? []) visit(d, [...path, k]);
    state.set(k, 'done');
  };
  for (const k of edges.keys()) visit(k, []);
}

// ── Counts ─────────────────────────────────────────────────────────────────────
const allQuestions = def.sections.flatMap((s) => s.questions);
const conditionalSections = def.sections.filter((s) => s.showIf).length;
const unconditionalSections = def.sections.length - conditionalSections;
if (unconditionalSections < 11) problem('sections', `${unconditionalSections} unconditional sections, expected at least 11`);
if (conditionalSections < 2) problem('sections', `${conditionalSections} conditional sections, expected 2`);
if (allQuestions.length < 72) problem('questions', `${allQuestions.length} supplier questions, expected at least 72`);
const mandatoryEvidence = allQuestions.filter((q) => q.evidence?.mandatory);

report();
process.exit(problems.length === 0 ? 0 : 1);

function report(): void {
  if (parsed.success) {
    const gateways = allQuestions.filter((q) => q.gateway);
    const countBy = (values: string[]): string =>
      Object.entries(values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {}))
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    console.log(`${def.key} ${def.version}`);
    console.log(`sections: ${def.sections.length} (${unconditionalSections} always shown, ${conditionalSections} conditional)`);
    console.log(`triage questions: ${def.triage.questions.length}; tier rules: ${def.triage.tierRules.length}`);
    console.log(`supplier questions: ${allQuestions.length} (${allQuestions.filter((q) => !q.showIf).length} without showIf, ${allQuestions.filter((q) => q.required).length} required)`);
    for (const s of def.sections) console.log(`  ${s.ref ?? ''} ${s.key}: ${s.questions.length}`);
    console.log(`questions per type: ${countBy(allQuestions.map((q) => q.type))}`);
    console.log(`scoring methods: ${countBy(allQuestions.map((q) => q.scoring.method))}`);
    console.log(`evidence requested: ${allQuestions.filter((q) => q.evidence?.requested).length}; mandatory: ${mandatoryEvidence.length} (${mandatoryEvidence.map((q) => q.key).join(', ')})`);
    console.log(`gateways: ${gateways.length}`);
    for (const q of gateways) console.log(`  ${q.ref ?? ''} ${q.key} (${q.gateway!.minTier ?? 'always'})`);
  }
  if (problems.length === 0) {
    console.log('no problems');
  } else {
    console.log(`${problems.length} problem(s):`);
    for (const p of problems) console.log(`  - ${p}`);
  }
}

function findDuplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const v of values) (seen.has(v) ? dupes : seen).add(v);
  return [...dupes];
}
