import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { errorCodesOf, PLATFORM_ERROR_CODES, sortedCodes, type ErrorCodeEntry, type ErrorFactories } from '../errors';
import { finishDocument, type OpenApiDocument, type WebhookEventDoc } from './openapi-finish';
import { transformRoute } from './openapi-route';

export { type ResponseHeaderName } from './openapi-route';
export { type WebhookEventDoc } from './openapi-finish';

export const API_VERSION = '1.0.0';

const SWAGGER_UI_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

/** What modules add to the document besides their routes (the platform imports no module). */
type DocumentParts = { errorCodes: ErrorCodeEntry[]; webhooks: Record<string, WebhookEventDoc> };
const partsByApp = new WeakMap<FastifyInstance, DocumentParts>();
const partsOf = (app: FastifyInstance): DocumentParts => {
  let parts = partsByApp.get(app);
  if (!parts) partsByApp.set(app, (parts = { errorCodes: [], webhooks: {} }));
  return parts;
};

/** Lists a module's error codes (read from its factories) in the Problem schema's `x-error-codes`. */
export function documentErrors(app: FastifyInstance, ...groups: ErrorFactories[]): void {
  partsOf(app).errorCodes.push(...errorCodesOf(...groups));
}

/** Describes the events a module sends to webhook endpoints, in the document's `webhooks`. */
export function documentWebhooks(app: FastifyInstance, events: Record<string, WebhookEventDoc>): void {
  Object.assign(partsOf(app).webhooks, events);
}

/** The schema, with an example of it for the API description (typed, so the example cannot drift from it). */
export function withExample<T extends z.ZodType>(schema: T, example: z.input<T>): T {
  return schema.meta({ examples: [example] });
}

/** The document at /openapi.json (and /docs), built from the routes' zod schemas and `config.access`. */
export async function registerOpenApi(app: FastifyInstance, { docsUi, publicBaseUrl }: { docsUi: boolean; publicBaseUrl?: string }): Promise<void> {
  const parts = partsOf(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AI supplier due diligence for UK councils',
        version: API_VERSION,
        description:
          'Questionnaires based on the LGA *Responsibly buying AI* guidance, supplier answers, transparent scoring and reports. Errors are RFC 9457 problem+json with a stable `code`. Requests are rate limited per user, API key or supplier invitation once the token is valid, and per client address otherwise, with a tighter limit on failed authentications; every limited answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, and a 429 `request.rate_limited` also `Retry-After` (seconds).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A personal access token (`aidd_pat_…`), an organisation API key (`aidd_key_…`) or a supplier invitation token (`aidd_inv_…`).',
          },
          setupToken: {
            type: 'apiKey',
            in: 'header',
            name: 'X-Setup-Token',
            description: 'The setup token (the SETUP_TOKEN environment variable, or the one printed in the log at start): only for creating the first organisation.',
          },
        },
      },
      tags: [
        { name: 'accounts', description: 'Organisations, users, personal tokens and API keys' },
        { name: 'questionnaires', description: 'Questionnaire definitions, versions, the built-in bank and the published methodology' },
        { name: 'procurements', description: 'Procurements: triage, risk tier, weights, deadline, panel and lifecycle' },
        { name: 'invitations', description: 'Inviting suppliers: links, revocation, new links' },
        { name: 'responses', description: 'The council’s view of suppliers’ responses' },
        { name: 'supplier', description: 'For suppliers, with their invitation token: their own response only' },
        { name: 'clarifications', description: 'Questions to a supplier about one answer, and its replies' },
        { name: 'evaluation', description: 'Conflict declarations, marks, moderation, gateway decisions, evaluations, results and the decision' },
        { name: 'reports', description: 'PDF reports: the evaluation report, the comparison report and the Procurement Act 2023 s.50 assessment summary' },
        { name: 'integrations', description: 'For contract and e-procurement systems: the scores feed, CSV and Excel exports, the OCDS release package' },
        { name: 'webhooks', description: 'Signed notifications of events (Standard Webhooks), their delivery log and redelivery' },
        { name: 'outbox', description: 'Email sent, or held when no SMTP server is configured' },
        { name: 'audit', description: 'The append-only audit log' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    transform: transformRoute,
    transformObject: (input) =>
      finishDocument(jsonSchemaTransformObject(input) as unknown as OpenApiDocument, {
        publicBaseUrl,
        errorCodes: sortedCodes([...PLATFORM_ERROR_CODES, ...parts.errorCodes]),
        webhooks: parts.webhooks,
      }) as unknown as ReturnType<typeof jsonSchemaTransformObject>,
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  if (docsUi) {
    // The plugin's own policy (no inline script), framed by nothing like every other answer, and
    // allowing by its hash the one style element the bundled Swagger UI inserts (update it with the bundle).
    const transformStaticCSP = (header: string) =>
      header.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace("style-src 'self' https:", `style-src 'self' https: '${SWAGGER_UI_STYLE_HASH}'`);
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP, uiConfig: { deepLinking: true } });
  }
}
