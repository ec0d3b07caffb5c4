import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config';
import { createAccountTokenResolver, registerAccountsApi } from './modules/accounts';
import { registerProcurementsApi } from './modules/procurements';
import { registerQuestionnairesApi } from './modules/questionnaires';
import { createInvitationTokenResolver, registerResponsesApi, registerResponsesWeb } from './modules/responses';
import { registerReportsApi } from './modules/reports';
import { registerScoringApi } from './modules/scoring';
import { registerIntegrationsApi } from './modules/integrations';
import { registerAuditApi } from './platform/audit';
import { registerAuth, type Principal } from './platform/auth';
import { createOrganisationCache } from './platform/cache';
import type { Database } from './platform/db';
import { frameworkErrorHandlers, registerErrorHandling } from './platform/errors';
import type { AppDeps } from './platform/http/deps';
import { registerHealth } from './platform/http/health';
import { genReqId, loggerOptions } from './platform/http/logging';
import { registerNulGuard } from './platform/http/nul-guard';
import { registerOpenApi } from './platform/http/openapi';
import { registerHsts } from './platform/http/security-headers';
import { serializerCompiler } from './platform/http/serializer';
import { createDatabaseBlobStorage } from './platform/storage';
import { createOutboxMailer, createSmtpMailer, registerOutboxApi } from './platform/mail';
import { createPdfRenderer } from './platform/pdf';

export type BuildAppInput = {
  config: Config;
  database: Database;
  now?: () => Date;
  /** Overrides the logger (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
};

/** The order of registration is the architecture: protection, then the contract, then errors, then features. */
export async function buildApp({ config, database, now = () => new Date(), logger }: BuildAppInput): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions({ level: config.logLevel }),
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    ...frameworkErrorHandlers(config),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.headers.authorization && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  // 1. Protection: security headers, a global rate limit per caller.
  // The API answers JSON, so the policy is the OWASP REST set: nothing may load, frame or sniff it.
  // (HTML pages set their own, nonce-based policy.)
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: false, // registerHsts: per request, by how it arrived
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  registerHsts(app, config);
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    // A token is a better identity than an address: many council staff share one NAT.
    keyGenerator: (request) => {
      const auth = request.headers.authorization;
      return auth ? `t:${createHash('sha256').update(auth).digest('base64url')}` : `ip:${request.ip}`;
    },
  });

  // 2. The contract: zod validates and serialises, and the same schemas produce the OpenAPI document.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerOpenApi(app, { docsUi: config.apiDocs });
  registerNulGuard(app);
  // Evidence uploads stream past the JSON body limit, up to their own: one file and a few small fields.
  await app.register(multipart, { limits: { fileSize: config.evidenceMaxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } });

  // 3. Errors as problem+json, and who is calling.
  registerErrorHandling(app);
  const principalCache = createOrganisationCache<Principal>({ ttlMs: config.authCacheTtlMs, now });
  const mailer = config.smtpUrl ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, logger: app.log }) : createOutboxMailer();
  const pdf = createPdfRenderer({ workers: config.reportWorkers });
  app.addHook('onClose', async () => pdf.close());
  const deps: AppDeps = { database, config, now, principalCache, storage: createDatabaseBlobStorage(), mailer, pdf, hooks: { responseChanged: [] } };
  const accountTokens = createAccountTokenResolver({ db: database.db, now });
  const invitationTokens = createInvitationTokenResolver({ db: database.db, now });
  registerAuth(app, { resolvers: { pat: accountTokens, key: accountTokens, inv: invitationTokens }, cache: principalCache });

  // 4. Features.
  registerHealth(app, deps);
  registerAccountsApi(app, deps);
  registerQuestionnairesApi(app, deps);
  registerProcurementsApi(app, deps);
  registerResponsesApi(app, deps);
  registerResponsesWeb(app, deps);
  registerScoringApi(app, deps);
  registerReportsApi(app, deps);
  registerIntegrationsApi(app, deps);
  registerAuditApi(app, deps);
  registerOutboxApi(app, deps);

  await app.ready();
  return app;
}
