import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf, type SupplierPrincipal } from '../../platform/auth';
import { isAppError, problemResponses } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { BlobStorageError } from '../../platform/storage';
import { etagOf, versionFromIfMatch } from '../../platform/http/etag';
import { EVIDENCE_TYPES } from './evidence.models';
import * as evidence from './evidence.usecases';
import { RESPONSE_READERS } from './responses.access';
import { evidenceErrors } from './responses.errors';
import * as s from './responses.schemas';

const SUPPLIER = { supplier: true } as const;
const ifMatchHeaders = z.object({ 'if-match': z.string().max(100).optional() });
const fileBytes = z.string().meta({ format: 'binary' });

/** The 200 answer of an evidence download: the file as uploaded, in the type found in its content. */
export const evidenceFileResponse = (description: string) => ({
  description,
  content: Object.fromEntries(Object.keys(EVIDENCE_TYPES).map((type) => [type, { schema: fileBytes }])),
});
/** The headers every evidence download carries. */
export const EVIDENCE_FILE_HEADERS = ['ETag', 'Content-Disposition', 'X-Content-SHA256'] as const;

type UploadDeps = Pick<AppDeps, 'database' | 'now' | 'config' | 'storage' | 'uploads'>;

/**
 * Receives one evidence upload as it streams, with no database connection held while bytes arrive:
 * takes a place for it first (429 past the per-response limit, 503 past the service's, before any
 * byte is read), reads the fields, streams the one `file` part to blob storage (once `beforeFile`
 * accepts the fields sent before it; the question is checked first when it is known by then), then
 * calls `record` with the stored file. Whatever fails, the stored file is removed and the rest of
 * the body is read and dropped, so the answer reaches the client. `questionKey` fixes the question
 * (a web page's); otherwise it is the `questionKey` field.
 */
export async function receiveEvidence<R>(
  request: FastifyRequest,
  deps: UploadDeps,
  {
    principal,
    questionKey: fixedKey,
    beforeFile = () => true,
    record,
  }: {
    principal: SupplierPrincipal;
    questionKey?: string;
    beforeFile?: (fields: Record<string, string>) => boolean;
    record: (input: { questionKey: string; staged: evidence.StagedEvidence; fields: Record<string, string> }) => Promise<R>;
  },
): Promise<{ refused: true } | { refused: false; result: R }> {
  if (!request.isMultipart()) throw evidenceErrors.multipartRequired();
  const maxBytes = deps.config.evidenceMaxBytes;
  // Refuse a declared oversize body before reading any of it.
  if (Number(request.headers['content-length'] ?? 0) > maxBytes + 64 * 1024) throw evidenceErrors.tooLarge(maxBytes);
  const slot = deps.uploads.take({ key: principal.responseId });
  if ('refused' in slot) throw slot.refused === 'key' ? evidenceErrors.tooManyUploads(deps.config.evidenceUploads.perResponse) : evidenceErrors.uploadsBusy();

  const db = deps.database.db;
  const fields: Record<string, string> = {};
  let staged: evidence.StagedEvidence | undefined;
  let recorded = false;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type === 'field') {
        fields[part.fieldname] = String(part.value);
        continue;
      }
      // A browser sends an empty file input as a part with no name and no bytes: no file.
      if (!part.filename) {
        part.file.resume();
        continue;
      }
      if (!beforeFile(fields)) return { refused: true };
      const questionKey = fixedKey ?? fields.questionKey?.trim();
      if (questionKey) await evidence.assertCanUpload({ db, now: deps.now(), principal, questionKey });
      staged = await evidence.stageEvidence({ storage: deps.storage, principal, filename: part.filename, bytes: fileChunks(part.file, { maxBytes, idleMs: deps.config.evidenceUploads.idleMs }), maxBytes });
    }
    const questionKey = fixedKey ?? fields.questionKey?.trim();
    if (!questionKey) throw evidenceErrors.badUpload('Add a `questionKey` field naming the question the file is evidence for.');
    if (!staged) throw evidenceErrors.badUpload('Add the file as a part named `file`.');
    delete fields.questionKey;
    const result = await record({ questionKey, staged, fields });
    recorded = true;
    return { refused: false, result };
  } catch (error) {
    throw uploadError(request, error, maxBytes);
  } finally {
    slot.release();
    if (staged && !recorded) await evidence.discardStagedEvidence({ storage: deps.storage, staged }).catch(() => undefined);
    if (!request.raw.complete) {
      request.raw.unpipe();
      request.raw.resume();
    }
  }
}

