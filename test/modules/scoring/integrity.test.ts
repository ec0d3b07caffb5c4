import { describe, expect, it } from 'vitest';
import { validateDefinition, type QuestionnaireDefinition } from '../../../src/modules/questionnaires';
import { INTEGRITY_RULES, MINIMUM_EVIDENCE_BYTES, integrityFlags, type IntegrityFlag, type IntegrityInput } from '../../../src/modules/scoring/integrity.models';
import { RESIDENCY_MESSAGE, integrityDefinition } from '../questionnaires/consistency.fixtures';

function parse(input: unknown): QuestionnaireDefinition {
  const result = validateDefinition(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definition;
}

const definition = parse(integrityDefinition());
const SUBMITTED = new Date('2026-12-06T10:00:00Z');
const sha = (n: number) => n.toString(16).padStart(64, '0');
const file = (questionKey: string, n: number, sizeBytes = 50_000, filename = `file-${n}.pdf`) => ({ questionKey, sha256: sha(n), sizeBytes, contentType: 'application/pdf', filename });

/** A clean response: every section visible, dates and files that raise nothing, nobody conflicted, nothing amended. */
function clean(overrides: Partial<IntegrityInput> = {}): IntegrityInput {
  return {
    definition,
    triage: { 'triage.personal_data': 'yes', 'triage.people': 10 },
    answers: {
      'a.training': 'never',
      'b.hours': 12,
      'c.residency': 'uk_eea',
      'c.transfer': 'none',
      'c.audit_date': '2026-03-01',
      'c.cert_expiry': '2027-03-01',
      'c.plain_date': '2010-01-01',
    },
    confidential: [],
    evidence: [file('b.hours', 1), file('c.policy', 2)],
    submittedAt: SUBMITTED,
    now: new Date('2026-12-20T09:00:00Z'),
    declarations: [
      { userId: 'u-1', hasConflict: false },
      { userId: 'u-2', hasConflict: false },
    ],
    amendments: [],
    ...overrides,
  };
}

const withAnswers = (answers: Record<string, unknown>, rest: Partial<IntegrityInput> = {}) => clean({ answers: { ...clean().answers, ...answers } as IntegrityInput['answers'], ...rest });
const flagsOf = (input: IntegrityInput) => integrityFlags(input).flags;
const rules = (flags: IntegrityFlag[]) => flags.map((f) => f.rule);

describe('integrity flags', () => {
  it('raises nothing for a clean response', () => {
    expect(flagsOf(clean())).toEqual([]);
  });

  describe('the same evidence file for different questions', () => {
    it('is flagged once, naming every question it was given for, in questionnaire order', () => {
      const flags = flagsOf(clean({ evidence: [file('c.policy', 7), file('b.hours', 7), file('b.hours', 3)] }));
      expect(flags).toEqual([
        {
          id: `evidence_reused:${sha(7)}`,
          rule: 'evidence_reused',
          ruleText: 'The same evidence file, by its SHA-256 fingerprint, is given for different questions.',
          questionKeys: ['b.hours', 'c.policy'],
          message: `The same file (SHA-256 ${sha(7).slice(0, 12)}…) is given as evidence for "Incident notification hours?" and 3.5.`,
        },
      ]);
    });

    it.each<[string, IntegrityInput['evidence'], Partial<IntegrityInput>]>([
      ['different files for different questions', [file('b.hours', 1), file('c.policy', 2)], {}],
      ['the same file twice for one question', [file('c.policy', 5), file('c.policy', 5)], {}],
      // Without personal data section b is hidden: its file is not evaluated, so it misleads nobody.
      ['the same file again for a hidden question', [file('b.hours', 5), file('c.policy', 5)], { triage: { 'triage.personal_data': 'no' } }],
    ])('is not flagged for %s', (_name, evidence, rest) => {
      expect(flagsOf(clean({ evidence, ...rest }))).toEqual([]);
    });
  });

  describe('an evidence file too small to be what it claims', () => {
    it(`is flagged below the default minimum of ${MINIMUM_EVIDENCE_BYTES} bytes, with its name and size`, () => {
      const flags = flagsOf(clean({ evidence: [file('c.policy', 2, MINIMUM_EVIDENCE_BYTES - 1, 'policy.pdf')] }));
      expect(flags).toEqual([
        {
          id: `evidence_too_small:c.policy:${sha(2)}`,
          rule: 'evidence_too_small',
          ruleText: 'An evidence file is smaller than 1,024 bytes, too small to be the document it claims to be.',
          questionKeys: ['c.policy'],
          message: 'The file "policy.pdf" given as evidence for 3.5 is 1023 bytes, under the 1,024-byte minimum for evidence.',
        },
      ]);
    });

    it('is not flagged at exactly the minimum', () => {
      expect(flagsOf(clean({ evidence: [file('c.policy', 2, MINIMUM_EVIDENCE_BYTES)] }))).toEqual([]);
    });

    it('takes the minimum as a parameter', () => {
      const evidence = [file('c.policy', 2, 1500)];
      expect(flagsOf(clean({ evidence }))).toEqual([]);
      const flags = flagsOf(clean({ evidence, minimumEvidenceBytes: 2048 }));
      expect(rules(flags)).toEqual(['evidence_too_small']);
      expect(flags[0]!.ruleText).toBe('An evidence file is smaller than 2,048 bytes, too small to be the document it claims to be.');
      expect(flags[0]!.message).toContain('is 1.5 KB, under the 2,048-byte minimum');
      expect(flagsOf(clean({ evidence: [file('c.policy', 2, 300)], minimumEvidenceBytes: 200 }))).toEqual([]);
    });

    it('does not name the file of a question answered in confidence', () => {
      const [flag] = flagsOf(clean({ evidence: [file('c.policy', 2, 100, 'acme-secret-pricing.pdf')], confidential: ['c.policy'] }));
      expect(flag!.message).toBe('A file given as evidence for 3.5 is 100 bytes, under the 1,024-byte minimum for evidence.');
    });
  });

  describe('a date in the future for something said to be finished', () => {
    it('is flagged when the completion date is after the day of submission', () => {
      expect(flagsOf(withAnswers({ 'c.audit_date': '2026-12-07' }))).toEqual([
        {
          id: 'completion_date_in_future:c.audit_date',
          rule: 'completion_date_in_future',
          ruleText: 'A date given for something said to be finished is after the day the response was submitted.',
          questionKeys: ['c.audit_date'],
          message: 'The answer to 3.3 gives 7 December 2026 for something said to be finished, which is after the response was submitted on 6 December 2026.',
        },
      ]);
    });

    it.each<[string, Record<string, unknown>, Partial<IntegrityInput>]>([
      ['a completion on the day of submission', { 'c.audit_date': '2026-12-06' }, {}],
      // 00:30 on 2 June in the UK is still 1 June in UTC; the UK day is the one the supplier meant.
      ['a completion "today" just after midnight in summer time', { 'c.audit_date': '2026-06-02' }, { submittedAt: new Date('2026-06-01T23:30:00Z') }],
      ['a future date on a date question that does not say what it is of', { 'c.plain_date': '2030-01-01' }, {}],
      ['a future expiry date', { 'c.cert_expiry': '2030-01-01' }, {}],
      ['an answer that is not a real date', { 'c.audit_date': '2027-02-30' }, {}],
    ])('is not flagged for %s', (_name, answers, rest) => {
      expect(flagsOf(withAnswers(answers, rest))).toEqual([]);
    });

    it('is read against today for a response not yet submitted', () => {
      const input = withAnswers({ 'c.audit_date': '2026-12-10' }, { submittedAt: null, now: new Date('2026-12-08T12:00:00Z') });
      expect(flagsOf(input).map((f) => f.message)).toEqual(['The answer to 3.3 gives 10 December 2026 for something said to be finished, which is after today, 8 December 2026.']);
      expect(flagsOf({ ...input, now: new Date('2026-12-10T12:00:00Z') })).toEqual([]);
    });

    it('does not quote the date of a question answered in confidence', () => {
      const [flag] = flagsOf(withAnswers({ 'c.audit_date': '2027-01-15' }, { confidential: ['c.audit_date'] }));
      expect(flag!.message).toBe('The answer to 3.3 gives a date for something said to be finished, which is after the response was submitted on 6 December 2026.');
      expect(flag!.message).not.toMatch(/2027|January|15/);
    });
  });

  describe('an expiry date already passed', () => {
    it('is flagged when the expiry date is before the day of submission', () => {
      expect(flagsOf(withAnswers({ 'c.cert_expiry': '2026-12-05' }))).toEqual([
        {
          id: 'expiry_date_passed:c.cert_expiry',
          rule: 'expiry_date_passed',
          ruleText: 'A date given for when something expires is before the day the response was submitted.',
          questionKeys: ['c.cert_expiry'],
          message: 'The answer to 3.4 gives 5 December 2026 as the expiry date, which is before the response was submitted on 6 December 2026: it had already expired.',
        },
      ]);
    });

    it.each([
      ['an expiry on the day of submission', '2026-12-06'],
      ['an expiry after submission', '2026-12-07'],
    ])('is not flagged for %s', (_name, day) => {
      expect(flagsOf(withAnswers({ 'c.cert_expiry': day }))).toEqual([]);
    });
  });

  describe('answers that contradict a consistency rule', () => {
    it('is flagged with the rule in words and its message, naming the questions it reads', () => {
      expect(flagsOf(withAnswers({ 'c.transfer': 'data_bridge' }))).toEqual([
        {
          id: 'answers_inconsistent:residency_vs_transfer',
          rule: 'answers_inconsistent',
          ruleText:
            'The questionnaire\'s consistency rule "residency_vs_transfer", published with its method: flagged for the panel when the answer to 3.1 is "Only in the UK or EEA" and the answer to 3.2 is "UK–US data bridge".',
          questionKeys: ['c.residency', 'c.transfer'],
          message: `${RESIDENCY_MESSAGE} (3.1 and 3.2)`,
        },
      ]);
    });

    it.each<[string, Record<string, unknown>]>([
      ['answers that agree', { 'c.residency': 'uk_eea', 'c.transfer': 'idta' }],
      ['a transfer mechanism that fits data kept elsewhere', { 'c.residency': 'elsewhere', 'c.transfer': 'data_bridge' }],
      // a.training_detail is shown only for opt-in: an answer left behind from before is not an answer.
      ['an answer to a question that is hidden', { 'a.training': 'default', 'a.training_detail': 'We ask first.' }],
    ])('is not flagged for %s', (_name, answers) => {
      expect(flagsOf(withAnswers(answers))).toEqual([]);
    });

    it('is flagged over a follow-up question while it is shown', () => {
      // The follow-up is shown for opt-in, so here its answer counts: what stopped the rule above was visibility alone.
      const shown = parse({ ...integrityDefinition(), consistency: [{ key: 'never_but_explained', when: { all: [{ equals: { question: 'a.training', value: 'opt_in' } }, { answered: { question: 'a.training_detail' } }] }, message: 'Explained.' }] });
      expect(rules(flagsOf(withAnswers({ 'a.training': 'opt_in', 'a.training_detail': 'We ask first.' }, { definition: shown })))).toEqual(['answers_inconsistent']);
    });
  });

  describe('a declared conflict of interest', () => {
    it('is flagged once for each member of the panel who declared one', () => {
      const flags = flagsOf(clean({ declarations: [{ userId: 'u-2', hasConflict: true, name: 'Sam Evaluator' }, { userId: 'u-1', hasConflict: false }, { userId: 'u-3', hasConflict: true }] }));
      expect(flags).toEqual([
        {
          id: 'conflict_declared:u-2',
          rule: 'conflict_declared',
          ruleText: 'A member of the evaluation panel has declared a conflict of interest (Procurement Act 2023 s.81).',
          questionKeys: [],
          message: 'Sam Evaluator declared a conflict of interest in this procurement.',
        },
        {
          id: 'conflict_declared:u-3',
          rule: 'conflict_declared',
          ruleText: 'A member of the evaluation panel has declared a conflict of interest (Procurement Act 2023 s.81).',
          questionKeys: [],
          message: 'A member of the panel declared a conflict of interest in this procurement.',
        },
      ]);
    });

    it('is not flagged when every declaration says there is no conflict', () => {
      expect(flagsOf(clean({ declarations: [{ userId: 'u-1', hasConflict: false }] }))).toEqual([]);
    });
  });

  describe('an answer amended after submission', () => {
    it('is flagged once per question, with how many times and when last', () => {
      const flags = flagsOf(
        clean({
          amendments: [
            { questionKey: 'c.transfer', at: new Date('2026-12-10T14:15:00Z') },
            { questionKey: 'c.transfer', at: new Date('2026-12-08T09:00:00Z') },
          ],
        }),
      );
      expect(flags).toEqual([
        {
          id: 'amended_after_submission:c.transfer',
          rule: 'amended_after_submission',
          ruleText: 'An answer was amended after the response was submitted.',
          questionKeys: ['c.transfer'],
          message: 'The answer to 3.2 was amended 2 times after the response was submitted on 6 December 2026, 10:00 (UK time), last on 10 December 2026, 14:15 (UK time).',
        },
      ]);
    });

    it.each<[string, Partial<IntegrityInput>]>([
      ['a change made before submission', { amendments: [{ questionKey: 'c.transfer', at: new Date('2026-12-05T09:00:00Z') }] }],
      ['a change at the moment of submission', { amendments: [{ questionKey: 'c.transfer', at: SUBMITTED }] }],
      ['a response not yet submitted', { submittedAt: null, amendments: [{ questionKey: 'c.transfer', at: new Date('2026-12-08T09:00:00Z') }] }],
    ])('is not flagged for %s', (_name, rest) => {
      expect(flagsOf(clean(rest))).toEqual([]);
    });
  });
});

describe('the list of flags', () => {
  /** A response that raises every rule, some more than once. */
  const everything = (): IntegrityInput =>
    withAnswers(
      { 'c.transfer': 'data_bridge', 'c.audit_date': '2027-01-01', 'c.cert_expiry': '2026-01-01' },
      {
        evidence: [file('c.policy', 9), file('b.hours', 9), file('c.policy', 4, 10), file('b.hours', 3, 20)],
        declarations: [
          { userId: 'u-2', hasConflict: true },
          { userId: 'u-1', hasConflict: true },
        ],
        amendments: [
          { questionKey: 'c.residency', at: new Date('2026-12-09T09:00:00Z') },
          { questionKey: 'a.training', at: new Date('2026-12-08T09:00:00Z') },
        ],
        confidential: ['c.policy', 'c.audit_date'],
      },
    );
  const reversed = (input: IntegrityInput): IntegrityInput => ({
    ...input,
    evidence: [...input.evidence].reverse(),
    declarations: [...input.declarations].reverse(),
    amendments: [...input.amendments].reverse(),
    confidential: [...(input.confidential as string[])].reverse(),
    answers: Object.fromEntries(Object.entries(input.answers).reverse()),
  });

  it('lists the rules in a fixed order, then by questionnaire order', () => {
    expect(flagsOf(everything()).map((f) => f.id)).toEqual([
      'conflict_declared:u-1',
      'conflict_declared:u-2',
      `evidence_reused:${sha(9)}`,
      `evidence_too_small:b.hours:${sha(3)}`,
      `evidence_too_small:c.policy:${sha(4)}`,
      'completion_date_in_future:c.audit_date',
      'expiry_date_passed:c.cert_expiry',
      'answers_inconsistent:residency_vs_transfer',
      'amended_after_submission:a.training',
      'amended_after_submission:c.residency',
    ]);
    expect(new Set(rules(flagsOf(everything())))).toEqual(new Set(INTEGRITY_RULES));
  });

  it('is the same JSON for the same input, whatever the order of its arrays', () => {
    const once = JSON.stringify(integrityFlags(everything()));
    expect(JSON.stringify(integrityFlags(everything()))).toBe(once);
    expect(JSON.stringify(integrityFlags(reversed(everything())))).toBe(once);
  });

  it('returns flags only and changes nothing it was given, so no score can move', () => {
    const input = everything();
    const before = JSON.stringify(input);
    const result = integrityFlags(input);
    expect(Object.keys(result)).toEqual(['flags']);
    expect(JSON.stringify(input)).toBe(before);
    for (const flag of result.flags) expect(Object.keys(flag).sort()).toEqual(['id', 'message', 'questionKeys', 'rule', 'ruleText']);
  });

  it('never names a question by its key in a message', () => {
    for (const flag of flagsOf(everything())) expect(flag.message).not.toMatch(/\b[abc]\.[a-z_]+\b/);
  });
});
