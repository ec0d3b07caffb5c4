import { z } from 'zod';

/**
 * The questionnaire definition format: one schema for import, export and storage.
 * Shape only; the rules that need the whole document (references, cycles, weights) are in
 * questionnaires.validation.ts.
 */

export const RISK_TIERS = ['low', 'medium', 'high', 'very_high'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];
export const riskTierSchema = z.enum(RISK_TIERS);

export const QUESTION_TYPES = ['yes_no', 'single_choice', 'multi_choice', 'short_text', 'long_text', 'number', 'date', 'url', 'email', 'file'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export const CHOICE_TYPES: readonly QuestionType[] = ['yes_no', 'single_choice', 'multi_choice'];

export const SOURCES = [
  'LGA', 'EHRC', 'ICO-AI', 'ICO-TK', 'ICO-EX', 'DPIA', 'GAP', 'PB', 'DEF', 'ADM', 'HR', 'ATRS', 'CoP', 'NCSC', 'CE', 'AIME',
  'PPN017', 'PPN02/24', 'PA23', 'ISO', 'NIST', 'EUAI', 'DCH', 'WPC', 'GSP', 'LOTI', 'UKGDPR',
  'PSED', 'FOIA', 'AADC', 'MSA', 'DUAA', 'PPN002', 'WLS',
] as const;

const key = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'must be lower-case letters, digits, underscores and dots, starting with a letter');
const score = z.number().int().min(0).max(4);
const text = (max: number) => z.string().trim().min(1).max(max);

/** What a condition looks at: another question's answer, or a council triage answer. */
const operand = z.union([z.object({ question: key }).strict(), z.object({ triage: key }).strict()]);
const scalar = z.union([z.string().max(500), z.number(), z.boolean()]);

export type Operand = { question: string } | { triage: string };
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { equals: Operand & { value: string | number | boolean } }
  | { in: Operand & { values: Array<string | number> } }
  | { contains: Operand & { value: string } }
  | { answered: Operand }
  | { gt: Operand & { value: number } }
  | { gte: Operand & { value: number } }
  | { lt: Operand & { value: number } }
  | { lte: Operand & { value: number } };

const withOperand = <T extends z.ZodRawShape>(shape: T) =>
  z.union([z.object({ question: key, ...shape }).strict(), z.object({ triage: key, ...shape }).strict()]);

/** A typed tree, never a string to evaluate. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1).max(50) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1).max(50) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z.object({ equals: withOperand({ value: scalar }) }).strict(),
    z.object({ in: withOperand({ values: z.array(z.union([z.string().max(500), z.number()])).min(1).max(100) }) }).strict(),
    z.object({ contains: withOperand({ value: z.string().max(500) }) }).strict(),
    z.object({ answered: operand }).strict(),
    z.object({ gt: withOperand({ value: z.number() }) }).strict(),
    z.object({ gte: withOperand({ value: z.number() }) }).strict(),
    z.object({ lt: withOperand({ value: z.number() }) }).strict(),
    z.object({ lte: withOperand({ value: z.number() }) }).strict(),
  ]),
  // Named, so the API description refers to the one recursive schema instead of inlining it.
).meta({ id: 'Condition', description: 'When a question shows, a gateway passes or a tier applies: a tree of all/any/not over comparisons with another question’s answer or a triage answer.' }) as z.ZodType<Condition>;

export const optionSchema = z
  .object({
    value: z.string().min(1).max(80).regex(/^[a-z0-9_]+$/, 'must be lower-case letters, digits and underscores'),
    label: text(300),
    /** 0–4 on the scale; absent for options that are not scored. */
    score: score.optional(),
    /** Choosing it takes the question out of the denominator (e.g. "we are not a processor"). */
    notApplicable: z.boolean().optional(),
    /**
     * On a gateway question: what choosing this option does to the gateway. `pass` and `fail` state
     * what the pass condition gives (validation checks they agree); `review` means no rule can
     * decide: a person on the panel decides, with a reason, and until then the evaluation is provisional.
     */
    gatewayOutcome: z.enum(['pass', 'fail', 'review']).optional(),
    /** With `review`: the outcome the panel usually reaches, published so bidders know (e.g. `conditional` for a certification in progress). */
    usualOutcome: z.enum(['pass', 'fail', 'conditional']).optional(),
    /** Choosing it takes an exception to the council's terms (e.g. "we accept them with exceptions"): it becomes a numbered condition on the response, to agree before contract. */
    exception: z.boolean().optional(),
  })
  .strict();