/**
 * The file part's bytes; 413 once @fastify/multipart has cut it at the limit, and refused when no
 * byte comes for `idleMs` (the server sets no request timeout, so a stalled client would keep its place).
 */
async function* fileChunks(file: NodeJS.ReadableStream & { truncated?: boolean }, { maxBytes, idleMs }: { maxBytes: number; idleMs: number }): AsyncIterable<Uint8Array> {
  const chunks = file[Symbol.asyncIterator]();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(evidenceErrors.stalled(Math.round(idleMs / 1000))), idleMs);
    });
    const next = await Promise.race([chunks.next(), idle]).finally(() => clearTimeout(timer));
    if (next.done) break;
    yield next.value as Uint8Array;
  }
  if (file.truncated) throw evidenceErrors.tooLarge(maxBytes);
}

/** Any failure of an upload as the problem to answer: ours as they are, @fastify/multipart's limits as ours, storage failing as 503. */
function uploadError(request: FastifyRequest, error: unknown, maxBytes: number): unknown {
  if (isAppError(error)) return error;
  if (error instanceof BlobStorageError) {
    request.log.error({ err: error }, 'evidence could not be stored');
    return evidenceErrors.storageUnavailable();
  }
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return evidenceErrors.tooLarge(maxBytes);
  if (code === 'FST_FILES_LIMIT') return evidenceErrors.badUpload('Send one file per request.');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') return evidenceErrors.badUpload('Send only the `questionKey` field and one `file` part.');
  return evidenceErrors.badUpload('The multipart body is malformed.');
}

/** The one file of a multipart upload and its other fields, read whole into memory: for small files only (a workbook import). */
export async function readFileUpload(request: FastifyRequest, maxBytes: number): Promise<{ filename: string | undefined; bytes: Buffer; fields: Record<string, string> }> {
  const { file, fields } = await readParts(request, maxBytes);
  if (!file) throw evidenceErrors.badUpload('Add the file as a part named `file`.');
  return { ...file, fields };
}

async function readParts(request: FastifyRequest, maxBytes: number): Promise<{ file: { filename: string | undefined; bytes: Buffer } | undefined; fields: Record<string, string> }> {
  if (!request.isMultipart()) throw evidenceErrors.multipartRequired();
  // Refuse a declared oversize body before reading any of it.
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes + 64 * 1024) throw evidenceErrors.tooLarge(maxBytes);
  let file: { filename: string | undefined; bytes: Buffer } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes } })) {
      if (part.type === 'file') file = { filename: part.filename, bytes: await part.toBuffer() };
      else fields[part.fieldname] = String(part.value);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw evidenceErrors.tooLarge(maxBytes);
    if (code === 'FST_FILES_LIMIT') throw evidenceErrors.badUpload('Send one file per request.');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PROTO_VIOLATION') throw evidenceErrors.badUpload('Send only the `questionKey` field and one `file` part.');
    throw evidenceErrors.badUpload('The multipart body is malformed.');
  }
  return { file, fields };
}

/** Sends an evidence file as a download, streamed from storage: its content type, a safe file name, and its SHA-256 as the ETag. */
export function sendEvidenceFile(reply: FastifyReply, file: evidence.EvidenceDownload) {
  return reply
    .header('content-type', file.evidence.contentType)
    .header('content-disposition', contentDisposition(file.evidence.filename))
    .header('content-length', file.content.sizeBytes)
    .header('etag', `"${file.evidence.sha256}"`)
    .header('x-content-sha256', file.evidence.sha256)
    .send(file.content.body);
}

