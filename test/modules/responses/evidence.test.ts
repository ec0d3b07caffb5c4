import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanFilename } from '../../../src/modules/responses/evidence.models';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { blobDirectory } from '../../helpers/uploads';
import { evidenceDefinition } from '../questionnaires/fixtures';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/evidence', name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function invited(ctx: TestContext, org?: SeededOrganisation) {
  const owner = org ?? (await seedOrganisation(ctx));
  const procurementId = await seedOpenProcurement(ctx, owner, { definition: evidenceDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
  const invitation = await seedInvitation(ctx, owner, procurementId);
  return { org: owner, procurementId, token: invitation.token, responseId: invitation.responseId };
}

function upload(ctx: TestContext, token: string, { questionKey, filename, bytes, contentType }: { questionKey?: string; filename: string; bytes: Buffer; contentType?: string }) {
  const body = multipart({ fields: questionKey ? { questionKey } : {}, files: [{ filename, bytes, ...(contentType ? { contentType } : {}) }] });
  return ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(token), ...body.headers }, payload: body.payload });
}

// Files stream to blob storage (files in a directory): this file's own directory, emptied before each test.
const blobStore = blobDirectory();
afterAll(() => blobStore.remove());
const blobCount = async (_ctx: TestContext) => blobStore.files().length;

