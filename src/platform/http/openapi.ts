import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { Access } from '../auth';

export const API_VERSION = '1.0.0';

const SWAGGER_UI_STYLE_HASH = 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w=';

/**
 * Adds the bearer requirement to every operation whose route is not public, so the document says
 * what the auth hook enforces.
 */
function withSecurity(input: Parameters<typeof jsonSchemaTransform>[0]) {
  const transformed = jsonSchemaTransform(input);
  const access = (input.route.config as { access?: Access } | undefined)?.access;
  if (access && access !== 'public') {
    return { ...transformed, schema: { ...transformed.schema, security: [{ bearerAuth: [] }] } };
  }
  return transformed;
}

export async function registerOpenApi(app: FastifyInstance, { docsUi }: { docsUi: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'AI supplier due diligence for UK councils',
        version: API_VERSION,
        description:
          'Questionnaires based on the LGA *Responsibly buying AI* guidance, supplier answers, transparent scoring and reports. Errors are RFC 9457 problem+json with a stable `code`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A personal access token (`aidd_pat_…`), an organisation API key (`aidd_key_…`) or a supplier invitation token (`aidd_inv_…`).',
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
    transform: withSecurity,
    transformObject: jsonSchemaTransformObject,
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
