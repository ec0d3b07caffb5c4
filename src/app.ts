import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config';
import { createAccountTokenResolver, oidcBeforeEmailLink, registerAccountPages, registerAccountsApi, registerConsolePages, registerIdentityProviderApi, registerIdentityProviderPages, registerOidcPages, registerSignInPages, registerAdminPages, staffWebHelpers } from './modules/accounts';
import { registerProcurementPages, registerProcurementsApi, registerPublishedPages } from './modules/procurements';
import { registerQuestionnairePages, registerQuestionnairesApi } from './modules/questionnaires';
import { createInvitationTokenResolver, registerResponsesApi, registerResponsesConsolePages, registerResponsesWeb } from './modules/responses';
import { registerReportsApi, registerReportsConsolePages } from './modules/reports';
import { registerConditionsPages, registerModerationPages, registerPanelPages, registerScoringApi, registerScoringConsolePages } from './modules/scoring';
import { registerIntegrationsApi, registerIntegrationsConsolePages, registerWebhookPages } from './modules/integrations';
import { registerAuditApi, registerAuditPages } from './platform/audit';
import { registerAuth, type Principal } from './platform/auth';
import { createAccessChanges, createOrganisationCache } from './platform/cache';
import type { Database } from './platform/db';
import { frameworkErrorHandlers, registerErrorHandling, registerFrameworkRefusals } from './platform/errors';
import type { AppDeps } from './platform/http/deps';
import { registerHealth } from './platform/http/health';
import { genReqId, loggerOptions } from './platform/http/logging';
import { registerDepthGuard } from './platform/http/depth-guard';
import { registerNulGuard } from './platform/http/nul-guard';
import { registerOpenApi } from './platform/http/openapi';
import { registerRateLimits } from './platform/http/rate-limit';
import { databaseRateLimitStore } from './platform/http/rate-limit-store';
import { registerApiSecurityHeaders, registerHsts } from './platform/http/security-headers';
import { registerShutdownGate } from './platform/http/shutdown';
import { serializerCompiler } from './platform/http/serializer';
import { createBlobStorage, createUploadSlots } from './platform/storage';
import { createOutboxMailer, createSmtpMailer, registerOutboxApi, registerOutboxPages } from './platform/mail';
import { createPdfRenderer, type PdfRenderer } from './platform/pdf';
import { hideFromOpenApi, registerWeb } from './platform/web';

export type BuildAppInput = {
  config: Config;
  database: Database;
  now?: () => Date;
  /** Overrides the logger (tests pass `false`). */
  logger?: FastifyServerOptions['logger'];
  /** Called before any plugin or route is added (the tests record every answer through an onSend hook). */
  observe?: (app: FastifyInstance) => void;
  /** Draws the PDFs instead of a pool made from the config (tests count renders); closed with the app. */
  pdf?: PdfRenderer;
};