describe('evidence files', () => {
  const ctx = useTestApp({ config: { BLOB_DIR: blobStore.dir } });
  beforeEach(() => blobStore.clear());
  const get = (url: string, token: string) => ctx.app.inject({ method: 'GET', url, headers: bearer(token) });

  it.each([
    ['dpia.pdf', 'application/pdf'],
    ['policy.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['register.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['policy.odt', 'application/vnd.oasis.opendocument.text'],
    ['diagram.png', 'image/png'],
    ['photo.jpg', 'image/jpeg'],
    ['notes.txt', 'text/plain'],
    ['bias-tests.csv', 'text/csv'],
  ])('accepts %s, records its type from the content and its SHA-256, and gives the same bytes back', async (name, type) => {
    const { token } = await invited(ctx);
    const bytes = fixture(name);
    // The declared type is deliberately wrong: only the content counts.
    const uploaded = await upload(ctx, token, { questionKey: 'b.policy', filename: name, bytes, contentType: 'application/octet-stream' });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { evidence } = uploaded.json();
    expect(evidence).toMatchObject({ questionKey: 'b.policy', filename: name, contentType: type, sizeBytes: bytes.length, sha256: sha256(bytes) });

    const listed = (await get('/v1/supplier/response/evidence', token)).json();
    expect(listed.items.map((e: { id: string }) => e.id)).toEqual([evidence.id]);
    const downloaded = await get(`/v1/supplier/response/evidence/${evidence.id}`, token);
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.headers['content-type']).toBe(type);
    expect(downloaded.headers['content-disposition']).toContain(`filename="${name}"`);
    expect(downloaded.rawPayload.equals(bytes)).toBe(true);
  });

  it.each([
    ['an executable renamed to .pdf', 'program.exe', 'report.pdf', 'application/pdf'],
    ['a zip archive', 'archive.zip', 'archive.zip', 'application/zip'],
    ['binary that is not text, named .txt', 'program.exe', 'notes.txt', 'text/plain'],
  ])('refuses %s with 415, and stores nothing', async (_name, source, filename, declared) => {
    const { token } = await invited(ctx);
    const refused = await upload(ctx, token, { questionKey: 'b.policy', filename, bytes: fixture(source), contentType: declared });
    expect(refused.statusCode).toBe(415);
    expect(problemOf(refused).code).toBe('evidence.unsupported_type');
    expect((await get('/v1/supplier/response/evidence', token)).json().items).toEqual([]);
    expect(await blobCount(ctx)).toBe(0);
  });

  it('refuses an upload for a question that takes no evidence (422), for an unknown question (404), and without a question (422)', async () => {
    const { token } = await invited(ctx);
    const bytes = fixture('dpia.pdf');
    const noEvidence = await upload(ctx, token, { questionKey: 'a.training', filename: 'x.pdf', bytes });
    expect([noEvidence.statusCode, problemOf(noEvidence).code]).toEqual([422, 'evidence.not_requested']);
    const unknown = await upload(ctx, token, { questionKey: 'z.nothing', filename: 'x.pdf', bytes });
    expect([unknown.statusCode, problemOf(unknown).code]).toEqual([404, 'responses.question_not_found']);
    const noKey = await upload(ctx, token, { filename: 'x.pdf', bytes });
    expect([noKey.statusCode, problemOf(noKey).code]).toEqual([422, 'evidence.invalid_upload']);
    const json = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: bearer(token), payload: { questionKey: 'b.policy' } });
    expect([json.statusCode, problemOf(json).code]).toEqual([415, 'evidence.multipart_required']);
  });

  it('takes a file larger than the JSON body limit, up to the evidence limit', async () => {
    const { token } = await invited(ctx);
    const large = Buffer.concat([fixture('dpia.pdf'), Buffer.alloc(3 * 1024 * 1024, 0x20)]);
    const uploaded = await upload(ctx, token, { questionKey: 'b.policy', filename: 'large.pdf', bytes: large });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    expect(uploaded.json().evidence).toMatchObject({ sizeBytes: large.length, sha256: sha256(large) });
  });

  it('keeps only a file name, never a path', async () => {
    const { token } = await invited(ctx);
    const uploaded = await upload(ctx, token, { questionKey: 'b.policy', filename: '../../etc/passwd.pdf', bytes: fixture('dpia.pdf') });
    expect(uploaded.json().evidence.filename).toBe('passwd.pdf');
  });

  it('drops a right-to-left override, so a program cannot pass for a PDF in the name or the download', async () => {
    const { token } = await invited(ctx);
    const uploaded = await upload(ctx, token, { questionKey: 'b.policy', filename: 'policy\u202Efdp.exe', bytes: fixture('dpia.pdf') });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { evidence } = uploaded.json();
    expect(evidence.filename).toBe('policyfdp.exe');
    const downloaded = await get(`/v1/supplier/response/evidence/${evidence.id}`, token);
    expect(downloaded.headers['content-disposition']).toBe(`attachment; filename="policyfdp.exe"; filename*=UTF-8''policyfdp.exe`);
  });

  it('refuses submission until every mandatory piece of evidence is there, then freezes the files with their hashes', async () => {
    const { token, org, responseId } = await invited(ctx);
    const save = (key: string, value: unknown) => ctx.app.inject({ method: 'PUT', url: `/v1/supplier/response/answers/${key}`, headers: bearer(token), payload: { value } });
    await save('a.training', 'never');
    await save('b.hours', 12);
    const submit = () => ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(token), payload: { declaration: true } });

    const refused = await submit();
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((e) => [e.path, e.code]).sort()).toEqual([
      ['/evidence/b.hours', 'b.hours'],
      ['/evidence/b.policy', 'b.policy'],
    ]);

    const plan = fixture('policy.docx');
    await upload(ctx, token, { questionKey: 'b.hours', filename: 'incident-plan.docx', bytes: plan });
    const stillRefused = await submit();
    expect(problemOf(stillRefused).errors!.map((e) => e.code)).toEqual(['b.policy']);

    const policy = await upload(ctx, token, { questionKey: 'b.policy', filename: 'policy.pdf', bytes: fixture('dpia.pdf') });
    const submitted = await submit();
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ evidenceCount: 2 });

    // Once submitted, files cannot be added or deleted.
    const late = await upload(ctx, token, { questionKey: 'b.policy', filename: 'late.pdf', bytes: fixture('dpia.pdf') });
    expect(problemOf(late).code).toBe('responses.already_submitted');
    const deleteLate = await ctx.app.inject({ method: 'DELETE', url: `/v1/supplier/response/evidence/${policy.json().evidence.id}`, headers: bearer(token) });
    expect(problemOf(deleteLate).code).toBe('responses.already_submitted');

    // The council sees the frozen list and downloads the same bytes.
    const officerView = (await get(`/v1/responses/${responseId}`, org.admin.token)).json();
    expect(officerView.submission.evidence.map((e: { questionKey: string; sha256: string }) => [e.questionKey, e.sha256]).sort()).toEqual([
      ['b.hours', sha256(plan)],
      ['b.policy', sha256(fixture('dpia.pdf'))],
    ]);
    const file = await get(`/v1/responses/${responseId}/evidence/${policy.json().evidence.id}`, org.admin.token);
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(fixture('dpia.pdf'))).toBe(true);
  });

  it('does not count a file as the answer to a question that also needs a typed answer', async () => {
    const { token } = await invited(ctx);
    await ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training', headers: bearer(token), payload: { value: 'never' } });
    await upload(ctx, token, { questionKey: 'b.hours', filename: 'plan.pdf', bytes: fixture('dpia.pdf') });
    await upload(ctx, token, { questionKey: 'b.policy', filename: 'policy.pdf', bytes: fixture('dpia.pdf') });
    const refused = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/submit', headers: bearer(token), payload: { declaration: true } });
    expect(refused.statusCode).toBe(422);
    expect(problemOf(refused).errors!.map((e) => [e.path, e.code])).toEqual([['/answers/b.hours', 'b.hours']]);
  });

  it('deletes a file and its bytes while the response is a draft', async () => {
    const { token } = await invited(ctx);
    const uploaded = (await upload(ctx, token, { questionKey: 'b.policy', filename: 'a.pdf', bytes: fixture('dpia.pdf') })).json();
    expect(await blobCount(ctx)).toBe(1);
    const deleted = await ctx.app.inject({ method: 'DELETE', url: `/v1/supplier/response/evidence/${uploaded.evidence.id}`, headers: { ...bearer(token), 'if-match': `"${uploaded.responseVersion}"` } });
    expect(deleted.statusCode).toBe(204);
    expect(await blobCount(ctx)).toBe(0);
    expect((await get(`/v1/supplier/response/evidence/${uploaded.evidence.id}`, token)).statusCode).toBe(404);
  });

  it('keeps evidence private: another supplier, another council and a revoked link all get 404 or 401', async () => {
    const a = await invited(ctx);
    const b = await invited(ctx);
    const file = (await upload(ctx, a.token, { questionKey: 'b.policy', filename: 'a.pdf', bytes: fixture('dpia.pdf') })).json().evidence;
    expect((await get(`/v1/supplier/response/evidence/${file.id}`, b.token)).statusCode).toBe(404);
    const bDelete = await ctx.app.inject({ method: 'DELETE', url: `/v1/supplier/response/evidence/${file.id}`, headers: bearer(b.token) });
    expect(bDelete.statusCode).toBe(404);
    expect((await get(`/v1/responses/${a.responseId}/evidence/${file.id}`, b.org.admin.token)).statusCode).toBe(404);
    // The right council but the wrong response is also 404.
    const other = await seedInvitation(ctx, a.org, a.procurementId, { supplierName: 'Other' });
    expect((await get(`/v1/responses/${other.responseId}/evidence/${file.id}`, a.org.admin.token)).statusCode).toBe(404);

    const invitationId = (await get(`/v1/procurements/${a.procurementId}/invitations`, a.org.admin.token)).json().items.find((i: { responseId: string }) => i.responseId === a.responseId).id;
    await ctx.app.inject({ method: 'POST', url: `/v1/invitations/${invitationId}/revoke`, headers: bearer(a.org.admin.token) });
    expect((await get(`/v1/supplier/response/evidence/${file.id}`, a.token)).statusCode).toBe(401);
    expect((await upload(ctx, a.token, { questionKey: 'b.policy', filename: 'a.pdf', bytes: fixture('dpia.pdf') })).statusCode).toBe(401);
  });
});