export function registerEvidenceApi(app: FastifyInstance, deps: AppDeps): void {
  const { database, now, config, storage } = deps;
  const r = zodApp(app);
  const supplier = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal, storage });

  r.post(
    '/v1/supplier/response/evidence',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        operationId: 'uploadSupplierEvidence',
        summary: 'Upload an evidence file for one question',
        description: `multipart/form-data with a \`questionKey\` field and one \`file\` part; several files per question, one per request. Up to ${Math.floor(config.evidenceMaxBytes / (1024 * 1024))} MB (413 \`evidence.too_large\`). The type is found from the content, not the name: PDF, DOCX, XLSX, ODT, PNG, JPEG, plain text or CSV, else 415 \`evidence.unsupported_type\`. The SHA-256 is recorded. The file streams to storage as it arrives: at most ${config.evidenceUploads.perResponse} uploads at once for one response (429 \`evidence.too_many_uploads\`) and ${config.evidenceUploads.total} in all (503 \`evidence.uploads_busy\`), both with Retry-After.`,
        consumes: ['multipart/form-data'],
        multipartBody: z.object({ questionKey: z.string().min(1).max(80).describe('The question the file is evidence for.'), file: fileBytes.describe('The file; its name is kept.') }),
        headers: ifMatchHeaders,
        responseHeaders: { 201: ['Location'] },
        response: { 201: z.object({ evidence: s.evidenceSchema, responseVersion: z.number().int() }), ...problemResponses(409) },
      },
    },
    async (request, reply) => {
      const ifMatch = versionFromIfMatch(request.headers['if-match']);
      const upload = await receiveEvidence(request, deps, { principal: principalOf(request) as SupplierPrincipal, record: ({ questionKey, staged }) => evidence.recordEvidence({ ...supplier(request), questionKey, staged, ifMatch }) });
      if (upload.refused) throw evidenceErrors.badUpload('The upload could not be read.');
      const result = upload.result;
      return reply.code(201).header('etag', etagOf(result.responseVersion)).header('location', `/v1/supplier/response/evidence/${result.evidence.id}`).send(result);
    },
  );

  r.get(
    '/v1/supplier/response/evidence',
    { config: { access: SUPPLIER }, schema: { tags: ['supplier'], operationId: 'listSupplierEvidence', summary: 'Your evidence files', response: { 200: z.object({ items: z.array(s.evidenceSchema) }) } } },
    async (request) => ({ items: await evidence.listEvidence(supplier(request)) }),
  );

  const fileParams = z.object({ evidenceId: z.uuid() });
  r.get(
    '/v1/supplier/response/evidence/:evidenceId',
    {
      config: { access: SUPPLIER },
      schema: { tags: ['supplier'], operationId: 'downloadSupplierEvidence', summary: 'Download one of your evidence files', params: fileParams, responseHeaders: { 200: EVIDENCE_FILE_HEADERS }, response: { 200: evidenceFileResponse('The file, as uploaded.') } },
    },
    async (request, reply) => sendEvidenceFile(reply, await evidence.downloadOwnEvidence({ ...supplier(request), id: request.params.evidenceId })),
  );

  r.delete(
    '/v1/supplier/response/evidence/:evidenceId',
    {
      config: { access: SUPPLIER },
      schema: { tags: ['supplier'], operationId: 'deleteSupplierEvidence', summary: 'Delete one of your evidence files (before you submit)', params: fileParams, headers: ifMatchHeaders, response: { 204: z.undefined(), ...problemResponses(409) } },
    },
    async (request, reply) => {
      const result = await evidence.deleteEvidence({ ...supplier(request), id: request.params.evidenceId, ifMatch: versionFromIfMatch(request.headers['if-match']) });
      return reply.header('etag', etagOf(result.responseVersion)).code(204).send();
    },
  );

  r.get(
    '/v1/responses/:id/evidence/:evidenceId',
    {
      config: { access: RESPONSE_READERS },
      schema: {
        tags: ['responses'],
        operationId: 'downloadResponseEvidence',
        summary: 'Download an evidence file of a response',
        description: 'For an API key without `responses:read-confidential`, a file of an answer the supplier marked confidential is 404 `evidence.not_found`, as it is absent from the lists that key sees.',
        params: z.object({ id: z.uuid(), evidenceId: z.uuid() }),
        responseHeaders: { 200: EVIDENCE_FILE_HEADERS },
        response: { 200: evidenceFileResponse('The file, as the supplier uploaded it.') },
      },
    },
    async (request, reply) =>
      sendEvidenceFile(reply, await evidence.downloadEvidenceForOfficer({ db: database.db, principal: principalOf(request), storage, responseId: request.params.id, id: request.params.evidenceId })),
  );
}
