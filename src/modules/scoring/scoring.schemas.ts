import { z } from 'zod';
import { INTEGRITY_RULES } from './integrity.models';
import { RATINGS, RESIDUAL_RISKS } from './scoring.models';

const score = z.number().int().min(0).max(4);
const risk = z.enum(RESIDUAL_RISKS);
const working = z.array(z.string()).describe('How the number was reached, in words a bidder can follow.');

export const evaluationSchema = z
  .object({
    responseId: z.uuid(),
    procurementId: z.uuid(),
    supplierName: z.string(),
    computedAt: z.iso.datetime(),
    scoringMethodVersion: z.string(),
    questionnaire: z.object({ key: z.string(), version: z.string(), definitionHash: z.string() }),
    inputsHash: z.string().describe('SHA-256 of everything the evaluation was computed from: the same inputs always give the same evaluation.'),
    riskTier: z.string(),
    overallScore: z.number().nullable(),
    overallResidualRisk: risk.nullable(),
    rating: z.enum(RATINGS),
    provisional: z.boolean().describe('True while marks or gateway decisions are outstanding.'),
    outstanding: z.array(z.string()),
    gateways: z.array(
      z.object({
        questionKey: z.string(),
        ref: z.string().nullable(),
        section: z.string(),
        outcome: z.enum(['pass', 'fail', 'conditional', 'pending']),
        automaticOutcome: z.enum(['pass', 'fail', 'pending']),
        decidedBy: z.enum(['rule', 'moderator']),
        reason: z.string(),
        review: z.literal(true).optional().describe('The answer is one the questionnaire sends to the panel: no rule decides the gateway, a person does, with a reason.'),
        usualOutcome: z.enum(['pass', 'fail', 'conditional']).optional().describe('With review: the outcome the questionnaire says the panel usually reaches.'),
        action: z.string().optional(),
        owner: z.string().optional().describe('Conditional only: who sees the action through (from the moderator’s decision).'),
        dueDate: z.string().optional(),
      }),
    ),
    sections: z.array(
      z.object({
        key: z.string(),
        ref: z.string().nullable(),
        title: z.string(),
        visible: z.boolean(),
        score: z.number().nullable(),
        residualRisk: risk.nullable(),
        critical: z.boolean(),
        weight: z.number(),
        effectiveWeight: z.number().nullable(),
        weightedContribution: z.number().nullable(),
        working,
      }),
    ),
    questions: z.array(
      z.object({
        key: z.string(),
        ref: z.string().nullable(),
        section: z.string(),
        status: z.enum(['scored', 'not_applicable', 'hidden', 'unanswered', 'pending_mark', 'not_scored']),
        score: score.nullable(),
        automaticScore: score.nullable(),
        capped: z.boolean(),
        override: z.boolean(),
        weight: z.number(),
        evidenceFiles: z.number().int(),
        working,
        amendment: z
          .object({
            clarificationId: z.uuid(),
            status: z.enum(['pending', 'accepted', 'rejected']),
            originalScore: score.nullable(),
            amendedScore: score.nullable(),
            decidedBy: z.string().nullable().describe('The moderator’s user id, once decided.'),
            reason: z.string().nullable(),
          })
          .optional()
          .describe('Present when a clarification amended the answer: the score as submitted and as amended, and the moderator’s decision. Only an accepted amendment counts.'),
      }),
    ),
    working,
    finalisedAt: z.iso.datetime().nullable().describe('When the moderator finalised this evaluation; null until then.'),
    finalisedBy: z.uuid().nullable(),
    matchesStored: z.boolean().optional().describe('With ?recompute=true: whether the fresh computation equals the stored evaluation exactly.'),
  })
  .meta({ id: 'Evaluation' });

export const declarationSchema = z
  .object({
    id: z.uuid(),
    procurementId: z.uuid(),
    userId: z.uuid(),
    hasConflict: z.boolean(),
    details: z.string(),
    declaredAt: z.iso.datetime(),
    mitigation: z.string().nullable(),
    mitigatedAt: z.iso.datetime().nullable(),
    mayEvaluate: z.boolean(),
  })
  .meta({ id: 'Declaration' });

export const declareSchema = z.object({ hasConflict: z.boolean(), details: z.string().trim().min(1).max(5000).describe('What the interest is, or "None".') }).strict();
export const mitigationSchema = z.object({ mitigation: z.string().trim().min(1).max(5000) }).strict();

export const markSchema = z
  .object({ questionKey: z.string(), evaluatorId: z.uuid(), score, justification: z.string(), updatedAt: z.iso.datetime() })
  .meta({ id: 'Mark' });
export const putMarkSchema = z.object({ score, justification: z.string().trim().min(1).max(10_000).describe('Required: why this mark, against the published descriptors.') }).strict();
export const moderationBodySchema = z.object({ score, rationale: z.string().trim().min(1).max(10_000) }).strict();
export const flagActionBodySchema = z.object({ action: z.string().trim().min(1).max(10_000).describe('What the panel did about the flag, and why.') }).strict();
export const integrityFlagsSchema = z
  .object({
    flags: z.array(
      z.object({
        id: z.string().describe('Stable for the same finding on this response.'),
        rule: z.enum(INTEGRITY_RULES),
        ruleText: z.string().describe('The rule that raised the flag, in words.'),
        questionKeys: z.array(z.string()),
        message: z.string(),
        action: z.object({ text: z.string(), recordedBy: z.uuid(), recordedAt: z.iso.datetime() }).nullable().describe('What the panel did about it; null until recorded.'),
      }),
    ),
  })
  .meta({ id: 'IntegrityFlags' });
export const amendmentDecisionBodySchema = z
  .object({
    decision: z.enum(['accept', 'reject']),
    reason: z.string().trim().min(1).max(10_000).describe('Why the amendment is (or is not) a clarification of the tender rather than a new one.'),
  })
  .strict();
