import {
  CHOICE_TYPES,
  RISK_TIERS,
  questionnaireDefinitionSchema,
  type Condition,
  type Operand,
  type QuestionnaireDefinition,
} from './questionnaires.definition';
import { compareVersions, evaluateCondition } from './questionnaires.models';
import { ATRS_TEMPLATE, isAtrsField } from './atrs.template';

/** One problem with a definition: where (a JSON pointer into the document) and what, in plain words. */
export type DefinitionProblem = { path: string; message: string };

export type DefinitionValidation = { ok: true; definition: QuestionnaireDefinition } | { ok: false; problems: DefinitionProblem[] };

type AnyQuestion = { key: string; type: string; options?: Array<{ value: string }> | undefined };

const pointer = (parts: Array<string | number>) => `/${parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** Calls `visit` for every comparison in a condition tree, with its operand and its path. */
export function walkCondition(condition: Condition, path: Array<string | number>, visit: (operand: Operand, node: Condition, path: Array<string | number>) => void): void {
  if ('all' in condition) condition.all.forEach((c, i) => walkCondition(c, [...path, 'all', i], visit));
  else if ('any' in condition) condition.any.forEach((c, i) => walkCondition(c, [...path, 'any', i], visit));
  else if ('not' in condition) walkCondition(condition.not, [...path, 'not'], visit);
  else if ('answered' in condition) visit(condition.answered, condition, path);
  else {
    const [operator, operand] = Object.entries(condition)[0] as [string, Operand];
    visit(operand, condition, [...path, operator]);
  }
}

/**
 * Checks a definition: its shape (the zod schema), then every rule that needs the whole document.
 * Reports every problem found, not just the first, each with its path.
 */
export function validateDefinition(input: unknown): DefinitionValidation {
  const parsed = questionnaireDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: pointer(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))), message: issue.message })) };
  }
  const definition = parsed.data;
  const problems: DefinitionProblem[] = [];
  const add = (path: Array<string | number>, message: string) => problems.push({ path: pointer(path), message });

  const riskAreas = new Set<string>();
  definition.riskAreas.forEach((area, i) => {
    if (riskAreas.has(area.key)) add(['riskAreas', i, 'key'], `risk area "${area.key}" is declared twice`);
    riskAreas.add(area.key);
  });

  definition.scale.forEach((mark, i) => {
    if (mark.value !== i) add(['scale', i, 'value'], `the scale must list the marks 0 to 4 in order; found ${mark.value} at position ${i}`);
  });

  const triage = new Map<string, AnyQuestion>();
  definition.triage.questions.forEach((question, i) => {
    if (triage.has(question.key)) add(['triage', 'questions', i, 'key'], `triage question "${question.key}" is declared twice`);
    else triage.set(question.key, question);
    checkOptions(['triage', 'questions', i], question);
  });

  const questions = new Map<string, AnyQuestion>();
  const sectionKeys = new Set<string>();
  definition.sections.forEach((section, s) => {
    if (sectionKeys.has(section.key)) add(['sections', s, 'key'], `section "${section.key}" is declared twice`);
    sectionKeys.add(section.key);
    section.questions.forEach((question, q) => {
      if (questions.has(question.key)) add(['sections', s, 'questions', q, 'key'], `question "${question.key}" is declared twice`);
      else questions.set(question.key, question);
      if (triage.has(question.key)) add(['sections', s, 'questions', q, 'key'], `question "${question.key}" has the same key as a triage question`);
    });
  });

  function checkOptions(path: Array<string | number>, question: AnyQuestion): void {
    const isChoice = (CHOICE_TYPES as readonly string[]).includes(question.type);
    if (!isChoice && question.options) add([...path, 'options'], `only choice questions have options; this one is ${question.type}`);
    if (isChoice && (!question.options || question.options.length === 0)) add([...path], `a ${question.type} question needs options`);
    const seen = new Set<string>();
    (question.options ?? []).forEach((option, i) => {
      if (seen.has(option.value)) add([...path, 'options', i, 'value'], `option value "${option.value}" is used twice`);
      seen.add(option.value);
    });
    if (question.type === 'yes_no' && question.options && [...seen].sort().join(',') !== 'no,yes') {
      add([...path, 'options'], 'a yes_no question has exactly the options "yes" and "no"');
    }
  }

  function checkOperand(path: Array<string | number>, operand: Operand, node: Condition): void {
    const target = 'question' in operand ? questions.get(operand.question) : triage.get(operand.triage);
    const name = 'question' in operand ? `question "${operand.question}"` : `triage question "${operand.triage}"`;
    if (!target) {
      add(path, `the condition refers to ${name}, which does not exist`);
      return;
    }
    const isChoice = (CHOICE_TYPES as readonly string[]).includes(target.type);
    const values = new Set((target.options ?? []).map((o) => o.value));
    const checkValue = (value: unknown) => {
      if (isChoice && !values.has(String(value))) add(path, `"${String(value)}" is not an option of ${name}`);
    };
    if ('equals' in node) checkValue(node.equals.value);
    if ('in' in node) node.in.values.forEach(checkValue);
    if ('contains' in node) {
      if (target.type !== 'multi_choice') add(path, `"contains" needs a multi_choice question; ${name} is ${target.type}`);
      checkValue(node.contains.value);
    }
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      if (op in node && target.type !== 'number') add(path, `"${op}" needs a number question; ${name} is ${target.type}`);
    }
  }

  definition.triage.tierRules.forEach((rule, i) => {
    walkCondition(rule.when, ['triage', 'tierRules', i, 'when'], (operand, node, path) => {
      if (!('triage' in operand)) add(path, 'tier rules can only look at triage answers');
      else checkOperand(path, operand, node);
    });
  });

  for (const tier of RISK_TIERS) {
    const weights = definition.weights[tier];
    for (const key of sectionKeys) if (!(key in weights)) add(['weights', tier], `no weight for section "${key}"`);
    for (const key of Object.keys(weights)) if (!sectionKeys.has(key)) add(['weights', tier, key], `"${key}" is not a section`);
    const sum = Object.values(weights).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 100) > 1e-9) add(['weights', tier], `the ${tier} weights add up to ${sum}, not 100`);
  }

  // Which questions each question's visibility depends on, for the cycle check.
  const dependsOn = new Map<string, string[]>();

  definition.sections.forEach((section, s) => {
    const sectionPath = ['sections', s];
    if (!riskAreas.has(section.riskArea)) add([...sectionPath, 'riskArea'], `"${section.riskArea}" is not a declared risk area`);
    const sectionDeps: string[] = [];
    if (section.showIf) {
      walkCondition(section.showIf, [...sectionPath, 'showIf'], (operand, node, path) => {
        checkOperand(path, operand, node);
        if ('question' in operand) sectionDeps.push(operand.question);
      });
    }
    section.questions.forEach((question, q) => {
      const path = [...sectionPath, 'questions', q];
      const isChoice = (CHOICE_TYPES as readonly string[]).includes(question.type);
      checkOptions(path, question);
      question.riskAreas.forEach((area, i) => {
        if (!riskAreas.has(area)) add([...path, 'riskAreas', i], `"${area}" is not a declared risk area`);
      });

      const scoring = question.scoring;
      if (scoring.method === 'options') {
        if (!isChoice) add([...path, 'scoring'], `options scoring needs a choice question; this one is ${question.type}`);
        (question.options ?? []).forEach((option, i) => {
          if (option.notApplicable && option.score !== undefined) add([...path, 'options', i], `option "${option.value}" is not-applicable, so it cannot carry a score`);
          if (!option.notApplicable && option.score === undefined) add([...path, 'options', i, 'score'], `option "${option.value}" needs a score from 0 to 4`);
        });
        if (scoring.aggregate !== undefined && question.type !== 'multi_choice') add([...path, 'scoring', 'aggregate'], 'aggregate applies to multi_choice questions only');
      } else {
        (question.options ?? []).forEach((option, i) => {
          if (option.score !== undefined) add([...path, 'options', i, 'score'], `option "${option.value}" has a score, but the question is scored by ${scoring.method}`);
        });
      }
      if (scoring.method === 'bands') {
        if (question.type !== 'number') add([...path, 'scoring'], `bands need a number question; this one is ${question.type}`);
        const bands = [...scoring.bands].sort((a, b) => (a.min ?? -Infinity) - (b.min ?? -Infinity));
        bands.forEach((band, i) => {
          if (band.min !== undefined && band.max !== undefined && band.min >= band.max) add([...path, 'scoring', 'bands'], `the band from ${band.min} to ${band.max} is empty`);
          const next = bands[i + 1];
          if (next && (band.max ?? Infinity) > (next.min ?? -Infinity)) add([...path, 'scoring', 'bands'], `bands overlap at ${next.min ?? '-∞'}`);
          if (next && (band.max ?? Infinity) < (next.min ?? -Infinity)) add([...path, 'scoring', 'bands'], `no band scores answers from ${band.max} to ${next.min}`);
        });
        // Every answer the question accepts must fall in some band, or it could not be scored.
        const lowest = bands[0]?.min ?? -Infinity;
        const highest = bands.at(-1)?.max ?? Infinity;
        const min = question.limits?.min ?? -Infinity;
        const max = question.limits?.max ?? Infinity;
        if (Number.isFinite(lowest) && lowest > min) add([...path, 'scoring', 'bands'], `answers below ${lowest} fall in no band; start the first band at ${Number.isFinite(min) ? min : 'no lower bound'}`);
        if (Number.isFinite(highest) && highest <= max) add([...path, 'scoring', 'bands'], `answers of ${highest} or more fall in no band; end the last band above ${Number.isFinite(max) ? max : 'every value'}`);
      }
      if (scoring.method === 'rubric') {
        if (question.type !== 'multi_choice') add([...path, 'scoring'], `a rubric needs a multi_choice question; this one is ${question.type}`);
        const byValue = new Map((question.options ?? []).map((o) => [o.value, o] as const));
        const scores = new Set<number>();
        scoring.levels.forEach((level, l) => {
          if (scores.has(level.score)) add([...path, 'scoring', 'levels', l, 'score'], `two rubric levels score ${level.score}`);
          scores.add(level.score);
          level.requires.forEach((value, r) => {
            const option = byValue.get(value);
            if (!option) add([...path, 'scoring', 'levels', l, 'requires', r], `"${value}" is not an option of this question`);
            else if (option.notApplicable) add([...path, 'scoring', 'levels', l, 'requires', r], `"${value}" means not applicable, so a rubric level cannot require it`);
          });
        });
      }
      if (scoring.method === 'manual' && !['long_text', 'short_text', 'file', 'url'].includes(question.type)) {
        add([...path, 'scoring'], `manual marking is for text and evidence questions; this one is ${question.type}`);
      }
      if (question.type === 'file' && !question.evidence?.requested) add([...path, 'evidence'], 'a file question must request evidence');
      if (question.evidence?.mandatory && !question.evidence.requested) add([...path, 'evidence'], 'evidence cannot be mandatory without being requested');
      if (question.limits?.min !== undefined && question.limits.max !== undefined && question.limits.min > question.limits.max) add([...path, 'limits'], 'min is greater than max');
      if (question.date && question.type !== 'date') add([...path, 'date'], `only a date question can say what its date is of; this one is ${question.type}`);
      // A misspelt field would put the answer nowhere in the draft transparency record.
      if (question.atrsField !== undefined && !isAtrsField(question.atrsField)) add([...path, 'atrsField'], `"${question.atrsField}" is not a field of the ATRS template (version ${ATRS_TEMPLATE.version})`);

      const deps = [...sectionDeps];
      if (question.showIf) {
        walkCondition(question.showIf, [...path, 'showIf'], (operand, node, condPath) => {
          checkOperand(condPath, operand, node);
          if ('question' in operand) deps.push(operand.question);
        });
      }
      dependsOn.set(question.key, deps);

      if (question.gateway) {
        if (question.type !== 'yes_no' && question.type !== 'single_choice') add([...path, 'gateway'], `a gateway needs a yes_no or single_choice question; this one is ${question.type}`);
        walkCondition(question.gateway.pass, [...path, 'gateway', 'pass'], (operand, node, condPath) => {
          if (!('question' in operand) || operand.question !== question.key) add(condPath, 'a gateway pass condition looks only at its own question');
          else checkOperand(condPath, operand, node);
        });
      }
      (question.options ?? []).forEach((option, o) => {
        const optionPath = [...path, 'options', o];
        if (option.usualOutcome !== undefined && option.gatewayOutcome !== 'review') add([...optionPath, 'usualOutcome'], 'a usual outcome goes only with gatewayOutcome "review"');
        if (option.gatewayOutcome === undefined) return;
        if (!question.gateway) return add([...optionPath, 'gatewayOutcome'], 'a gateway outcome needs a question with a gateway');
        if (option.gatewayOutcome === 'review') return;
        // The pass condition looks only at this question, so it decides each option alone.
        const passes = evaluateCondition(question.gateway.pass, (operand) => ('question' in operand && operand.question === question.key ? option.value : undefined));
        if (passes !== (option.gatewayOutcome === 'pass')) add([...optionPath, 'gatewayOutcome'], `"${option.gatewayOutcome}" contradicts the gateway's pass condition, which ${passes ? 'passes' : 'fails'} this option`);
      });
    });
  });

  // Consistency rules are checked like any condition; one over triage answers alone would flag every response alike.
  const ruleKeys = new Set<string>();
  (definition.consistency ?? []).forEach((rule, i) => {
    if (ruleKeys.has(rule.key)) add(['consistency', i, 'key'], `consistency rule "${rule.key}" is declared twice`);
    ruleKeys.add(rule.key);
    const answersSeen: string[] = [];
    walkCondition(rule.when, ['consistency', i, 'when'], (operand, node, path) => {
      checkOperand(path, operand, node);
      if ('question' in operand) answersSeen.push(operand.question);
    });
    if (answersSeen.length === 0) add(['consistency', i, 'when'], 'a consistency rule must look at one or more of the supplier’s answers');
  });

  // A change log names versions up to this one, each once; a later one would describe a version that does not exist yet.
  const logged = new Set<string>();
  (definition.changeLog ?? []).forEach((entry, i) => {
    if (logged.has(entry.version)) add(['changeLog', i, 'version'], `the change log has two entries for version ${entry.version}`);
    logged.add(entry.version);
    if (compareVersions(entry.version, definition.version) > 0) add(['changeLog', i, 'version'], `the change log names version ${entry.version}, later than this definition's version ${definition.version}`);
  });

  // A question whose visibility depends, through any chain, on itself can never be decided.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (key: string, trail: string[]): void => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(key)), key];
      const id = [...cycle].sort().join(',');
      if (!reported.has(id)) {
        reported.add(id);
        add(['sections'], `conditions form a cycle: ${cycle.join(' → ')}`);
      }
      return;
    }
    state.set(key, 'visiting');
    for (const dep of dependsOn.get(key) ?? []) visit(dep, [...trail, key]);
    state.set(key, 'done');
  };
  for (const key of dependsOn.keys()) visit(key, []);

  return problems.length === 0 ? { ok: true, definition } : { ok: false, problems };
}
