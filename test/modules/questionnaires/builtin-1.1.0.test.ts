import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../../src/platform/crypto';
import { lgaResponsibleAi } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai';
import { lgaResponsibleAi_1_1_0 } from '../../../src/modules/questionnaires/builtin/lga-responsible-ai-1.1.0';
import { computeRiskTier, resolveVisibility, validateDefinition, type Answers, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { buildMethodology } from '../../../src/modules/questionnaires/questionnaires.methodology';
import { BUILT_IN_DEFINITIONS, definitionHash } from '../../../src/modules/questionnaires/questionnaires.usecases';
import { evaluateResponse, type EvaluationInput } from '../../../src/modules/scoring';
import { integrityFlags } from '../../../src/modules/scoring/integrity.models';
import { BUILT_IN_TRIAGE } from '../../helpers/built-in-triage';

/**
 * Version 1.1.0 of the built-in bank beside 1.0.0: it validates, its new triage tiers and sections
 * show when they should, the answers that need judgement go to the panel, the multiple-choice
 * questions it changed are marked by a rubric, and 1.0.0 still scores exactly as it did.
 */

function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

const v110 = parse(lgaResponsibleAi_1_1_0);
const v100 = parse(lgaResponsibleAi);
const questionsOf = (d: QuestionnaireDefinition) => d.sections.flatMap((s) => s.questions);
const question = (key: string) => questionsOf(v110).find((q) => q.key === key)!;
const root = path.resolve(import.meta.dirname, '../../..');

/** A triage that sets nothing above low: no personal data, internal, advisory. */
const LOW_TRIAGE: Answers = {
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

describe('the built-in bank lga-responsible-ai 1.1.0', () => {
  it('passes every rule an import must pass, and is shipped after 1.0.0 under the same key', () => {
    expect(validateDefinition(lgaResponsibleAi_1_1_0)).toMatchObject({ ok: true });
    expect(v110).toMatchObject({ key: 'lga-responsible-ai', version: '1.1.0' });
    expect(BUILT_IN_DEFINITIONS).toEqual([lgaResponsibleAi, lgaResponsibleAi_1_1_0]);
    expect([v110.sections.length, questionsOf(v110).length, questionsOf(v110).filter((q) => q.gateway).length]).toEqual([15, 139, 21]);
  });

  it('leaves 1.0.0 exactly as published: its validated definition hashes as before', () => {
    expect(definitionHash(v100)).toBe('e0b8c9ac1903d3581774e1817a0c1ac062c14c58a38259992fef357da91e8274');
    expect([v100.version, v100.sections.length, questionsOf(v100).length, v100.changeLog]).toEqual(['1.0.0', 13, 110, undefined]);
  });

  it('gives every question guidance and a source, and the new sources their names', () => {
    for (const q of questionsOf(v110)) {
      expect(q.guidance.trim().length, q.key).toBeGreaterThan(20);
      expect(q.sources.length, q.key).toBeGreaterThan(0);
    }
    const cited = new Set(questionsOf(v110).flatMap((q) => q.sources));
    for (const code of ['PSED', 'FOIA', 'AADC', 'MSA', 'DUAA', 'PPN002', 'WLS', 'PPN017']) expect(cited.has(code as never), code).toBe(true);
    // PPN 017 replaced PPN 02/24 for procurements under the Procurement Act 2023.
    expect(cited.has('PPN02/24')).toBe(false);
  });

  it('shows a comment box wherever a question asks for one: none of them is a file question, which has no comment', () => {
    const asking = questionsOf(v110).filter((q) => [q.text, q.guidance, ...(q.options ?? []).map((o) => o.label)].some((t) => /comment box/i.test(t)));
    expect(asking.length).toBeGreaterThan(20);
    expect(asking.filter((q) => q.type === 'file').map((q) => q.key)).toEqual([]);
  });

  it('says what each date is of: completion for audits and tests, expiry for certificates', () => {
    const dates = Object.fromEntries(questionsOf(v110).filter((q) => q.type === 'date').map((q) => [q.key, q.date?.of]));
    expect(dates).toEqual({
      'fairness.independent_audit_date': 'completion',
      'security.cyber_essentials_expiry': 'expiry',
      'security.last_penetration_test_date': 'completion',
      'resilience.recovery_test_date': 'completion',
    });
  });

  it('records its change log, each change with its sources, and publishes it', () => {
    expect(v110.changeLog?.map((e) => e.version)).toEqual(['1.1.0', '1.0.0']);
    const changes = v110.changeLog![0]!.changes;
    expect(changes.length).toBeGreaterThanOrEqual(13);
    expect(buildMethodology(v110).changeLog).toEqual(v110.changeLog);
    // The builtin README carries the same list.
    const readme = readFileSync(path.join(root, 'src/modules/questionnaires/builtin/README.md'), 'utf8');
    for (const change of changes) expect(readme, change).toContain(change);
  });
});

describe('1.1.0 triage: biometric and children’s data raise the tier', () => {
  const tierOf = (definition: QuestionnaireDefinition, categories: string[]) =>
    computeRiskTier({ definition, triage: { ...LOW_TRIAGE, 'triage.data_categories': categories } }).tier;

  it.each([
    ['no personal data stays low', ['none'], 'low'],
    ['personal data is medium', ['personal'], 'medium'],
    ['biometric data is high', ['biometric'], 'high'],
    ['biometric beside personal data is high', ['personal', 'biometric'], 'high'],
    ['children’s data is high', ['children'], 'high'],
  ])('%s', (_name, categories, tier) => {
    expect(tierOf(v110, categories)).toBe(tier);
  });

  it('offers biometric data as a category only from 1.1.0', () => {
    expect(v100.triage.questions.find((q) => q.key === 'triage.data_categories')!.options!.map((o) => o.value)).not.toContain('biometric');
    expect(v110.triage.questions.find((q) => q.key === 'triage.data_categories')!.options!.map((o) => o.value)).toContain('biometric');
  });
});

describe('1.1.0 sections and questions shown by the triage', () => {
  const visible = (triage: Answers, answers: Answers = {}) => resolveVisibility({ definition: v110, triage, answers });
  const sectionShown = (triage: Answers, key: string) => visible(triage).sections.find((s) => s.key === key)!.visible;

  it.each([
    ['a public-facing generative tool', { 'triage.public_facing': 'yes', 'triage.generative_ai': 'yes' }, true],
    ['a generative tool only staff use', { 'triage.public_facing': 'no', 'triage.generative_ai': 'yes' }, false],
    ['a public-facing tool that is not generative', { 'triage.public_facing': 'yes', 'triage.generative_ai': 'no' }, false],
  ])('shows the public-facing generative AI section for %s: %s', (_name, change, shown) => {
    expect(sectionShown({ ...LOW_TRIAGE, ...change }, 'public_ai')).toBe(shown);
  });

  it('always shows service resilience', () => {
    expect(sectionShown(LOW_TRIAGE, 'resilience')).toBe(true);
  });

  it('asks about the Children’s Code only with children’s data, and about biometric recognition only with biometric data', () => {
    const shown = (categories: string[]) => {
      const v = visible({ ...LOW_TRIAGE, 'triage.data_categories': categories });
      return ['data_protection.childrens_code', 'data_protection.biometric_safeguards'].filter((k) => v.isVisible(k));
    };
    expect(shown(['personal'])).toEqual([]);
    expect(shown(['children'])).toEqual(['data_protection.childrens_code']);
    expect(shown(['biometric', 'children'])).toEqual(['data_protection.childrens_code', 'data_protection.biometric_safeguards']);
  });

  it('asks for DPIA help whenever personal data is processed, at every tier, and not otherwise', () => {
    const dpia = question('data_protection.dpia_support');
    expect(dpia.gateway?.minTier).toBeUndefined();
    expect(visible({ ...LOW_TRIAGE, 'triage.data_categories': ['personal'] }).isVisible(dpia.key)).toBe(true);
    expect(visible(LOW_TRIAGE, { 'data_protection.personal_data_needed': ['contact_details'] }).isVisible(dpia.key)).toBe(true);
    expect(visible(LOW_TRIAGE, { 'data_protection.personal_data_needed': ['none'] }).isVisible(dpia.key)).toBe(false);
  });
});

/** An input to the engine at the medium tier, with `answers` as the only answers. */
function inputWith(answers: Answers, triage: Answers = BUILT_IN_TRIAGE): EvaluationInput {
  const tier = computeRiskTier({ definition: v110, triage }).tier;
  return { definition: v110, definitionHash: definitionHash(v110), riskTier: tier, weights: v110.weights[tier], triage, answers, evidence: {}, marks: {}, gatewayDecisions: {} };
}

describe('1.1.0 gateways the panel decides', () => {
  // How a supplier answers each gateway that needs judgement (the adversarial case of the panel issue).
  const REVIEW_ANSWERS = [
    ['6.8 a declared conflict of interest', 'oversight.conflicts_of_interest', 'declared', null],
    ['2.1 controller of council data', 'data_protection.gdpr_role', 'controller', null],
    ['2.1 joint controller', 'data_protection.gdpr_role', 'joint_controller', null],
    ['10.1 the AI schedule accepted with exceptions', 'contract.ai_schedule', 'accept_with_exceptions', null],
    ['6.2 automated decisions reviewed on request', 'oversight.automated_decisions', 'automated_with_review', null],
    ['5.1 Cyber Essentials in progress, usually passed on conditions', 'security.cyber_essentials', 'in_progress', 'conditional'],
    ['9.6b named on the debarment list', 'viability.debarment_list', 'yes', null],
  ] as const;

  it.each(REVIEW_ANSWERS)('%s leaves the gateway pending for the panel and the evaluation provisional', (_name, key, value, usual) => {
    const evaluation = evaluateResponse(inputWith({ [key]: value }));
    const gateway = evaluation.gateways.find((g) => g.questionKey === key)!;
    expect(gateway).toMatchObject({ outcome: 'pending', automaticOutcome: 'pending', review: true });
    expect(gateway.usualOutcome ?? null).toBe(usual);
    expect(evaluation.provisional).toBe(true);
  });

  it.each([
    ['6.8 nothing to declare', 'oversight.conflicts_of_interest', 'none', 'pass'],
    ['6.8 preferring not to say', 'oversight.conflicts_of_interest', 'prefer_not_to_say', 'fail'],
    ['2.1 a processor that signs', 'data_protection.gdpr_role', 'processor_will_sign', 'pass'],
    ['10.1 rejecting the schedule', 'contract.ai_schedule', 'reject', 'fail'],
    ['6.2 fully automated', 'oversight.automated_decisions', 'fully_automated', 'fail'],
    ['5.1 Cyber Essentials Plus', 'security.cyber_essentials', 'ce_plus', 'pass'],
  ] as const)('decides %s by the rule', (_name, key, value, outcome) => {
    expect(evaluateResponse(inputWith({ [key]: value })).gateways.find((g) => g.questionKey === key)).toMatchObject({ outcome });
  });

  it('publishes which answers the panel decides, and marks exclusion and conflicts as apart from the award criteria', () => {
    const panel = Object.fromEntries(buildMethodology(v110).gateways.filter((g) => g.decidedByPanel.length > 0).map((g) => [g.ref, g.decidedByPanel.map((d) => d.usualOutcome ?? 'panel')]));
    expect(panel).toEqual({ '2.1': ['panel', 'panel'], '5.1': ['conditional'], '6.2': ['panel'], '6.8': ['panel'], '9.6b': ['panel'], '10.1': ['panel'] });
    expect(questionsOf(v110).filter((q) => q.gateway?.separateFromAward).map((q) => q.ref)).toEqual(['6.8', '9.6', '9.6b']);
  });
});

describe('1.1.0 multiple-choice questions marked by a rubric', () => {
  const scoreOf = (key: string, chosen: string[]) => evaluateResponse(inputWith({ [key]: chosen })).questions.find((q) => q.key === key)!;

  it.each([
    ['5.4 three attacks that leave out prompt injection earn nothing', 'security.ai_threats_tested', ['jailbreaks', 'data_poisoning', 'model_extraction'], 0],
    ['5.4 both kinds of prompt injection', 'security.ai_threats_tested', ['prompt_injection', 'indirect_prompt_injection'], 2],
    ['5.4 every attack', 'security.ai_threats_tested', ['prompt_injection', 'indirect_prompt_injection', 'jailbreaks', 'data_poisoning', 'model_extraction', 'insecure_output_handling'], 4],
    ['3.2 everything but the reasons earns nothing', 'transparency.explanation_types', ['responsibility', 'data', 'fairness', 'safety_performance', 'impact'], 0],
    ['3.2 the reasons and who to ask for a review', 'transparency.explanation_types', ['rationale', 'responsibility'], 2],
    ['3.3 a bill of materials alone earns nothing', 'transparency.technical_documentation', ['sbom', 'data_cards'], 0],
    ['3.3 intended use and a model card', 'transparency.technical_documentation', ['intended_use', 'model_card'], 2],
    ['2.5a masking without control of what is sent', 'data_protection.minimisation', ['redaction', 'pseudonymisation', 'synthetic_test_data'], 0],
    ['2.5a every way', 'data_protection.minimisation', ['configurable_fields', 'no_prompt_storage', 'redaction', 'pseudonymisation', 'synthetic_test_data'], 4],
    ['5.3 ten principles without supply chain or monitoring', 'security.ai_cyber_code_principles_met', ['awareness', 'secure_design', 'threat_modelling', 'human_responsibility', 'asset_inventory', 'secure_infrastructure', 'documentation', 'security_testing', 'user_communication', 'security_updates'], 2],
    ['7.9 no training, short retention, no human review and notice', 'model.upstream_terms', ['no_training', 'short_abuse_retention', 'no_provider_human_review', 'deprecation_notice'], 3],
  ])('%s', (_name, key, chosen, score) => {
    expect(scoreOf(key, chosen)).toMatchObject({ status: 'scored', score });
  });

  it('scores the same ticks by a capped sum in 1.0.0, so the change is only in 1.1.0', () => {
    const tier = 'medium' as const;
    const input: EvaluationInput = { definition: v100, definitionHash: definitionHash(v100), riskTier: tier, weights: v100.weights[tier], triage: BUILT_IN_TRIAGE, answers: { 'security.ai_threats_tested': ['jailbreaks', 'data_poisoning', 'model_extraction'] }, evidence: {}, marks: {}, gatewayDecisions: {} };
    expect(evaluateResponse(input).questions.find((q) => q.key === 'security.ai_threats_tested')).toMatchObject({ score: 3 });
  });

  it('leaves "we use no model from another provider" out of the score', () => {
    expect(scoreOf('model.upstream_terms', ['no_third_party_model'])).toMatchObject({ status: 'not_applicable', score: null });
  });
});

describe('1.1.0 answers that contradict each other', () => {
  const flagsFor = (answers: Answers, triage: Answers = BUILT_IN_TRIAGE) =>
    integrityFlags({ definition: v110, triage, answers, confidential: [], evidence: [], submittedAt: new Date('2027-01-10T12:00:00Z'), now: new Date('2027-01-10T12:00:00Z'), declarations: [], amendments: [] })
      .flags.filter((f) => f.rule === 'answers_inconsistent')
      .map((f) => f.message);

  it('flags data kept in the UK or EEA with the UK–US data bridge as its safeguard, but not when data goes to the US', () => {
    const bridge = { 'data_protection.restricted_transfers': 'uk_us_data_bridge' };
    expect(flagsFor({ ...bridge, 'data_protection.processing_locations': ['uk', 'eea'] })).toEqual([expect.stringContaining('UK–US data bridge')]);
    expect(flagsFor({ ...bridge, 'data_protection.processing_locations': ['uk', 'us'] })).toEqual([]);
  });

  it('flags an advice-only answer to 6.2 when the council plans automated decisions', () => {
    const automated = { ...BUILT_IN_TRIAGE, 'triage.decision_role': 'fully_automated' };
    expect(flagsFor({ 'oversight.automated_decisions': 'advisory' }, automated)).toEqual([expect.stringContaining('(6.2)')]);
    expect(flagsFor({ 'oversight.automated_decisions': 'advisory' })).toEqual([]);
  });

  it('scores the UK–US data bridge as adequacy', () => {
    const transfers = evaluateResponse(inputWith({ 'data_protection.restricted_transfers': 'uk_us_data_bridge' })).questions.find((q) => q.key === 'data_protection.restricted_transfers');
    expect(transfers).toMatchObject({ score: 4 });
  });
});

describe('a procurement pinned to 1.0.0', () => {
  it('scores exactly as before: a stored evaluation recomputes to the same hash', () => {
    // Computed by the engine before 1.1.0 and rubric scoring existed, and stored with the answers it scored.
    const stored = JSON.parse(readFileSync(path.join(root, 'test/fixtures/lga-responsible-ai-1.0.0-evaluation.json'), 'utf8')) as Omit<EvaluationInput, 'definition'> & {
      evaluationSha256: string;
      inputsHash: string;
      overallScore: number;
      rating: string;
    };
    const { evaluationSha256, inputsHash, overallScore, rating, ...input } = stored;
    expect(input.definitionHash).toBe(definitionHash(v100));
    const evaluation = evaluateResponse({ ...input, definition: v100 });
    expect([evaluation.inputsHash, evaluation.overallScore, evaluation.rating]).toEqual([inputsHash, overallScore, rating]);
    expect(sha256Hex(canonicalJson(evaluation))).toBe(evaluationSha256);
  });
});
