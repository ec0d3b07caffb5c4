import { z } from 'zod';
import { ROLES, SCOPES } from '../../platform/auth';
import { instantSchema } from '../../platform/http/instant';

export const roleSchema = z.enum(ROLES).meta({ id: 'Role', description: 'admin, officer, evaluator or viewer.' });
export const scopeSchema = z.enum(SCOPES).meta({
  id: 'Scope',
  description:
    'What an API key may read or do. scores:read: scores, results, comparison, evaluations (no answer text); procurements:read: procurements, invitations, progress; responses:read: answers, evidence and clarifications, confidential ones withheld; responses:read-confidential: with responses:read, scores:read or reports:read, confidential answers too; reports:read: the PDF reports (the evaluation report also needs responses:read-confidential); questionnaires:read; webhooks:manage; audit:read.',
});

export const organisationSchema = z
  .object({ id: z.uuid(), name: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'Organisation' });

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    active: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

const tokenFields = {
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to tell tokens apart. Not a secret.'),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable().describe('Updated at most once a minute.'),
  revokedAt: z.iso.datetime().nullable(),
};

export const personalTokenSchema = z.object(tokenFields).meta({ id: 'PersonalToken' });
export const apiKeySchema = z
  .object({ ...tokenFields, scopes: z.array(scopeSchema), createdBy: z.uuid().nullable() })
  .meta({ id: 'ApiKey' });

export const secretTokenSchema = z
  .string()
  .describe('The secret bearer token. Shown only in this response: store it now, it cannot be shown again.');

const name = z.string().trim().min(1).max(200);
const email = z.string().trim().toLowerCase().pipe(z.email().max(320));
const futureDate = instantSchema({ offset: true }).describe('When the token stops working (optional).');

export const setupBodySchema = z
  .object({ organisationName: name, adminEmail: email, adminName: name })
  .strict();

export const setupResponseSchema = z.object({ organisation: organisationSchema, user: userSchema, token: secretTokenSchema });

export const meSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), organisation: organisationSchema, user: userSchema }),
  z.object({ kind: z.literal('api_key'), organisation: organisationSchema, apiKey: z.object({ id: z.uuid(), scopes: z.array(scopeSchema) }) }),
]).meta({ id: 'Me' });

export const createUserBodySchema = z.object({ email, name, role: roleSchema }).strict();
export const createdUserSchema = z.object({ user: userSchema, token: secretTokenSchema });
export const updateUserBodySchema = z
  .object({ role: roleSchema.optional(), active: z.boolean().optional(), name: name.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'Give at least one of role, active or name');

export const createApiKeyBodySchema = z
  .object({ name, scopes: z.array(scopeSchema).min(1).max(SCOPES.length), expiresAt: futureDate.optional() })
  .strict();
export const createdApiKeySchema = z.object({ apiKey: apiKeySchema, token: secretTokenSchema });

export const createPersonalTokenBodySchema = z.object({ name, expiresAt: futureDate.optional() }).strict();
export const createdPersonalTokenSchema = z.object({ personalToken: personalTokenSchema, token: secretTokenSchema });

export const idParamsSchema = z.object({ id: z.uuid() });
