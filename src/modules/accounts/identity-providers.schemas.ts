import { z } from 'zod';
import { isValidDomain, normaliseDomain } from './identity-providers.models';

export const MAX_DOMAINS = 50;

export const identityProviderSchema = z
  .object({
    issuer: z.string().describe('The issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`.'),
    clientId: z.string(),
    clientSecretSet: z.boolean().describe('Whether a client secret is kept. The secret itself is never returned.'),
    allowedDomains: z.array(z.string()).describe('People with an email address at one of these domains sign in through this provider.'),
    createViewers: z.boolean().describe('Whether a person from an allowed domain who has no user yet becomes a viewer at first sign-in (otherwise they are refused until an admin adds them).'),
    redirectUri: z.string().describe('The redirect URI to register at the provider.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'IdentityProvider' });

const domain = z
  .string()
  .max(260)
  .transform(normaliseDomain)
  .refine(isValidDomain, 'must be a domain name such as borsetshire.gov.uk');

export const putIdentityProviderBodySchema = z
  .object({
    issuer: z
      .url({ protocol: /^https?$/, error: 'must be an https:// URL' })
      .max(2000)
      .refine((value) => !/[?#]/.test(value), 'must not have a query or fragment')
      .describe('The issuer identifier: for Entra ID `https://login.microsoftonline.com/<tenant-id>/v2.0`, for Google `https://accounts.google.com`.'),
    clientId: z.string().trim().min(1).max(500),
    clientSecret: z
      .string()
      .min(1)
      .max(2000)
      .nullable()
      .optional()
      .describe('Sets the client secret; `null` removes it (a public client, PKCE alone); left out, the secret kept stays as it is.'),
    allowedDomains: z
      .array(domain)
      .min(1)
      .max(MAX_DOMAINS)
      .transform((domains) => [...new Set(domains)].sort())
      .describe('Email domains whose people sign in through this provider; each may belong to one organisation only (409 otherwise).'),
    createViewers: z.boolean().default(false),
  })
  .strict();

export type PutIdentityProviderBody = z.output<typeof putIdentityProviderBodySchema>;