export const gatewayBodySchema = z
  .object({
    outcome: z.enum(['pass', 'fail', 'conditional']),
    rationale: z.string().trim().min(1).max(10_000),
    action: z.string().trim().max(2000).optional().describe('Conditional only: what the supplier must do.'),
    owner: z.string().trim().max(200).optional().describe('Conditional only: who sees the action through (a person or team).'),
    dueDate: z.iso.date().optional().describe('Conditional only: by when.'),
  })
  .strict();

export const panelViewSchema = z
  .object({
    responseId: z.uuid(),
    procurementId: z.uuid(),
    supplierName: z.string(),
    answers: z.record(z.string(), z.unknown()),
    amended: z.array(z.string()).describe('Answers changed by the supplier in reply to a clarification.'),
    evidence: z.record(z.string(), z.number().int()),
    evidenceFiles: z
      .array(z.object({ id: z.uuid(), questionKey: z.string(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), sha256: z.string() }))
      .describe('The files as submitted; download each from /v1/responses/{id}/panel-view/evidence/{evidenceId}.'),
    questionsToMark: z.array(z.string()),
    gateways: z.array(z.string()),
    yourRole: z.enum(['evaluator', 'moderator']),
    yourMarksSubmitted: z.boolean(),
  })
  .meta({ id: 'PanelView' });

const decisionSchema = z.object({ outcome: z.enum(['award', 'no_award']), responseId: z.uuid().nullable(), rationale: z.string(), decidedAt: z.iso.datetime() });

export const resultsSchema = z
  .object({
    items: z.array(
      z.object({
        responseId: z.uuid(),
        supplierName: z.string(),
        status: z.string(),
        overallScore: z.number().nullable(),
        rating: z.string().nullable(),
        gatewaysPassed: z.boolean().nullable(),
        provisional: z.boolean().nullable(),
        finalisedAt: z.iso.datetime().nullable().describe('When the moderator finalised the evaluation; null until then.'),
        finalisedBy: z.uuid().nullable().describe('The user id of the moderator who finalised the evaluation; null until then.'),
        rank: z.number().int().nullable().describe('Among submitted responses that passed every gateway; equal scores share a rank.'),
      }),
    ),
    decision: decisionSchema.nullable(),
  })
  .meta({ id: 'Results' });

export const comparisonSchema = z
  .object({
    suppliers: z.array(z.object({ responseId: z.uuid(), supplierName: z.string() })),
    sections: z.array(z.object({ key: z.string(), ref: z.string().nullable(), title: z.string(), weight: z.number(), scores: z.array(z.number().nullable()) })),
    questions: z.array(z.object({ key: z.string(), ref: z.string().nullable(), section: z.string(), scores: z.array(z.number().nullable()), statuses: z.array(z.string()) })),
  })
  .meta({ id: 'Comparison' });

export const decideSchema = z
  .object({ outcome: z.enum(['award', 'no_award']), responseId: z.uuid().optional(), rationale: z.string().trim().min(1).max(20_000).describe('Why this is the most advantageous tender, or why no award.') })
  .strict()
  .refine((b) => b.outcome === 'no_award' || b.responseId !== undefined, { message: 'An award names the responseId', path: ['responseId'] });

export const decisionResultSchema = z.object({ decision: decisionSchema, procurementStatus: z.string() }).meta({ id: 'Decision' });

export const finalisationSchema = z
  .object({ responseId: z.uuid(), procurementId: z.uuid(), finalisedBy: z.uuid(), finalisedAt: z.iso.datetime() })
  .meta({ id: 'EvaluationFinalisation' });

export const conditionSchema = z
  .object({
    id: z.string().describe('Stable for the same response and finding: `gateway:<question key>`, `exception:<question key>`, `evidence:<question key>`, `residual_risk:<section key>` or `overall_risk`.'),
    number: z.number().int().describe('Its number in the register (1, 2, …), in the order of `source` below.'),
    source: z
      .enum(['gateway', 'exception', 'evidence', 'residual_risk', 'overall_risk'])
      .describe('What raised it: a conditional gateway pass, an exception the supplier took to the council’s terms, an answer capped for missing evidence, a critical section with medium or high residual risk, or a medium overall residual risk.'),
    ref: z.string().nullable().describe('The question’s or section’s reference.'),
    questionKey: z.string().nullable(),
    sectionKey: z.string().nullable(),
    text: z.string(),
    owner: z.string().nullable(),
    dueDate: z.iso.date().nullable(),
    status: z.enum(['open', 'met', 'waived']),
    reason: z.string().nullable().describe('Why it was waived, or how it was met.'),
    updatedBy: z.uuid().nullable(),
    updatedAt: z.iso.datetime().nullable(),
    version: z.number().int().describe('0 until anything is recorded about it; send it with a change.'),
  })
  .meta({ id: 'ResponseCondition' });

export const conditionsSchema = z
  .object({ responseId: z.uuid(), rating: z.string(), conditions: z.array(conditionSchema) })
  .meta({ id: 'ConditionsRegister' });

export const conditionBodySchema = z
  .object({
    status: z.enum(['open', 'met', 'waived']),
    owner: z.string().trim().min(1).max(200).nullable().optional().describe('Who sees it through (a person or team); omit to keep, null to clear.'),
    dueDate: z.iso.date().nullable().optional().describe('By when; omit to keep, null to clear.'),
    reason: z.string().trim().max(10_000).nullable().optional().describe('Required to waive: why the council waives it. For met: how it was met.'),
    version: z.number().int().min(0).describe('The condition’s `version` as you read it: a change made since answers 409 `conditions.stale`.'),
  })
  .strict();
