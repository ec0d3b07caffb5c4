import { randomUUID } from 'node:crypto';
import type { Principal, SupplierPrincipal } from '../../platform/auth';
import { inTransaction, type Db } from '../../platform/db';
import type { BlobBody, BlobContent, BlobStorage } from '../../platform/storage';
import { assertWritable, confidentialQuestions, lockForSupplierChange, questionsByKey, supplierActorId, supplierContext, withholdsConfidential } from './responses.access';
import { answerErrors, evidenceErrors, responsesErrors } from './responses.errors';
import { inspectContent } from './evidence.content';
import { cleanFilename, MAX_FILES_PER_QUESTION } from './evidence.models';
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
 * Checks, before any byte is read, that this supplier may add a file to this question now, so a
 * refused upload is refused at once. Nothing is locked: `recordEvidence` checks again, in its transaction.
 */
export async function assertCanUpload(ctx: { db: Db; now: Date; principal: SupplierPrincipal; questionKey: string }): Promise<void> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.principal.responseId });
  if (!response) throw responsesErrors.invitationNotFound();
  const { procurement, definition } = await supplierContext(ctx);
  const question = questionsByKey(definition, ctx.principal).get(ctx.questionKey);
  if (!question) throw answerErrors.questionNotFound(ctx.questionKey);
  assertWritable(procurement, response, ctx.now);
  if (question.type !== 'file' && !question.evidence?.requested) throw evidenceErrors.notRequested(question.key);
  const existing = (await repo.evidenceOf({ db: ctx.db, responseId: response.id })).filter((e) => e.questionKey === question.key);
  if (existing.length >= MAX_FILES_PER_QUESTION) throw evidenceErrors.tooMany(MAX_FILES_PER_QUESTION);
}

/** A file in blob storage, not yet recorded: what `recordEvidence` needs, and what to remove if it is not. */
export type StagedEvidence = { id: string; storageKey: string; filename: string; contentType: string; sizeBytes: number; sha256: string };

/**
 * Streams a file into blob storage, with no database connection held while its bytes arrive. The
 * type is decided by the content as it passes (a renamed executable is refused whatever it is
 * called, and stopped as soon as its signature shows); the size limit is kept as bytes arrive; the
 * SHA-256 is computed on the way, so anyone can later show the file is the one submitted. Whatever
 * fails, nothing is left in storage.
 */
export async function stageEvidence(ctx: { storage: BlobStorage; principal: SupplierPrincipal; filename: string | undefined; bytes: BlobBody; maxBytes?: number | undefined }): Promise<StagedEvidence> {
  const filename = cleanFilename(ctx.filename);
  const id = randomUUID();
  const storageKey = `evidence/${ctx.principal.organisationId}/${id}`;
  const content = inspectContent({ filename });
  const source = ctx.bytes instanceof Uint8Array ? oneChunk(ctx.bytes) : ctx.bytes;
  const stored = await ctx.storage.put({ key: storageKey, body: content.pass(ctx.maxBytes === undefined ? source : limited(source, ctx.maxBytes)) });
  let contentType: string;
  try {
    contentType = content.contentType();
  } catch (error) {
    await ctx.storage.remove({ key: storageKey });
    throw error;
  }
  return { id, storageKey, filename, contentType, ...stored };
}

/** Removes a staged file that will not be recorded. */
export async function discardStagedEvidence({ storage, staged }: { storage: BlobStorage; staged: StagedEvidence }): Promise<void> {
  await storage.remove({ key: staged.storageKey });
}

/**
 * Records a staged file against its question in one short transaction (lock, checks, one row); if
 * that fails for any reason, the file is removed from storage, so no blob is left without its row.
 */
export async function recordEvidence(ctx: SupplierCtx & { questionKey: string; staged: StagedEvidence; ifMatch?: number | undefined }): Promise<{ evidence: EvidenceDto; responseVersion: number }> {
  const { staged } = ctx;
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const { response, questions } = await lockForSupplierChange({ ...ctx, db: tx });
      const question = questions.get(ctx.questionKey)!;
      if (question.type !== 'file' && !question.evidence?.requested) throw evidenceErrors.notRequested(question.key);
      const existing = (await repo.evidenceOf({ db: tx, responseId: response.id })).filter((e) => e.questionKey === question.key);
      if (existing.length >= MAX_FILES_PER_QUESTION) throw evidenceErrors.tooMany(MAX_FILES_PER_QUESTION);
      const row = await repo.insertEvidence({
        db: tx,
        values: {
          id: staged.id,
          organisationId: ctx.principal.organisationId,
          responseId: response.id,
          questionKey: question.key,
          filename: staged.filename,
          contentType: staged.contentType,
          sizeBytes: staged.sizeBytes,
          sha256: staged.sha256,
          storageKey: staged.storageKey,
          uploadedAt: ctx.now,
          uploadedBy: supplierActorId(ctx.principal),
        },
      });
      const bumped = await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now, ...(response.status === 'not_started' ? { status: 'in_progress' as const } : {}) });
      return { evidence: toEvidenceDto(row), responseVersion: bumped.version };
    });
  } catch (error) {
    await discardStagedEvidence({ storage: ctx.storage, staged }).catch(() => undefined);
    throw error;
  }
}