/** The order of registration is the architecture: protection, then the contract, then errors, then features. */
export async function buildApp({ config, database, now = () => new Date(), logger, observe, pdf: givenPdf }: BuildAppInput): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions({ level: config.logLevel }),
    genReqId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: false, // registerShutdownGate answers those requests as problem+json
    routerOptions: { ignoreTrailingSlash: true },
    ...frameworkErrorHandlers(config),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.headers.authorization && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  observe?.(app);

  // 1. Protection: security headers, a global rate limit per caller.
  registerApiSecurityHeaders(app);
  registerHsts(app, config);
  registerFrameworkRefusals(app, config);
  registerShutdownGate(app);
  // Per principal once authenticated, per address otherwise; failed authentications have their own, tighter limit.
  // On PostgreSQL every instance counts against one allowance, in the database.
  const rateLimitStore = database.kind === 'postgres' ? databaseRateLimitStore({ db: database.db, now, logger: app.log }) : undefined;
  const rateLimits = await registerRateLimits(app, { config, now, store: rateLimitStore });

  // 2. The contract: zod validates and serialises, and the same schemas produce the OpenAPI document.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerOpenApi(app, { docsUi: config.apiDocs, publicBaseUrl: config.publicBaseUrl });
  registerNulGuard(app);
  registerDepthGuard(app);
  // Evidence uploads stream past the JSON body limit, up to their own: one file and a few small fields.
  await app.register(multipart, { limits: { fileSize: config.evidenceMaxBytes, files: 1, fields: 5, fieldSize: 1024, parts: 6 } });

  // 3. Errors as problem+json, and who is calling.
  registerErrorHandling(app);
  const principalCache = createOrganisationCache<Principal>({ ttlMs: config.authCacheTtlMs, now });
  // Other instances' access changes reach this one's caches (PostgreSQL LISTEN/NOTIFY).
  const accessChanges = await createAccessChanges({ database, logger: app.log });
  accessChanges.track(principalCache);
  app.addHook('onClose', async () => accessChanges.close());
  const mailer = config.smtpUrl ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, logger: app.log }) : createOutboxMailer();
  const pdf = givenPdf ?? createPdfRenderer({ workers: config.reportWorkers });
  app.addHook('onClose', async () => pdf.close());
  const blobStorage = createBlobStorage({ config: config.blobStorage, dataDir: config.dataDir, db: database.db });
  app.addHook('onClose', async () => blobStorage.close());
  const uploads = createUploadSlots({ perKey: config.evidenceUploads.perResponse, total: config.evidenceUploads.total });
  const deps: AppDeps = { database, config, now, principalCache, accessChanges, storage: blobStorage.storage, uploads, mailer, pdf, rateLimits, hooks: { responseChanged: [], procurementFacts: [], auditNames: [] } };
  const accountTokens = createAccountTokenResolver({ db: database.db, now });
  const invitationTokens = createInvitationTokenResolver({ db: database.db, now });
  registerAuth(app, { resolvers: { pat: accountTokens, key: accountTokens, inv: invitationTokens }, cache: principalCache, onRefused: rateLimits.refused });

  // 4. Features.
  registerHealth(app, deps);
  registerAccountsApi(app, deps);
  registerIdentityProviderApi(app, deps);
  registerQuestionnairesApi(app, deps);
  registerProcurementsApi(app, deps);
  registerResponsesApi(app, deps);
  registerResponsesWeb(app, deps);
  registerPublishedPages(app, deps);
  // The officer console: one plugin for every module's pages, each module adding its line below.
  app.register(async (web) => {
    hideFromOpenApi(web);
    await registerWeb(web, { tooManyAttempts: 'console/too-many-attempts.njk', serviceProblem: 'console/service-problem.njk' });
    const staff = staffWebHelpers(deps);
    web.addHook('onRequest', staff.identify);
    const consoleDeps = { ...deps, staff };
    registerConsolePages(web, consoleDeps);
    // Single sign-on takes over the sign-in of an address whose domain an identity provider claims.
    registerSignInPages(web, { ...consoleDeps, beforeEmailLink: oidcBeforeEmailLink(deps) });
    registerOidcPages(web, consoleDeps);
    registerIdentityProviderPages(web, consoleDeps);
    registerAccountPages(web, consoleDeps);
    registerAdminPages(web, consoleDeps);
    registerOutboxPages(web, consoleDeps);
    registerQuestionnairePages(web, consoleDeps);
    registerProcurementPages(web, consoleDeps);
    registerResponsesConsolePages(web, consoleDeps);
    registerScoringConsolePages(web, consoleDeps);
    registerPanelPages(web, consoleDeps);
    registerModerationPages(web, consoleDeps);
    registerConditionsPages(web, consoleDeps);
    registerReportsConsolePages(web, consoleDeps);
    registerIntegrationsConsolePages(web, consoleDeps);
    registerWebhookPages(web, consoleDeps);
    registerAuditPages(web, consoleDeps);
  });
  registerScoringApi(app, deps);
  registerReportsApi(app, deps);
  registerIntegrationsApi(app, deps);
  registerAuditApi(app, deps);
  registerOutboxApi(app, deps);

  await app.ready();
  return app;
}
