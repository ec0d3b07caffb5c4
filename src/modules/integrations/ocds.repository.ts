import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import type { Release, StoredRelease } from './ocds.models';
import { ocdsReleases } from './ocds.table';

type Scope = { db: Db; organisationId: string; procurementId: string };

const ofProcurement = (s: Scope) => and(eq(ocdsReleases.organisationId, s.organisationId), eq(ocdsReleases.procurementId, s.procurementId));

/** A procurement's stored releases, oldest first, as stored. */
export async function releasesOf(s: Scope): Promise<Array<Record<string, unknown>>> {
  const rows = await s.db.select({ release: ocdsReleases.release }).from(ocdsReleases).where(ofProcurement(s)).orderBy(asc(ocdsReleases.sequence));
  return rows.map((r) => r.release);
}

/** The procurement's latest stored release, or null before the first. */
export async function latestRelease(s: Scope): Promise<StoredRelease | null> {
  const [row] = await s.db.select({ sequence: ocdsReleases.sequence, release: ocdsReleases.release }).from(ocdsReleases).where(ofProcurement(s)).orderBy(desc(ocdsReleases.sequence)).limit(1);
  return row ? { sequence: row.sequence, release: row.release as unknown as Release } : null;
}

/** Stores a release; a concurrent insert of the same sequence fails on the primary key (23505). */
export async function insertRelease(s: Scope & { stored: StoredRelease; now: Date }): Promise<void> {
  await s.db.insert(ocdsReleases).values({
    organisationId: s.organisationId,
    procurementId: s.procurementId,
    sequence: s.stored.sequence,
    releaseId: s.stored.release.id,
    release: s.stored.release as unknown as Record<string, unknown>,
    createdAt: s.now,
  });
}
