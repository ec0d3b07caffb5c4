import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config';
import type { Principal } from '../auth';
import type { AccessChanges, OrganisationCache } from '../cache';
import type { Database, Db } from '../db';
import type { Mailer } from '../mail';
import type { PdfRenderer } from '../pdf';
import type { BlobStorage, UploadSlots } from '../storage';
import type { RateLimits } from './rate-limit';

/** What every route group receives: the database, the configuration and a clock tests can set. */
export type AppDeps = {
  database: Database;
  config: Config;
  now: () => Date;
  /** Resolved tokens; a module that changes who may do what tells it to forget. */
  principalCache: OrganisationCache<Principal>;
  /** Tells every instance (this one included) to forget an organisation's cached access after a change. */
  accessChanges: AccessChanges;
  /** Where uploaded files' bytes go. */
  storage: BlobStorage;
  /** Uploads in flight, per response and in all, shared by the API and the web form. */
  uploads: UploadSlots;
  /** Delivers queued email after commit: SMTP when configured, else held in the outbox. */
  mailer: Mailer;
  /** Draws PDFs on a pool of worker threads shared by every feature (reports, receipts). */
  pdf: PdfRenderer;
  /** Request limits; a route that checks a credential of its own reports a wrong one here. */
  rateLimits: RateLimits;
  /**
   * Calls between modules that must not import each other, made inside the caller's transaction:
   * `responseChanged` runs when a submitted response changes (submission, withdrawal, an amendment).
   * `procurementFacts` tell the procurement pages what later modules know about procurements.
   * `auditNames` name the people and procurements the audit log's pages show by id.
   */
  hooks: { responseChanged: ResponseChangedHook[]; procurementFacts: ProcurementFactsHook[]; auditNames: AuditNamesHook[] };
};

/** Names for ids the audit log records: an organisation's users and API keys (former ones too), and its procurements. */
export type AuditNames = {
  people?: Array<{ kind: 'user' | 'api_key'; id: string; name: string }>;
  procurements?: Array<{ id: string; title: string; reference: string | null }>;
};

/** Everything of one organisation a module can name for the audit log; only asked on behalf of someone who may read the log. */
export type AuditNamesHook = (input: { db: Db; organisationId: string }) => Promise<AuditNames>;

/** What another module knows about a procurement that its pages show (suppliers invited and submitted). */
export type ProcurementFacts = { suppliersInvited?: number; suppliersSubmitted?: number };

/** Facts about these procurements of the principal's organisation, by procurement id: only what the principal may read. */
export type ProcurementFactsHook = (input: { db: Db; principal: Principal; procurementIds: string[] }) => Promise<Map<string, ProcurementFacts>>;

export type ResponseChangedHook = (input: { db: Db; organisationId: string; responseId: string; now: Date }) => Promise<void>;

/** Runs every hook in order, in the caller's transaction: one failing fails the change. */
export function runResponseChanged(hooks: ResponseChangedHook[]): ResponseChangedHook {
  return async (input) => {
    for (const hook of hooks) await hook(input);
  };
}

export type ZodApp = ReturnType<FastifyInstance['withTypeProvider']> & FastifyInstance;

export function zodApp(app: FastifyInstance) {
  return app.withTypeProvider<ZodTypeProvider>();
}