const limitsSchema = z
  .object({
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(100_000).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
    maxSelections: z.number().int().min(1).optional(),
    unit: z.string().max(40).optional(),
  })
  .strict();

const bandSchema = z
  .object({
    /** Inclusive lower bound; absent = no lower bound. */
    min: z.number().optional(),
    /** Exclusive upper bound; absent = no upper bound. */
    max: z.number().optional(),
    score,
    label: z.string().max(200).optional(),
  })
  .strict();

const rubricLevelSchema = z
  .object({
    score,
    /** Option values that must all be chosen to reach this level. */
    requires: z.array(z.string().min(1).max(80)).min(1).max(50),
    /** What the level means, in words bidders read (e.g. "Tests for both kinds of prompt injection"). */
    label: text(300).optional(),
  })
  .strict();

export const scoringSchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('options'),
      /** For multi_choice: how the chosen options' scores combine. Default: sum, capped at 4. */
      aggregate: z.enum(['sum_capped', 'max', 'min']).optional(),
    })
    .strict(),
  z.object({ method: z.literal('bands'), bands: z.array(bandSchema).min(1).max(20) }).strict(),
  z
    .object({
      method: z.literal('manual'),
      /** What each mark means for this question, published to bidders and used by evaluators. */
      descriptors: z.object({ 0: text(1000), 1: text(1000), 2: text(1000), 3: text(1000), 4: text(1000) }).strict(),
    })
    .strict(),
  z.object({ method: z.literal('none') }).strict(),
  z
    .object({
      /**
       * For multi_choice: a rubric over what was chosen, so ticking more boxes is not worth more by
       * itself. The highest level whose required options were all chosen gives the score; none met scores 0.
       */
      method: z.literal('rubric'),
      levels: z.array(rubricLevelSchema).min(1).max(5),
    })
    .strict(),
]);

export const gatewaySchema = z
  .object({
    /** When the answer meets this condition the gateway passes; otherwise it fails. */
    pass: conditionSchema,
    /** Active only from this tier up (e.g. `high` for "High+"); absent = always active. */
    minTier: riskTierSchema.optional(),
    failureMessage: text(1000),
    /**
     * Exclusion and conflicts of interest are assessed apart from the award criteria (Procurement Act 2023),
     * so a report lists such a gateway apart from them rather than as a criterion.
     */
    separateFromAward: z.boolean().optional(),
  })
  .strict();

export const evidenceSchema = z
  .object({
    requested: z.boolean(),
    /** Submission is refused without it. */
    mandatory: z.boolean().default(false),
    /** What we ask for, in words the supplier understands. */
    description: z.string().max(500).optional(),
    /** The score cap without evidence at tiers where the evidence rule applies; default from the questionnaire. */
    capWithoutEvidence: score.optional(),
  })
  .strict();

/** What the date of a `date` question is of: something finished (`completion`) or something that lapses (`expiry`). */
export const DATE_MEANINGS = ['completion', 'expiry'] as const;

/**
 * Answers that contradict each other: `when` is a condition over the supplier's answers (and the
 * triage) that must NOT hold. When it does, the panel sees an integrity flag with `message`; a flag
 * never changes a score by itself.
 */
export const consistencyRuleSchema = z
  .object({
    key,
    when: conditionSchema,
    /** What contradicts what, in plain words (e.g. "Data is said to stay in the UK or EEA, but the transfer mechanism given is the UK–US data bridge."). */
    message: text(1000),
  })
  .strict();

/** One version's entry in a questionnaire's change log. */
export const changeLogEntrySchema = z
  .object({
    version: z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be a semantic version such as 1.0.0'),
    summary: text(1000),
    changes: z.array(text(1000)).min(1).max(100),
  })
  .strict();

