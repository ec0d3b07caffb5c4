import { randomUUID } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Principal, SupplierPrincipal } from '../../platform/auth';
import { sha256Hex } from '../../platform/crypto';
import { inTransaction, type Db } from '../../platform/db';
import type { BlobStorage } from '../../platform/storage';
import { lockForSupplierChange, questionsByKey, supplierActorId, supplierContext } from './responses.access';
import { answerErrors, evidenceErrors, responsesErrors } from './responses.errors';
import { cleanFilename, evidenceContentType, MAX_FILES_PER_QUESTION } from './evidence.models';
import * as repo from './responses.repository';

export type EvidenceDto = { id: string; questionKey: string; filename: string; contentType: string; sizeBytes: number; sha256: string; uploadedAt: string };

export const toEvidenceDto = (row: repo.EvidenceRow): EvidenceDto => ({
  id: row.id,
  questionKey: row.questionKey,
  filename: row.filename,
  contentType: row.contentType,
  sizeBytes: row.sizeBytes,
  sha256: row.sha256,
  uploadedAt: row.uploadedAt.toISOString(),
});

type SupplierCtx = { db: Db; now: Date; principal: SupplierPrincipal; storage: BlobStorage };

/**
 * Stores one evidence file for one question. The type is decided by the content (a renamed
 * executable is refused whatever it is called); the SHA-256 is recorded so anyone can later show
 * the file is the one submitted. Bytes and metadata are written in one transaction.
 */
export async function uploadEvidence(ctx: SupplierCtx & { questionKey: string; filename: string | undefined; bytes: Buffer; ifMatch?: number | undefined }): Promise<{ evidence: EvidenceDto; responseVersion: number }> {
  const filename = cleanFilename(ctx.filename);
  if (ctx.bytes.length === 0) throw evidenceErrors.empty();
  const detected = await fileTypeFromBuffer(ctx.bytes);
  const contentType = evidenceContentType({ detected: detected?.mime, bytes: ctx.bytes, filename });
  if (!contentType) throw evidenceErrors.unsupportedType(detected?.ext);
  const sha256 = sha256Hex(ctx.bytes);

  return inTransaction(ctx.db, async (tx) => {
    const { response, questions } = await lockForSupplierChange({ ...ctx, db: tx });
    const question = questions.get(ctx.questionKey)!;
    if (question.type !== 'file' && !question.evidence?.requested) throw evidenceErrors.notRequested(question.key);
    const existing = (await repo.evidenceOf({ db: tx, responseId: response.id })).filter((e) => e.questionKey === question.key);
    if (existing.length >= MAX_FILES_PER_QUESTION) throw evidenceErrors.tooMany(MAX_FILES_PER_QUESTION);

    const id = randomUUID();
    const storageKey = `evidence/${ctx.principal.organisationId}/${id}`;
    await ctx.storage.put({ db: tx, key: storageKey, bytes: ctx.bytes, now: ctx.now });
    const row = await repo.insertEvidence({
      db: tx,
      values: {
        id,
        organisationId: ctx.principal.organisationId,
        responseId: response.id,
        questionKey: question.key,
        filename,
        contentType,
        sizeBytes: ctx.bytes.length,
        sha256,
        storageKey,
        uploadedAt: ctx.now,
        uploadedBy: supplierActorId(ctx.principal),
      },
    });
    const bumped = await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now, ...(response.status === 'not_started' ? { status: 'in_progress' as const } : {}) });
    return { evidence: toEvidenceDto(row), responseVersion: bumped.version };
  });
}

export async function listEvidence({ db, now, principal }: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<EvidenceDto[]> {
  const reachable = await reachableQuestions({ db, now, principal });
  return (await repo.evidenceOf({ db, responseId: principal.responseId })).filter((f) => !reachable || reachable.has(f.questionKey)).map(toEvidenceDto);
}

/** The questions a bid-team colleague may reach (its sections'); null for the lead, who reaches every one. */
async function reachableQuestions({ db, now, principal }: { db: Db; now: Date; principal: SupplierPrincipal }): Promise<Set<string> | null> {
  if (!principal.teamMember) return null;
  const { definition } = await supplierContext({ db, now, principal });
  return new Set(questionsByKey(definition, principal).keys());
}

export type EvidenceDownload = { evidence: EvidenceDto; bytes: Buffer };

async function download({ db, storage, responseId, id }: { db: Db; storage: BlobStorage; responseId: string; id: string }): Promise<EvidenceDownload> {
  const row = await repo.findEvidence({ db, responseId, id });
  if (!row) throw evidenceErrors.notFound();
  const bytes = await storage.get({ db, key: row.storageKey });
  if (!bytes) throw evidenceErrors.notFound();
  return { evidence: toEvidenceDto(row), bytes };
}

/** One of the supplier's own files (for a bid-team colleague, one in its sections). */
export async function downloadOwnEvidence(ctx: { db: Db; now: Date; principal: SupplierPrincipal; storage: BlobStorage; id: string }): Promise<EvidenceDownload> {
  const file = await download({ ...ctx, responseId: ctx.principal.responseId });
  const reachable = await reachableQuestions(ctx);
  if (reachable && !reachable.has(file.evidence.questionKey)) throw evidenceErrors.notFound();
  return file;
}

/** An evidence file of a response in the caller's organisation. */
export async function downloadEvidenceForOfficer(ctx: { db: Db; principal: Principal; storage: BlobStorage; responseId: string; id: string }): Promise<EvidenceDownload> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.responseId });
  if (!response) throw responsesErrors.responseNotFound();
  return download({ ...ctx, responseId: response.id });
}

/** Deletes a file while the response is still a draft. */
export async function deleteEvidence(ctx: SupplierCtx & { id: string; ifMatch?: number | undefined }): Promise<{ responseVersion: number }> {
  return inTransaction(ctx.db, async (tx) => {
    const { response, questions } = await lockForSupplierChange({ ...ctx, db: tx });
    const row = await repo.findEvidence({ db: tx, responseId: response.id, id: ctx.id });
    if (!row) throw evidenceErrors.notFound();
    // A bid-team colleague's reach ends at its sections, files included.
    if (!questions.has(row.questionKey)) throw answerErrors.questionNotFound(row.questionKey);
    await repo.deleteEvidence({ db: tx, id: row.id });
    await ctx.storage.remove({ db: tx, key: row.storageKey });
    return { responseVersion: (await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now })).version };
  });
}
