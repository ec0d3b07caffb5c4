import { z } from 'zod';

export const invitationSchema = z
  .object({
    id: z.uuid(),
    procurementId: z.uuid(),
    responseId: z.uuid(),
    supplierName: z.string(),
    contactEmail: z.string(),
    companyNumber: z.string().nullable(),
    tokenPrefix: z.string().describe('The start of the current token, to tell links apart. Not a secret.'),
    responseStatus: z.enum(['not_started', 'in_progress', 'submitted', 'reopened', 'withdrawn']),
    createdAt: z.iso.datetime(),
    tokenIssuedAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Invitation' });

export const createInvitationSchema = z
  .object({
    supplierName: z.string().trim().min(1).max(300),
    contactEmail: z.string().trim().toLowerCase().pipe(z.email().max(320)),
    companyNumber: z
      .string()
      .trim()
      .regex(/^[A-Z0-9]{8}$/i, 'must be an 8-character Companies House number')
      .optional(),
  })
  .strict();

export const invitationCreatedSchema = z
  .object({
    id: z.uuid(),
    responseId: z.uuid(),
    token: z.string().describe('The supplier’s secret. Shown only in this response; it is stored as a hash.'),
    respondUrl: z.string().describe('The link for the supplier; it carries the token.'),
    invitation: invitationSchema,
  })
  .meta({ id: 'InvitationCreated' });

const supplierQuestionSchema = z.object({
  key: z.string(),
  ref: z.string().nullable(),
  text: z.string(),
  guidance: z.string(),
  type: z.string(),
  required: z.boolean(),
  options: z.array(z.object({ value: z.string(), label: z.string() })).nullable(),
  limits: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).nullable(),
  evidence: z.object({ requested: z.boolean(), mandatory: z.boolean(), description: z.string().nullable() }).nullable(),
});

export const supplierResponseSchema = z
  .object({
    procurement: z.object({ id: z.uuid(), title: z.string(), reference: z.string().nullable(), status: z.string(), deadline: z.iso.datetime() }),
    response: z.object({ id: z.uuid(), status: z.string(), submittedAt: z.iso.datetime().nullable(), version: z.number().int() }),
    sections: z.array(z.object({ key: z.string(), ref: z.string().nullable(), title: z.string(), description: z.string().nullable(), questions: z.array(supplierQuestionSchema) })),
    answers: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'SupplierResponse' });
