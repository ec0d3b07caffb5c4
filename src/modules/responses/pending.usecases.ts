import type { SupplierPrincipal } from '../../platform/auth';
import { openSecret, sealSecret } from '../../platform/crypto';
import type { Db } from '../../platform/db';
import type { AnswerInput } from './answers.usecases';
import { supplierAccess } from './invitations.usecases';
import * as repo from './responses.repository';

/**
 * Answers that reached the service but are not applied yet: a section form posted after its
 * session ended, or an answer file or workbook the supplier has not confirmed. Sealed with
 * SECRETS_KEY and bound to the invitation (supplier answers are confidential), kept for a day at
 * most, and only ever shown to the same supplier (the lead, or the colleague who posted them).
 */

export const PENDING_TTL_MS = 24 * 60 * 60 * 1000;

export type PendingKind = 'expired_session' | 'answer_file' | 'workbook';

/**
 * What is waiting. `answers` are keyed by question key; `bases` (from a section form) are the
 * answers' states when the page was rendered, so applying them later still never overwrites
 * someone else's change; `sectionKey` is the section the form was for; `source` names a file.
 */
export type PendingPayload = {
  answers: Record<string, AnswerInput>;
  cleared?: string[] | undefined;
  bases?: Record<string, string> | undefined;
  sectionKey?: string | undefined;
  /** A section form as it was posted (bookkeeping fields left out), to save through the same path later. */
  form?: Record<string, string | string[] | undefined> | undefined;
  source?: string | undefined;
};

export type PendingItem = { id: string; kind: PendingKind; createdAt: Date; payload: PendingPayload };

export type PendingOwner = { organisationId: string; invitationId: string; teamMemberId: string | null };

const context = (owner: { invitationId: string }, id: string) => `pending-answers:${owner.invitationId}:${id}`;

export const ownerOf = (principal: SupplierPrincipal): PendingOwner => ({ organisationId: principal.organisationId, invitationId: principal.invitationId, teamMemberId: principal.teamMember?.id ?? null });

/** Keeps answers for later; returns the id to confirm or discard them by. */
export async function keepPending({ db, now, secretsKey, owner, kind, payload }: { db: Db; now: Date; secretsKey: Buffer; owner: PendingOwner; kind: PendingKind; payload: PendingPayload }): Promise<string> {
  await repo.deleteExpiredPending({ db, now });
  const id = crypto.randomUUID();
  await repo.insertPending({
    db,
    values: {
      id,
      organisationId: owner.organisationId,
      invitationId: owner.invitationId,
      teamMemberId: owner.teamMemberId,
      kind,
      sealed: sealSecret({ key: secretsKey, plaintext: JSON.stringify(payload), context: context(owner, id) }),
      createdAt: now,
      expiresAt: new Date(now.getTime() + PENDING_TTL_MS),
    },
  });
  return id;
}

/** What is waiting for this supplier, oldest first (expired ones are deleted, not shown). */
export async function listPending({ db, now, secretsKey, principal, kind }: { db: Db; now: Date; secretsKey: Buffer; principal: SupplierPrincipal; kind?: PendingKind | undefined }): Promise<PendingItem[]> {
  await repo.deleteExpiredPending({ db, now });
  const owner = ownerOf(principal);
  const rows = await repo.pendingFor({ db, invitationId: owner.invitationId, teamMemberId: owner.teamMemberId });
  const items: PendingItem[] = [];
  for (const row of rows) {
    if (kind && row.kind !== kind) continue;
    try {
      items.push({ id: row.id, kind: row.kind, createdAt: row.createdAt, payload: JSON.parse(openSecret({ key: secretsKey, sealed: row.sealed, context: context(owner, row.id) })) as PendingPayload });
    } catch {
      // Sealed under another SECRETS_KEY (rotated since): nobody can read it, so nobody is shown it.
      await repo.deletePending({ db, id: row.id });
    }
  }
  return items;
}

/** How many items of a kind wait for one supplier (the lead, or one colleague). */
export async function countPending({ db, now, owner, kind }: { db: Db; now: Date; owner: { invitationId: string; teamMemberId: string | null }; kind: PendingKind }): Promise<number> {
  await repo.deleteExpiredPending({ db, now });
  return (await repo.pendingFor({ db, invitationId: owner.invitationId, teamMemberId: owner.teamMemberId })).filter((row) => row.kind === kind).length;
}

/** One waiting item of this supplier's, or null. */
export async function findPending(ctx: { db: Db; now: Date; secretsKey: Buffer; principal: SupplierPrincipal; id: string }): Promise<PendingItem | null> {
  return (await listPending(ctx)).find((item) => item.id === ctx.id) ?? null;
}

/** Deletes one waiting item of this supplier's (applied or discarded). False when it was not there (already done in another tab). */
export async function dropPending({ db, now, secretsKey, principal, id }: { db: Db; now: Date; secretsKey: Buffer; principal: SupplierPrincipal; id: string }): Promise<boolean> {
  const mine = await findPending({ db, now, secretsKey, principal, id });
  return mine ? repo.deletePending({ db, id }) : false;
}

/**
 * A form carries who it belongs to, sealed, so that what it posts after its session ended (or
 * after sign-out in another tab) can be kept for the same supplier, and for nobody else.
 */
export function resumeToken({ secretsKey, principal }: { secretsKey: Buffer; principal: SupplierPrincipal }): string {
  return sealSecret({ key: secretsKey, plaintext: JSON.stringify(ownerOf(principal)), context: 'respond-resume' });
}

/** The supplier a form's resume token names, while its invitation is live; null for anything else. */
export async function ownerOfResumeToken({ db, now, secretsKey, token }: { db: Db; now: Date; secretsKey: Buffer; token: unknown }): Promise<PendingOwner | null> {
  if (typeof token !== 'string' || token.length > 1000) return null;
  let owner: PendingOwner;
  try {
    owner = JSON.parse(openSecret({ key: secretsKey, sealed: token, context: 'respond-resume' })) as PendingOwner;
  } catch {
    return null;
  }
  const row = await repo.invitationAccessById({ db, organisationId: owner.organisationId, id: owner.invitationId });
  if (!row || !supplierAccess(row, now)) return null;
  // A bid-team colleague the lead has since removed keeps nothing more.
  if (owner.teamMemberId) {
    const member = await repo.findTeamMember({ db, invitationId: owner.invitationId, id: owner.teamMemberId });
    if (!member || member.revokedAt) return null;
  }
  return owner;
}
