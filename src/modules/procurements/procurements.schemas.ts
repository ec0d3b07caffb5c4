import { z } from 'zod';
import { instantSchema } from '../../platform/http/instant';
import { RISK_TIERS } from '../questionnaires';
import { PROCUREMENT_STATUSES } from './procurements.models';

const triageValue = z.union([z.string().max(200), z.number(), z.array(z.string().max(200)).max(50)]);
const triageSchema = z.record(z.string().max(80), triageValue).describe('The council’s answers to the questionnaire’s triage questions, by key.');
const weightsSchema = z.record(z.string().max(80), z.number().min(0).max(100)).describe('Section weights by section key; must add up to 100. Default: the questionnaire’s weights for the risk tier.');
const ocdsDisclosureSchema = z
  .enum(['bidders', 'scores', 'answers'])
  .describe(
    'What the OCDS award release (GET /v1/procurements/{id}/ocds) discloses of the bids: `bidders` who bid; `scores` (default) adds each bid’s scores and rank; `answers` adds the answers not marked confidential. Nothing of the bids is published before the award. May be changed at any stage.',
  );
const text = (max: number) => z.string().trim().min(1).max(max);

export const procurementSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    reference: z.string().nullable(),
    description: z.string(),
    status: z.enum(PROCUREMENT_STATUSES),
    questionnaire: z.object({ id: z.uuid(), key: z.string(), version: z.string(), title: z.string() }),
    triage: triageSchema,
    riskTier: z.enum(RISK_TIERS),
    riskTierReason: z.string(),
    weights: weightsSchema,
    deadline: z.iso.datetime(),
    closesAt: z.iso.datetime().describe('When it closes by itself: the deadline, or later if one supplier has been given more time.'),
    evaluatorIds: z.array(z.uuid()),
    moderatorId: z.uuid().nullable(),
    version: z.number().int().describe('Also the ETag; send it in If-Match to change the procurement.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    openedAt: z.iso.datetime().nullable(),
    closedAt: z.iso.datetime().nullable(),
    decidedAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    ocdsDisclosure: ocdsDisclosureSchema,
  })
  .meta({ id: 'Procurement' });

export const createProcurementSchema = z
  .object({
    title: text(300),
    reference: z.string().trim().max(100).optional(),
    description: z.string().max(20_000).optional(),
    questionnaireId: z.uuid(),
    deadline: instantSchema({ offset: true }),
    triage: triageSchema.default({}),
    weights: weightsSchema.optional(),
    evaluatorIds: z.array(z.uuid()).max(50).optional(),
    moderatorId: z.uuid().nullable().optional(),
  })
  .strict();

export const updateProcurementSchema = z
  .object({
    title: text(300).optional(),
    reference: z.string().trim().max(100).nullable().optional(),
    description: z.string().max(20_000).optional(),
    questionnaireId: z.uuid().optional(),
    deadline: instantSchema({ offset: true }).optional(),
    triage: triageSchema.optional(),
    weights: weightsSchema.optional(),
    evaluatorIds: z.array(z.uuid()).max(50).optional(),
    moderatorId: z.uuid().nullable().optional(),
    ocdsDisclosure: ocdsDisclosureSchema.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Give at least one field to change');

export const transitionBodySchema = z.object({ reason: z.string().trim().max(2000).optional() }).strict().nullish();