/** Stores one evidence file for one question: checked, streamed to storage, then recorded (see above). */
export async function uploadEvidence(ctx: SupplierCtx & { questionKey: string; filename: string | undefined; bytes: BlobBody; maxBytes?: number | undefined; ifMatch?: number | undefined }): Promise<{ evidence: EvidenceDto; responseVersion: number }> {
  await assertCanUpload(ctx);
  const staged = await stageEvidence(ctx);
  return recordEvidence({ ...ctx, staged });
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** The body, refused with 413 as soon as it passes `maxBytes`. */
async function* limited(body: AsyncIterable<Uint8Array>, maxBytes: number): AsyncIterable<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw evidenceErrors.tooLarge(maxBytes);
    yield chunk;
  }
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

export type EvidenceDownload = { evidence: EvidenceDto; content: BlobContent };

async function download({ db, storage, responseId, id }: { db: Db; storage: BlobStorage; responseId: string; id: string }): Promise<EvidenceDownload> {
  const row = await repo.findEvidence({ db, responseId, id });
  if (!row) throw evidenceErrors.notFound();
  const content = await storage.get({ key: row.storageKey });
  if (!content) throw evidenceErrors.notFound();
  return { evidence: toEvidenceDto(row), content };
}

/** One of the supplier's own files (for a bid-team colleague, one in its sections). */
export async function downloadOwnEvidence(ctx: { db: Db; now: Date; principal: SupplierPrincipal; storage: BlobStorage; id: string }): Promise<EvidenceDownload> {
  const file = await download({ ...ctx, responseId: ctx.principal.responseId });
  const reachable = await reachableQuestions(ctx);
  if (reachable && !reachable.has(file.evidence.questionKey)) throw evidenceErrors.notFound();
  return file;
}

/**
 * An evidence file of a response in the caller's organisation. A file of a confidential answer is
 * not found for a caller it is withheld from, as it is absent from every list that caller sees.
 */
export async function downloadEvidenceForOfficer(ctx: { db: Db; principal: Principal; storage: BlobStorage; responseId: string; id: string }): Promise<EvidenceDownload> {
  const response = await repo.findResponse({ db: ctx.db, organisationId: ctx.principal.organisationId, id: ctx.responseId });
  if (!response) throw responsesErrors.responseNotFound();
  if (withholdsConfidential(ctx.principal)) {
    const row = await repo.findEvidence({ db: ctx.db, responseId: response.id, id: ctx.id });
    if (row && (await confidentialQuestions({ db: ctx.db, responseId: response.id })).has(row.questionKey)) throw evidenceErrors.notFound();
  }
  return download({ ...ctx, responseId: response.id });
}

/** Deletes a file while the response is still a draft: its row in a transaction, then its bytes once that has committed. */
export async function deleteEvidence(ctx: SupplierCtx & { id: string; ifMatch?: number | undefined }): Promise<{ responseVersion: number }> {
  let storageKey = '';
  const result = await inTransaction(ctx.db, async (tx) => {
    const { response, questions } = await lockForSupplierChange({ ...ctx, db: tx });
    const row = await repo.findEvidence({ db: tx, responseId: response.id, id: ctx.id });
    if (!row) throw evidenceErrors.notFound();
    // A bid-team colleague's reach ends at its sections, files included.
    if (!questions.has(row.questionKey)) throw answerErrors.questionNotFound(row.questionKey);
    await repo.deleteEvidence({ db: tx, id: row.id });
    storageKey = row.storageKey;
    return { responseVersion: (await repo.bumpResponse({ db: tx, id: response.id, now: ctx.now })).version };
  });
  // The row is gone for good; bytes left behind by a failure here are unreachable, not wrong.
  await ctx.storage.remove({ key: storageKey }).catch(() => undefined);
  return result;
}
