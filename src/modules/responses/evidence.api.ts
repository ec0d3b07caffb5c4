import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf, type SupplierPrincipal } from '../../platform/auth';
import { problemSchema } from '../../platform/errors';
import { contentDisposition } from '../../platform/http/content-disposition';
import { zodApp, type AppDeps } from '../../platform/http/deps';
import { etagOf, versionFromIfMatch } from '../../platform/http/etag';
import * as evidence from './evidence.usecases';
import { evidenceErrors } from './responses.errors';
import * as s from './responses.schemas';

const SUPPLIER = { supplier: true } as const;
const RESPONSE_READERS = { roles: ['admin', 'officer', 'viewer'], scopes: ['procurements:read'] } as const;
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema, 412: problemSchema, 413: problemSchema, 415: problemSchema, 422: problemSchema };
const ifMatchHeaders = z.object({ 'if-match': z.string().max(100).optional() });

/** The `questionKey` field, any other fields and the one file of a multipart upload, with @fastify/multipart's limit errors as our own. */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<{ questionKey: string; filename: string | undefined; bytes: Buffer; fields: Record<string, string> }> {
  const { file, fields } = await readParts(request, maxBytes);
  const questionKey = fields.questionKey?.trim();
  delete fields.questionKey;
  if (!questionKey) throw evidenceErrors.badUpload('Add a `questionKey` field naming the question the file is evidence for.');
  if (!file) throw evidenceErrors.badUpload('Add the file as a part named `file`.');
  return { questionKey, ...file, fields };
}

/** The one file of a multipart upload and its other fields (a web form's), with the same limits and errors as `readUpload`. */
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

/** Sends an evidence file as a download: its content type, a safe file name, and its SHA-256 as the ETag. */
export function sendEvidenceFile(reply: FastifyReply, file: evidence.EvidenceDownload) {
  return reply
    .header('content-type', file.evidence.contentType)
    .header('content-disposition', contentDisposition(file.evidence.filename))
    .header('content-length', file.bytes.length)
    .header('etag', `"${file.evidence.sha256}"`)
    .header('x-content-sha256', file.evidence.sha256)
    .send(file.bytes);
}

export function registerEvidenceApi(app: FastifyInstance, { database, now, config, storage }: AppDeps): void {
  const r = zodApp(app);
  const supplier = (request: FastifyRequest) => ({ db: database.db, now: now(), principal: principalOf(request) as SupplierPrincipal, storage });

  r.post(
    '/v1/supplier/response/evidence',
    {
      config: { access: SUPPLIER },
      schema: {
        tags: ['supplier'],
        summary: 'Upload an evidence file for one question',
        description: `multipart/form-data with a \`questionKey\` field and one \`file\` part; several files per question, one per request. Up to ${Math.floor(config.evidenceMaxBytes / (1024 * 1024))} MB (413 \`evidence.too_large\`). The type is found from the content, not the name: PDF, DOCX, XLSX, ODT, PNG, JPEG, plain text or CSV, else 415 \`evidence.unsupported_type\`. The SHA-256 is recorded.`,
        consumes: ['multipart/form-data'],
        headers: ifMatchHeaders,
        response: { 201: z.object({ evidence: s.evidenceSchema, responseVersion: z.number().int() }), ...problems },
      },
    },
    async (request, reply) => {
      const upload = await readUpload(request, config.evidenceMaxBytes);
      const result = await evidence.uploadEvidence({ ...supplier(request), questionKey: upload.questionKey, filename: upload.filename, bytes: upload.bytes, ifMatch: versionFromIfMatch(request.headers['if-match']) });
      return reply.code(201).header('etag', etagOf(result.responseVersion)).send(result);
    },
  );

  r.get(
    '/v1/supplier/response/evidence',
    { config: { access: SUPPLIER }, schema: { tags: ['supplier'], summary: 'Your evidence files', response: { 200: z.object({ items: z.array(s.evidenceSchema) }), ...problems } } },
    async (request) => ({ items: await evidence.listEvidence(supplier(request)) }),
  );

  const fileParams = z.object({ evidenceId: z.uuid() });
  r.get(
    '/v1/supplier/response/evidence/:evidenceId',
    {
      config: { access: SUPPLIER },
      schema: { tags: ['supplier'], summary: 'Download one of your evidence files', params: fileParams, response: { 200: z.any().describe('The file, as uploaded.'), ...problems } },
    },
    async (request, reply) => sendEvidenceFile(reply, await evidence.downloadOwnEvidence({ ...supplier(request), id: request.params.evidenceId })),
  );

  r.delete(
    '/v1/supplier/response/evidence/:evidenceId',
    {
      config: { access: SUPPLIER },
      schema: { tags: ['supplier'], summary: 'Delete one of your evidence files (before you submit)', params: fileParams, headers: ifMatchHeaders, response: { 204: z.undefined(), ...problems } },
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
        summary: 'Download an evidence file of a response',
        params: z.object({ id: z.uuid(), evidenceId: z.uuid() }),
        response: { 200: z.any().describe('The file, as the supplier uploaded it.'), ...problems },
      },
    },
    async (request, reply) =>
      sendEvidenceFile(reply, await evidence.downloadEvidenceForOfficer({ db: database.db, principal: principalOf(request), storage, responseId: request.params.id, id: request.params.evidenceId })),
  );
}