describe('evidence size limit', () => {
  const ctx = useTestApp({ config: { EVIDENCE_MAX_BYTES: '4096', BLOB_DIR: blobStore.dir } });
  beforeEach(() => blobStore.clear());

  it('refuses a file over the limit with 413 and keeps what was there', async () => {
    const { token } = await invited(ctx);
    expect((await upload(ctx, token, { questionKey: 'b.policy', filename: 'small.pdf', bytes: fixture('dpia.pdf') })).statusCode).toBe(201);
    const big = Buffer.concat([fixture('dpia.pdf'), Buffer.alloc(5000, 0x20)]);
    const refused = await upload(ctx, token, { questionKey: 'b.policy', filename: 'big.pdf', bytes: big });
    expect(refused.statusCode).toBe(413);
    expect(problemOf(refused).code).toBe('evidence.too_large');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/supplier/response/evidence', headers: bearer(token) })).json().items).toHaveLength(1);
    expect(await blobCount(ctx)).toBe(1);
  });

  it('refuses a body declared far over the limit before reading it', async () => {
    const { token } = await invited(ctx);
    const big = Buffer.concat([fixture('dpia.pdf'), Buffer.alloc(200_000, 0x20)]);
    const refused = await upload(ctx, token, { questionKey: 'b.policy', filename: 'big.pdf', bytes: big });
    expect(refused.statusCode).toBe(413);
    expect(problemOf(refused).code).toBe('evidence.too_large');
  });
});

describe('an evidence file’s stored name', () => {
  it.each([
    ['a right-to-left override that shows .exe as .pdf', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['the other embeddings and overrides', '\u202Aa\u202Bb\u202Cc\u202Dd.pdf', 'abcd.pdf'],
    ['bidi isolates', '\u2066report\u2067x\u2068y\u2069.pdf', 'reportxy.pdf'],
    ['left-to-right and right-to-left marks', '\u200Eplan\u200F.pdf', 'plan.pdf'],
    ['the Arabic letter mark', 'a\u061Cb.pdf', 'ab.pdf'],
    ['C0 controls, tab and line breaks included', 'a\tb\r\nc\u0000.pdf', 'abc.pdf'],
    ['DEL and C1 controls', 'a\u007F\u0085b\u009B.pdf', 'ab.pdf'],
    ['a path', '..\\..\\etc/passwd.pdf', 'passwd.pdf'],
  ])('loses %s', (_name, raw, stored) => {
    expect(cleanFilename(raw)).toBe(stored);
  });

  it.each([
    ['Cyrillic', 'Политика защиты данных.pdf'],
    ['Arabic, which reads right to left on its own', 'سياسة الخصوصية.pdf'],
    ['accents and a pound sign', 'Café £ budget.xlsx'],
  ])('keeps a name in %s as it is', (_name, raw) => {
    expect(cleanFilename(raw)).toBe(raw);
  });

  it.each([
    ['only controls', '\u202E\u200F\u0007'],
    ['nothing', ''],
    ['no name at all', undefined],
    ['only spaces around a control', ' \u202E '],
  ])('falls back to a plain name when %s is left', (_name, raw) => {
    expect(cleanFilename(raw)).toBe('evidence');
  });
});
