import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../platform/auth';
import { problemResponses } from '../../platform/errors';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { etagOf, versionFromIfMatch } from '../../platform/http/etag';
import { documentErrors, withExample } from '../../platform/http/openapi';
import { identityProviderErrors } from './identity-providers.errors';
import * as s from './identity-providers.schemas';
import * as usecases from './identity-providers.usecases';
import { discoveryProblem, oidcClientsFor, type OidcClients } from './oidc.client';

const ADMIN = { roles: ['admin'] } as const;
const ifMatchHeader = z.object({ 'if-match': z.string().max(100).optional() });

/** Discovery as the registration checks it: any failure is the issuer's, said in words (422). */
export function discoverIssuer(oidc: OidcClients): usecases.DiscoverIssuer {
  return async (input) => {
    try {
      await oidc.discover(input);
    } catch (error) {
      throw identityProviderErrors.discoveryFailed(discoveryProblem(error));
    }
  };
}

export function registerIdentityProviderApi(app: FastifyInstance, { database, config, now }: AppDeps): void {
  const oidc = oidcClientsFor(config);
  const r = zodApp(app);
  documentErrors(app, identityProviderErrors);
  const withEtag = <T>(reply: FastifyReply, result: { provider: T; version: number }) => {
    reply.header('etag', etagOf(result.version));
    return result.provider;
  };

  r.get(
    '/v1/identity-provider',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'getIdentityProvider',
        summary: "Your organisation's identity provider",
        description: 'The OpenID Connect provider (Entra ID, Google Workspace or another) your staff sign in with, chosen by the domain of their email address. The client secret is never returned: `clientSecretSet` says whether one is kept.',
        responseHeaders: { 200: ['ETag'] },
        response: { 200: s.identityProviderSchema, ...problemResponses(404) },
      },
    },
    async (request, reply) => withEtag(reply, await usecases.getIdentityProvider({ db: database.db, principal: principalOf(request), publicBaseUrl: config.publicBaseUrl })),
  );

  r.put(
    '/v1/identity-provider',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'saveIdentityProvider',
        summary: 'Register or change your identity provider',
        description:
          'Discovers the issuer first (422 `accounts.identity_provider_discovery_failed` when no OpenID provider answers there). Register `redirectUri` at the provider with the scopes `openid email profile`. The secret is sealed with SECRETS_KEY and never returned; leave `clientSecret` out to keep the one stored. Honours If-Match (412 when stale). Changing the issuer forgets which person at the old provider each user was; they are matched again by verified email at their next sign-in.',
        headers: ifMatchHeader,
        body: withExample(s.putIdentityProviderBodySchema, {
          issuer: 'https://login.microsoftonline.com/7d3c1a52-0b8e-4a7f-9c61-2f4e8d9b0a13/v2.0',
          clientId: '3f9a2c4e-6b1d-4e8f-a7c2-5d0b9e1f3a64',
          clientSecret: 'secret-from-the-app-registration',
          allowedDomains: ['borsetshire.gov.uk'],
          createViewers: false,
        }),
        response: { 200: s.identityProviderSchema, 201: s.identityProviderSchema, ...problemResponses(409, 422) },
      },
    },
    async (request, reply) => {
      const result = await usecases.putIdentityProvider({
        db: database.db,
        now: now(),
        principal: principalOf(request),
        secretsKey: config.secretsKey,
        publicBaseUrl: config.publicBaseUrl,
        production: config.env === 'production',
        body: request.body,
        ifMatch: versionFromIfMatch(request.headers['if-match']),
        discover: discoverIssuer(oidc),
      });
      return withEtag(reply.code(result.created ? 201 : 200), result);
    },
  );

  r.delete(
    '/v1/identity-provider',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['accounts'],
        operationId: 'deleteIdentityProvider',
        summary: 'Remove your identity provider',
        description: 'Your staff sign in by emailed link again, and which person at the provider each user was is forgotten.',
        response: { 204: z.null(), ...problemResponses(404) },
      },
    },
    async (request, reply) => {
      await usecases.deleteIdentityProvider({ db: database.db, now: now(), principal: principalOf(request), ifMatch: undefined });
      return reply.code(204).send(null);
    },
  );
}
