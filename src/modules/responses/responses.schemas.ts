import { z } from 'zod';
import { instantSchema } from '../../platform/http/instant';

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
    emailed: z.boolean().describe('Whether the link was emailed (or held in the outbox). Not while the procurement is a draft: resend once it is open.'),
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

export const evidenceSchema = z
  .object({
    id: z.uuid(),
    questionKey: z.string(),
    filename: z.string(),
    contentType: z.string().describe('Found from the file’s content, not its name.'),
    sizeBytes: z.number().int(),
    sha256: z.string().describe('Hex SHA-256 of the bytes as uploaded.'),
    uploadedAt: z.iso.datetime(),
  })
  .meta({ id: 'Evidence' });

const withheld = z
  .literal(true)
  .optional()
  .describe(
    'Present only when the answer is withheld: the supplier marked it confidential and the caller is an API key without `responses:read-confidential`. Then `value`, `comment` and `confidentialReason` are null and `confidential` is true.',
  );

export const answerSchema = z
  .object({
    value: z.unknown().describe('yes_no: "yes"/"no"; single_choice: an option value; multi_choice: option values; number; date "YYYY-MM-DD"; text, URL or email as a string.'),
    comment: z.string().nullable(),
    confidential: z.boolean(),
    confidentialReason: z.string().nullable(),
    redacted: withheld,
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

const answersByKey = z
  .record(z.string().min(1).max(80), saveAnswerSchema)
  .refine((answers) => Object.keys(answers).length <= 1000, 'Send at most 1,000 answers at once');

export const saveAnswersSchema = z.object({ answers: answersByKey.describe('Answers keyed by question key.') }).strict();

export const bulkResultSchema = z
  .object({
    saved: z.record(z.string(), answerSchema).describe('The answers written, with their new versions.'),
    unchanged: z.array(z.string()).describe('Keys whose answer was already exactly this: nothing written.'),
    ignored: z.array(z.string()).describe('Import only: keys this questionnaire does not have.'),
    responseVersion: z.number().int(),
  })
  .meta({ id: 'SavedAnswers' });

export const answersExportSchema = z
  .object({
    format: z.literal('aidd.answers/v1'),
    exportedAt: z.iso.datetime(),
    questionnaire: z.object({ id: z.uuid(), key: z.string(), version: z.string(), title: z.string() }),
    answers: z.record(z.string(), z.object({ value: z.unknown(), comment: z.string().nullable(), confidential: z.boolean(), confidentialReason: z.string().nullable() })),
  })
  .meta({ id: 'AnswersExport' });

/** What import accepts: an export document, or just `{answers}`; the other fields are informative. */
export const answersImportSchema = z
  .object({
    format: z.literal('aidd.answers/v1').optional(),
    exportedAt: z.string().optional(),
    questionnaire: z.unknown().optional(),
    answers: answersByKey,
  })
  .strict()
  .meta({ id: 'AnswersImport' });

export const savedAnswerSchema = z.object({ questionKey: z.string(), answer: answerSchema, responseVersion: z.number().int() }).meta({ id: 'SavedAnswer' });

export const supplierResponseSchema = z
  .object({
    procurement: z.object({ id: z.uuid(), title: z.string(), reference: z.string().nullable(), status: z.string(), deadline: z.iso.datetime() }),
    response: z.object({ id: z.uuid(), status: z.string(), submittedAt: z.iso.datetime().nullable(), version: z.number().int() }),
    sections: z.array(z.object({ key: z.string(), ref: z.string().nullable(), title: z.string(), description: z.string().nullable(), questions: z.array(supplierQuestionSchema) })),
    answers: z.record(z.string(), answerSchema),
    evidence: z.array(evidenceSchema),
  })
  .meta({ id: 'SupplierResponse' });

export const submissionSchema = z
  .object({
    responseId: z.uuid(),
    status: z.literal('submitted'),
    reference: z.string().describe('Quote this reference to the council.'),
    submittedAt: z.iso.datetime(),
    answerCount: z.number().int(),
    evidenceCount: z.number().int(),
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
    outstanding: z.number().int().describe('What would stop a submission now: unanswered required questions and missing mandatory evidence.'),
    evidenceFiles: z.number().int(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ResponseProgress' });

export const officerResponseSchema = responseProgressSchema
  .extend({
    procurementId: z.uuid(),
    deadline: z.iso.datetime().describe('This supplier’s deadline: the procurement’s, or a later one granted to it alone.'),
    submission: z
      .object({
        reference: z.string(),
        submittedAt: z.iso.datetime(),
        answers: z.record(z.string(), z.unknown()).describe('Each answer as submitted: `{value, comment, confidential, confidentialReason}`, withheld as in `answers` (with `redacted: true`) when confidential and the caller may not read it.'),
        evidence: z.array(evidenceSchema.omit({ uploadedAt: true })),
      })
      .nullable(),
    answers: z.record(z.string(), answerSchema),
    evidence: z.array(evidenceSchema),
  })
  .meta({ id: 'Response' });

const answerSnapshotSchema = z.object({ value: z.unknown(), comment: z.string().nullable(), confidential: z.boolean(), confidentialReason: z.string().nullable(), redacted: withheld });

export const clarificationSchema = z
  .object({
    id: z.uuid(),
    responseId: z.uuid(),
    questionKey: z.string(),
    question: z.string(),
    allowAmend: z.boolean().describe('Whether the supplier may change its answer in its reply.'),
    replyBy: z.iso.datetime().nullable(),
    askedAt: z.iso.datetime(),
    originalAnswer: answerSnapshotSchema.nullable().describe('The answer as submitted, when the question was asked.'),
    status: z.enum(['awaiting_reply', 'answered']),
    reply: z.string().nullable(),
    amendedAnswer: answerSnapshotSchema.nullable(),
    repliedAt: z.iso.datetime().nullable(),
    amendment: z
      .object({
        status: z.enum(['pending', 'accepted', 'rejected']),
        reason: z.string().nullable(),
        decidedBy: z.string().nullable(),
        decidedAt: z.iso.datetime().nullable(),
      })
      .nullable()
      .describe('With an amended answer: the moderator’s decision. Only an accepted amendment counts in the evaluation; until then the answer as submitted does.'),
    redacted: z
      .literal(true)
      .optional()
      .describe(
        'Present only when the clarification is about an answer the supplier marked confidential and the caller is an API key without `responses:read-confidential`: the question is replaced by a notice, the reply is null and the answers it quotes are withheld.',
      ),
  })
  .meta({ id: 'Clarification' });

export const askClarificationSchema = z
  .object({
    questionKey: z.string().min(1).max(80),
    question: z.string().trim().min(1).max(5000),
    allowAmend: z.boolean().default(false),
    replyBy: instantSchema({ offset: true }).optional(),
  })
  .strict();

export const replyClarificationSchema = z
  .object({
    reply: z.string().trim().min(1).max(20_000),
    amendedAnswer: saveAnswerSchema.optional().describe('Only when the clarification allows it.'),
  })
  .strict();

export const extendDeadlineSchema = z
  .object({
    deadline: instantSchema({ offset: true }).describe('The supplier’s new deadline; later than the one it has.'),
    reason: z.string().trim().min(1).max(2000).describe('Recorded in the audit log: why this supplier has longer.'),
  })
  .strict();

export const teamMemberSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    sections: z.array(z.string()).describe('The section keys this colleague may read and answer.'),
    tokenPrefix: z.string().describe('A short, non-secret label of the colleague’s link.'),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable().describe('When the supplier removed the colleague; its link stopped working then.'),
  })
  .meta({ id: 'TeamMember' });
