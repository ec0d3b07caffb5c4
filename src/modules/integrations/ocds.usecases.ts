import { isKeyWithout, type Principal } from '../../platform/auth';
import { inTransaction, isUniqueViolation, type Db } from '../../platform/db';
import { contactFor } from '../accounts';
import { procurementEvaluations } from '../scoring';
import { buildReleaseContent, nextRelease, recordPackageOf, releasePackageOf, stageDateOf, withoutAnswers, type RecordPackage, type Release, type ReleasePackage } from './ocds.models';
import * as repo from './ocds.repository';

type Ctx = { db: Db; now: Date; principal: Principal; procurementId: string; ocidPrefix: string; publicBaseUrl: string };

/** Where the local extension's extension.json is served (see ocds.api.ts), under the public base URL. */
export const localExtensionUrl = (publicBaseUrl: string) => `${publicBaseUrl}/ocds-extension/extension.json`;

const releasePackageUri = (ctx: Ctx) => `${ctx.publicBaseUrl}/v1/procurements/${ctx.procurementId}/ocds`;

// jsonb keeps its own key order; the top-level fields are put back in the order OCDS documents them, the same on every read.
const RELEASE_FIELDS = ['ocid', 'id', 'date', 'tag', 'initiationType', 'language', 'parties', 'buyer', 'tender', 'bids', 'awards'];
function ordered(release: Record<string, unknown>): Release {
  const known = RELEASE_FIELDS.filter((k) => k in release).map((k) => [k, release[k]] as const);
  const rest = Object.entries(release).filter(([k]) => !RELEASE_FIELDS.includes(k));
  return Object.fromEntries([...known, ...rest]) as Release;
}

/**
 * Stores a release of the procurement's current state when it differs from the latest stored one,
 * then returns them all, oldest first. A stored release is never changed. Two readers storing the
 * same sequence at once: the loser's insert fails on the key, and it reads again (and retries).
 * Reads through `procurementEvaluations` (404 for another organisation's procurement). An API key
 * without responses:read gets the releases without answers.
 */
export async function publishedReleases(ctx: Ctx): Promise<{ releases: Release[]; council: string }> {
  const all = await procurementEvaluations(ctx);
  const { council } = await contactFor({ db: ctx.db, organisationId: ctx.principal.organisationId, userId: null });
  const content = buildReleaseContent({
    procurement: all.procurement,
    definition: all.definition,
    responses: all.responses,
    evaluations: all.evaluations,
    ranks: new Map(all.items.map((i) => [i.responseId, i.rank])),
    decision: all.decision,
    buyer: { id: ctx.principal.organisationId, name: council },
    ocidPrefix: ctx.ocidPrefix,
  });
  const scope = { organisationId: ctx.principal.organisationId, procurementId: all.procurement.id };
  // Called with the database, not inside a caller's transaction: a failed insert would abort that transaction on PostgreSQL.
  for (let attempt = 1; ; attempt++) {
    try {
      await inTransaction(ctx.db, async (tx) => {
        const latest = await repo.latestRelease({ db: tx, ...scope });
        const next = nextRelease({ content, latest, stageDate: stageDateOf(all.procurement, all.decision), now: ctx.now.toISOString() });
        if (next) await repo.insertRelease({ db: tx, ...scope, stored: next, now: ctx.now });
      });
      break;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Someone else stored this sequence: read again; after a few tries, publish what is stored rather than fail.
      if (attempt >= 3) break;
    }
  }
  const releases = (await repo.releasesOf({ db: ctx.db, ...scope })).map(ordered);
  // The answers a council publishes are still not for a key granted scores alone (the scopes promise that); the stored releases keep them.
  return { releases: isKeyWithout(ctx.principal, 'responses:read') ? releases.map(withoutAnswers) : releases, council };
}

/** The procurement's stored releases as one release package (`GET /v1/procurements/{id}/ocds`). */
export async function ocdsReleasePackage(ctx: Ctx): Promise<ReleasePackage> {
  const { releases, council } = await publishedReleases(ctx);
  return releasePackageOf({ uri: releasePackageUri(ctx), publisherName: council, localExtensionUrl: localExtensionUrl(ctx.publicBaseUrl), releases });
}

/** The procurement as an OCDS record package (`GET /v1/procurements/{id}/ocds/record`): linked releases and the compiled release. */
export async function ocdsRecordPackage(ctx: Ctx): Promise<RecordPackage> {
  const { releases, council } = await publishedReleases(ctx);
  return recordPackageOf({
    uri: `${releasePackageUri(ctx)}/record`,
    releasePackageUri: releasePackageUri(ctx),
    publisherName: council,
    localExtensionUrl: localExtensionUrl(ctx.publicBaseUrl),
    releases,
  });
}

/** The events that change what a procurement's OCDS release says: it opened, was decided or was cancelled. */
const STAGE_EVENTS = new Set(['procurement.opened', 'procurement.decided', 'procurement.cancelled']);

/**
 * Stores the release of each procurement that one of `dispatched` moved to a new stage, as the
 * system, so a stage has its release (dated when it happened) even if nobody reads the package
 * during it. Called by the webhook worker after it dispatches events; reads store releases too, so
 * a missed call (delivery turned off, a crash) is made good at the next read.
 */
export async function storeStageReleases(input: {
  db: Db;
  now: Date;
  dispatched: Array<{ type: string; organisationId: string; subjectId: string }>;
  ocidPrefix: string;
  publicBaseUrl: string;
}): Promise<number> {
  const procurements = new Map(input.dispatched.filter((e) => STAGE_EVENTS.has(e.type)).map((e) => [e.subjectId, e.organisationId]));
  for (const [procurementId, organisationId] of procurements)
    await publishedReleases({ db: input.db, now: input.now, principal: { kind: 'system', organisationId, name: 'ocds' }, procurementId, ocidPrefix: input.ocidPrefix, publicBaseUrl: input.publicBaseUrl });
  return procurements.size;
}
