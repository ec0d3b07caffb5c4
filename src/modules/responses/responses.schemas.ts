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

export const answerSchema = z
  .object({
    value: z.unknown().describe('yes_no: "yes"/"no"; single_choice: an option value; multi_choice: option values; number; date "YYYY-MM-DD"; text, URL or email as a string.'),
    comment: z.string().nullable(),
    confidential: z.boolean(),
    confidentialReason: z.string().nullable(),
    version: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Answer' });

export const saveAnswerSchema = z
  .object({
    value: z.union([z.string().max(100_000), z.number(), z.boolean(), z.array(z.string().max(200)).max(100)]),
    comment: z.string().max(10_000).nullish(),
    confidential: z.boolean().optional().describe('Commercially sensitive (FOI s.43): redacted wherever the council shares the answer.'),
    confidentialReason: z.string().max(2_000).nullish(),
  })
  .strict();

export const savedAnswerSchema = z.object({ questionKey: z.string(), answer: answerSchema, responseVersion: z.number().int() }).meta({ id: 'SavedAnswer' });

export const supplierResponseSchema = z
  .object({
    procurement: z.object({ id: z.uuid(), title: z.string(), reference: z.string().nullable(), status: z.string(), deadline: z.iso.datetime() }),
    response: z.object({ id: z.uuid(), status: z.string(), submittedAt: z.iso.datetime().nullable(), version: z.number().int() }),
    sections: z.array(z.object({ key: z.string(), ref: z.string().nullable(), title: z.string(), description: z.string().nullable(), questions: z.array(supplierQuestionSchema) })),
    answers: z.record(z.string(), answerSchema),
  })
  .meta({ id: 'SupplierResponse' });

export const submissionSchema = z
  .object({
    responseId: z.uuid(),
    status: z.literal('submitted'),
    reference: z.string().describe('Quote this reference to the council.'),
    submittedAt: z.iso.datetime(),
    answerCount: z.number().int(),
  })
  .meta({ id: 'Submission' });

export const responseProgressSchema = z
  .object({
    responseId: z.uuid(),
    invitationId: z.uuid(),
    supplierName: z.string(),
    companyNumber: z.string().nullable(),
    status: z.enum(['not_started', 'in_progress', 'submitted', 'reopened', 'withdrawn']),
    submittedAt: z.iso.datetime().nullable(),
    requiredQuestions: z.number().int().describe('Visible required questions, given the triage and this supplier’s answers.'),
    requiredAnswered: z.number().int(),
    answered: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ResponseProgress' });

export const officerResponseSchema = responseProgressSchema
  .extend({
    procurementId: z.uuid(),
    submission: z.object({ reference: z.string(), submittedAt: z.iso.datetime(), answers: z.record(z.string(), z.unknown()) }).nullable(),
    answers: z.record(z.string(), answerSchema),
  })
  .meta({ id: 'Response' });