export const questionSchema = z
  .object({
    key,
    /** A human reference such as "2.2", shown beside the question. */
    ref: z.string().max(20).optional(),
    text: text(2000),
    guidance: text(4000),
    type: z.enum(QUESTION_TYPES),
    required: z.boolean(),
    options: z.array(optionSchema).min(1).max(50).optional(),
    limits: limitsSchema.optional(),
    scoring: scoringSchema,
    weight: z.number().min(0).max(100).default(1),
    gateway: gatewaySchema.optional(),
    evidence: evidenceSchema.optional(),
    showIf: conditionSchema.optional(),
    /**
     * On a `date` question: what the date is of, so a date that cannot be right is flagged for the
     * panel: a completion (an audit, a test) after the response was submitted, or an expiry before it.
     */
    date: z.object({ of: z.enum(DATE_MEANINGS) }).strict().optional(),
    riskAreas: z.array(key).min(1).max(10),
    sources: z.array(z.enum(SOURCES)).min(1).max(10),
    atrsField: z.string().max(120).optional(),
  })
  .strict();

export const triageQuestionSchema = z
  .object({
    key,
    text: text(2000),
    guidance: z.string().max(4000).optional(),
    type: z.enum(['yes_no', 'single_choice', 'multi_choice', 'number']),
    required: z.boolean().default(true),
    options: z.array(optionSchema.omit({ score: true, notApplicable: true, gatewayOutcome: true, usualOutcome: true, exception: true })).min(1).max(50).optional(),
    limits: limitsSchema.optional(),
    sources: z.array(z.enum(SOURCES)).max(10).default([]),
  })
  .strict();

export const sectionSchema = z
  .object({
    key,
    ref: z.string().max(20).optional(),
    title: text(200),
    description: z.string().max(4000).optional(),
    riskArea: key,
    showIf: conditionSchema.optional(),
    questions: z.array(questionSchema).min(1).max(200),
  })
  .strict();

const weightsForTier = z.record(key, z.number().min(0).max(100));

export const questionnaireDefinitionSchema = z
  .object({
    key: z.string().min(1).max(80).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and hyphens'),
    version: z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be a semantic version such as 1.0.0'),
    title: text(200),
    description: z.string().max(10_000),
    scale: z
      .array(z.object({ value: score, label: text(60), descriptor: text(1000) }).strict())
      .length(5)
      .describe('The marks 0 to 4 in order, each with its label and what it means.'),
    riskAreas: z.array(z.object({ key, title: text(200), critical: z.boolean() }).strict()).min(1).max(50),
    triage: z
      .object({
        questions: z.array(triageQuestionSchema).max(50),
        /** First matching rule sets the tier; when none matches the tier is `defaultTier`. */
        tierRules: z.array(z.object({ tier: riskTierSchema, when: conditionSchema, reason: text(500) }).strict()).max(50),
        defaultTier: riskTierSchema,
      })
      .strict(),
    /** Default section weights for each tier; each set sums to 100. */
    weights: z.object({ low: weightsForTier, medium: weightsForTier, high: weightsForTier, very_high: weightsForTier }).strict(),
    evidenceRule: z
      .object({
        /** The highest score an answer that asks for evidence can get without it, at the tiers below. */
        capWithoutEvidence: score,
        fromTier: riskTierSchema,
      })
      .strict(),
    sections: z.array(sectionSchema).min(1).max(50),
    // Optional rather than defaulted, so definitions without rules export exactly as they were imported.
    consistency: z.array(consistencyRuleSchema).max(100).optional(),
    /** What changed in each version, newest first, so councils and bidders can see what a new version asks differently. Optional like `consistency`. */
    changeLog: z.array(changeLogEntrySchema).max(50).optional(),
  })
  .strict();

export type QuestionnaireDefinition = z.infer<typeof questionnaireDefinitionSchema>;
export type QuestionnaireDefinitionInput = z.input<typeof questionnaireDefinitionSchema>;
export type Section = QuestionnaireDefinition['sections'][number];
export type Question = Section['questions'][number];
export type TriageQuestion = QuestionnaireDefinition['triage']['questions'][number];
export type Option = z.infer<typeof optionSchema>;
export type ConsistencyRule = z.infer<typeof consistencyRuleSchema>;
export type ChangeLogEntry = z.infer<typeof changeLogEntrySchema>;
export type DateMeaning = (typeof DATE_MEANINGS)[number];
