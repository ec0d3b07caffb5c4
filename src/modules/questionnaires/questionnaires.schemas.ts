import { z } from 'zod';
import { RISK_TIERS, questionnaireDefinitionSchema } from './questionnaires.definition';

export const questionnaireSummarySchema = z
  .object({
    id: z.uuid(),
    key: z.string(),
    version: z.string(),
    title: z.string(),
    status: z.enum(['draft', 'published']),
    builtIn: z.boolean().describe('Shipped with the service, read-only, visible to every organisation.'),
    archived: z.boolean(),
    definitionHash: z.string().describe('SHA-256 of the canonical definition.'),
    sectionCount: z.number().int(),
    questionCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    publishedAt: z.iso.datetime().nullable(),
    archivedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'QuestionnaireSummary' });

export const questionnaireDefinitionDoc = questionnaireDefinitionSchema.meta({ id: 'QuestionnaireDefinition' });

/** The stored row and, spread at the top level, the full definition (`sections[].questions[]`). */
export const questionnaireDetailSchema = questionnaireSummarySchema
  .extend(questionnaireDefinitionSchema.shape)
  .meta({ id: 'Questionnaire' });

export const listQuerySchema = z.object({
  status: z.enum(['draft', 'published']).optional(),
  builtIn: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('Only built-in (true) or only your own (false).'),
  includeArchived: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
});

export const cloneBodySchema = z
  .object({
    key: questionnaireDefinitionSchema.shape.key.optional(),
    version: questionnaireDefinitionSchema.shape.version.optional().describe('Default: the next minor version not yet used in your organisation.'),
    title: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const tierRecord = z.object(Object.fromEntries(RISK_TIERS.map((t) => [t, z.number()])) as Record<(typeof RISK_TIERS)[number], z.ZodNumber>);

export const methodologySchema = z
  .object({
    questionnaire: z.object({ key: z.string(), version: z.string(), title: z.string() }),
    scale: z.array(z.object({ value: z.number().int(), label: z.string(), descriptor: z.string() })),
    scoringSteps: z.array(z.string()),
    tiers: z.array(z.object({ tier: z.enum(RISK_TIERS), rule: z.string() })),
    sections: z.array(
      z.object({
        key: z.string(),
        ref: z.string().nullable(),
        title: z.string(),
        critical: z.boolean(),
        condition: z.string().nullable(),
        weights: tierRecord,
        questionCount: z.number().int(),
      }),
    ),
    gateways: z.array(
      z.object({
        questionKey: z.string(),
        ref: z.string().nullable(),
        sectionKey: z.string(),
        question: z.string(),
        passes: z.string(),
        decidedByPanel: z
          .array(z.object({ answer: z.string(), usualOutcome: z.enum(['pass', 'fail', 'conditional']).nullable() }))
          .describe('Answers no rule decides: the panel does, with a reason; each with the outcome it usually reaches.'),
        appliesFrom: z.enum([...RISK_TIERS, 'all']),
        failureMessage: z.string(),
      }),
    ),
    evidenceRule: z.string(),
    manualQuestions: z.array(z.object({ questionKey: z.string(), ref: z.string().nullable(), question: z.string(), descriptors: z.record(z.string(), z.string()) })),
    informationOnly: z.array(z.object({ questionKey: z.string(), ref: z.string().nullable(), question: z.string() })),
    rubricQuestions: z
      .array(
        z.object({
          questionKey: z.string(),
          ref: z.string().nullable(),
          question: z.string(),
          levels: z.array(z.object({ score: z.number().int(), label: z.string().nullable(), requires: z.array(z.string()).describe('The labels of the options that must all be chosen.') })),
        }),
      )
      .describe('Multiple-choice questions marked by a rubric: the highest level whose options were all chosen gives the mark; none met gives 0.'),
    changeLog: z.array(z.object({ version: z.string(), summary: z.string(), changes: z.array(z.string()) })).describe('What changed in each version of the questionnaire, newest first; empty when it records none.'),
    consistency: z
      .array(z.object({ key: z.string(), flaggedWhen: z.string().describe('The rule in words: the answers that must not go together.'), message: z.string() }))
      .describe('Consistency rules: each raises an integrity flag for the evaluation panel when it holds; a flag never changes a score by itself.'),
    rating: z
      .object({
        bands: z.array(z.string()).describe('Score bands, best first.'),
        // One property per tier (an enum-keyed record documents as `required` keys with no `properties`).
        residualRisk: z.object(Object.fromEntries(RISK_TIERS.map((tier) => [tier, z.array(z.string())])) as Record<(typeof RISK_TIERS)[number], z.ZodArray<z.ZodString>>).describe('For each tier, the residual risk of each score band.'),
        ratingForRisk: z.record(z.string(), z.string()),
      })
      .describe('How scores read as residual risk and rating (the matrix in the published methodology).'),
  })
  .meta({ id: 'Methodology', description: 'What a council publishes to bidders under Procurement Act 2023 s.23.' });
