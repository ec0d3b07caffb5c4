import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { evidenceFiles } from '../../../src/modules/responses/responses.table';
import { queryRows } from '../../../src/platform/db';
import { blobs } from '../../../src/platform/storage';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { blobDirectory, generatedUpload, multipartFrame, PDF_HEAD, trickledUpload } from '../../helpers/uploads';
import { until } from '../../helpers/wait';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../../fixtures/evidence', name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MB = 1024 * 1024;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const UPLOAD = '/v1/supplier/response/evidence';

const storage = blobDirectory();
afterAll(() => storage.remove());

async function invited(ctx: TestContext, org?: SeededOrganisation) {
  const owner = org ?? (await seedOrganisation(ctx));
  const procurementId = await seedOpenProcurement(ctx, owner, { definition: evidenceDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
  const invitation = await seedInvitation(ctx, owner, procurementId);
  return { org: owner, procurementId, token: invitation.token, responseId: invitation.responseId };
}

/** An upload held open: the fields and the file's first bytes are sent, the rest when the test says. */
function holdOpen(ctx: TestContext, token: string, { questionKey = 'b.policy', first = PDF_HEAD }: { questionKey?: string; first?: Buffer } = {}) {
  const upload = trickledUpload({ fields: { questionKey }, filename: 'held.pdf' });
  upload.send(first);
  const answer = ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...upload.headers }, payload: upload.body });
  return { ...upload, answer };
}

const autosave = (ctx: TestContext, token: string, value: string) => ctx.app.inject({ method: 'PUT', url: '/v1/supplier/response/answers/a.training', headers: bearer(token), payload: { value } });

describe('evidence uploads stream to blob storage', () => {
  const ctx = useTestApp({
    config: () => ({ BLOB_DIR: storage.dir, EVIDENCE_MAX_BYTES: String(16 * MB), EVIDENCE_UPLOADS_PER_RESPONSE: '2', EVIDENCE_UPLOADS_MAX: '4', COOKIE_SECURE: 'false' }),
  });
  beforeEach(() => storage.clear());

  it('writes the bytes to storage while they arrive, holding no database connection, and records the file once complete', async () => {
    const { token } = await invited(ctx);
    const upload = holdOpen(ctx, token);
    const filler = Buffer.alloc(MB, 'a line of evidence\n');
    upload.send(filler);
    // The first megabyte is in storage (still under its temporary name) before the body has ended.
    await until('the first megabyte to reach blob storage', () => storage.bytes() >= MB);

    // Meanwhile the database is free: an autosave goes through, and on PostgreSQL no session of this
    // database is in a transaction or a query.
    const saved = await autosave(ctx, token, 'never');
    expect(saved.statusCode, saved.body).toBe(200);
    if (ctx.testDb.url) {
      const busy = await queryRows<{ state: string; query: string }>(
        ctx.database.db,
        sql`select state, query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')`,
      );
      expect(busy).toEqual([]);
    }
    // Nothing is listed until the file is complete.
    expect((await ctx.app.inject({ method: 'GET', url: UPLOAD, headers: bearer(token) })).json().items).toEqual([]);

    upload.send(filler);
    const sent = upload.finish();
    const answered = await upload.answer;
    expect(answered.statusCode, answered.body).toBe(201);
    const { evidence } = answered.json();
    expect(evidence).toMatchObject({ contentType: 'application/pdf', sizeBytes: sent.size, sha256: sent.sha256 });
    const downloaded = await ctx.app.inject({ method: 'GET', url: `${UPLOAD}/${evidence.id}`, headers: bearer(token) });
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.headers['content-length']).toBe(String(sent.size));
    expect(sha256(downloaded.rawPayload)).toBe(sent.sha256);
    // One file stored, no temporary one left over.
    expect(storage.files().map((f) => f.size)).toEqual([sent.size]);
  });

  it('does not hold concurrent large uploads in memory', async () => {
    const a = await invited(ctx);
    const b = await invited(ctx, a.org);
    const size = 12 * MB;
    // Live buffer memory, after a full collection so garbage chunks do not count, sampled as the
    // bodies are made (a timer would not run: in-process requests flow without yielding to timers).
    const live = () => {
      collectGarbage();
      return process.memoryUsage().arrayBuffers;
    };
    const baseline = live();
    let peak = baseline;
    let samples = 0;
    const sample = (sent: number) => {
      if (sent % (2 * MB) !== 0) return;
      peak = Math.max(peak, live());
      samples += 1;
    };
    const uploads = [a, a, b, b].map(({ token }, i) => ({ token, ...generatedUpload({ fields: { questionKey: 'b.policy' }, filename: `big-${i}.pdf`, size, onChunk: sample }) }));
    const answers = await Promise.all(uploads.map((u) => ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(u.token), ...u.headers }, payload: u.body })));
    peak = Math.max(peak, live());
    for (const [i, answer] of answers.entries()) {
      expect(answer.statusCode, answer.body).toBe(201);
      expect(answer.json().evidence).toMatchObject({ sizeBytes: size, sha256: uploads[i]!.sha256() });
    }
    // Buffered, the four files alone are 48 MB, twice that while Buffer.concat copies them.
    const growth = peak - baseline;
    expect(samples).toBeGreaterThan(0);
    expect(growth, `buffer memory grew by ${(growth / MB).toFixed(1)} MB`).toBeLessThan(24 * MB);
  }, 120_000);

  it('refuses a file that passes the size limit part-way with 413, and leaves nothing in storage', async () => {
    const { token } = await invited(ctx);
    const small = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'small.pdf', size: 200_000 });
    expect((await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...small.headers }, payload: small.body })).statusCode).toBe(201);
    const before = storage.files();
    expect(before).toHaveLength(1);

    // No Content-Length: the limit can only be found while streaming.
    const big = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'big.pdf', size: 16 * MB + 1 });
    const refused = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...big.headers }, payload: big.body });
    expect(refused.statusCode).toBe(413);
    expect(problemOf(refused).code).toBe('evidence.too_large');
    expect(storage.files()).toEqual(before);
    expect((await ctx.app.inject({ method: 'GET', url: UPLOAD, headers: bearer(token) })).json().items).toHaveLength(1);
  });

  it('refuses a file whose content is not what its name says with 415, even when sent in pieces, and stores nothing', async () => {
    const { token } = await invited(ctx);
    const exe = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'report.pdf', size: 3 * MB, start: fixture('program.exe') });
    const refused = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...exe.headers }, payload: exe.body });
    expect([refused.statusCode, problemOf(refused).code]).toEqual([415, 'evidence.unsupported_type']);
    // Text that stops being UTF-8 after two megabytes is not text.
    const text = trickledUpload({ fields: { questionKey: 'b.policy' }, filename: 'notes.txt' });
    text.send(Buffer.alloc(2 * MB, 'plain words\n'));
    text.send(Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    text.finish();
    const notText = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...text.headers }, payload: text.body });
    expect([notText.statusCode, problemOf(notText).code]).toEqual([415, 'evidence.unsupported_type']);
    expect(storage.files()).toEqual([]);
  });

  it('leaves nothing behind when the client goes away mid-upload, and frees its place', async () => {
    const { token } = await invited(ctx);
    if (!ctx.app.server.listening) await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as AddressInfo;
    // Two abandoned uploads: were their places kept, the per-response limit (2) would refuse the next.
    for (let i = 0; i < 2; i += 1) {
      const frame = multipartFrame({ fields: { questionKey: 'b.policy' }, filename: 'abandoned.pdf' });
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: UPLOAD, headers: { ...bearer(token), 'content-type': frame.contentType, 'content-length': String(frame.head.length + 8 * MB + frame.tail.length) } });
      request.on('error', () => undefined);
      request.write(frame.head);
      request.write(Buffer.concat([PDF_HEAD, Buffer.alloc(MB, 'half a file\n')]));
      await until('the abandoned upload to reach storage', () => storage.bytes() > 0);
      request.destroy();
      await until('the abandoned upload to be removed from storage', () => storage.files().length === 0);
    }
    const after = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'after.pdf', size: 10_000 });
    const uploaded = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...after.headers }, payload: after.body });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    expect((await ctx.app.inject({ method: 'GET', url: UPLOAD, headers: bearer(token) })).json().items.map((e: { filename: string }) => e.filename)).toEqual(['after.pdf']);
    expect(storage.files()).toHaveLength(1);
  });

  it('limits uploads in flight per response with 429 and Retry-After; another response still uploads', async () => {
    const a = await invited(ctx);
    const b = await invited(ctx, a.org);
    const held = [holdOpen(ctx, a.token), holdOpen(ctx, a.token)];
    await until('both held uploads to reach storage', () => storage.files().length === 2);

    const third = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'third.pdf', size: 10_000 });
    const refused = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(a.token), ...third.headers }, payload: third.body });
    expect(refused.statusCode).toBe(429);
    expect(problemOf(refused).code).toBe('evidence.too_many_uploads');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const other = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'other.pdf', size: 10_000 });
    expect((await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(b.token), ...other.headers }, payload: other.body })).statusCode).toBe(201);

    for (const upload of held) upload.finish();
    for (const upload of held) expect((await upload.answer).statusCode).toBe(201);
    // The places are free again.
    const again = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'again.pdf', size: 10_000 });
    expect((await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(a.token), ...again.headers }, payload: again.body })).statusCode).toBe(201);
  });

  it('limits uploads in flight across the service with 503 and Retry-After', async () => {
    const a = await invited(ctx);
    const b = await invited(ctx, a.org);
    const c = await invited(ctx, a.org);
    const held = [holdOpen(ctx, a.token), holdOpen(ctx, a.token), holdOpen(ctx, b.token), holdOpen(ctx, b.token)];
    await until('the four held uploads to reach storage', () => storage.files().length === 4);
    const fifth = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'fifth.pdf', size: 10_000 });
    const refused = await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(c.token), ...fifth.headers }, payload: fifth.body });
    expect(refused.statusCode).toBe(503);
    expect(problemOf(refused).code).toBe('evidence.uploads_busy');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    for (const upload of held) upload.finish();
    for (const upload of held) expect((await upload.answer).statusCode).toBe(201);
  });

  it('tells a supplier on the web form to wait, on a GOV.UK page, when it has too many uploads in flight', async () => {
    const a = await invited(ctx);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${a.token}`);
    const href = '/respond/sections/b/evidence/b.policy';
    const form = readPage((await web.get(href)).body);
    const csrf = form.formValues(form.byLabel(/Upload a file/)!)._csrf as string;

    const held = [holdOpen(ctx, a.token), holdOpen(ctx, a.token)];
    await until('both held uploads to reach storage', () => storage.files().length === 2);
    const refused = await web.upload(href, { _csrf: csrf, questionKey: 'b.policy' }, [{ filename: 'policy.pdf', bytes: fixture('dpia.pdf') }]);
    expect(refused.statusCode).toBe(429);
    expect(String(refused.headers['content-type'])).toMatch(/^text\/html/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const page = readPage(refused.body);
    expect(page.errorSummary()).toEqual([{ href: '#file', text: expect.stringMatching(/other files are still uploading/i) }]);

    for (const upload of held) upload.finish();
    for (const upload of held) expect((await upload.answer).statusCode).toBe(201);
  });

  it('still serves, and removes, files stored in the database before uploads streamed to blob storage', async () => {
    const { org, token, responseId } = await invited(ctx);
    const bytes = fixture('dpia.pdf');
    const key = `evidence/${org.organisationId}/legacy-file`;
    await ctx.database.db.insert(blobs).values({ key, bytes, createdAt: ctx.clock.now() });
    const [row] = await ctx.database.db
      .insert(evidenceFiles)
      .values({ organisationId: org.organisationId, responseId, questionKey: 'b.policy', filename: 'old.pdf', contentType: 'application/pdf', sizeBytes: bytes.length, sha256: sha256(bytes), storageKey: key, uploadedAt: ctx.clock.now(), uploadedBy: 'legacy' })
      .returning();
    const downloaded = await ctx.app.inject({ method: 'GET', url: `${UPLOAD}/${row!.id}`, headers: bearer(token) });
    expect(downloaded.statusCode).toBe(200);
    expect(downloaded.rawPayload.equals(bytes)).toBe(true);
    const officer = await ctx.app.inject({ method: 'GET', url: `/v1/responses/${responseId}/evidence/${row!.id}`, headers: bearer(org.admin.token) });
    expect(officer.rawPayload.equals(bytes)).toBe(true);

    const deleted = await ctx.app.inject({ method: 'DELETE', url: `${UPLOAD}/${row!.id}`, headers: bearer(token) });
    expect(deleted.statusCode).toBe(204);
    expect(await queryRows(ctx.database.db, sql`select key from blobs`)).toEqual([]);
  });
});

describe('an evidence upload whose bytes stop arriving', () => {
  const ctx = useTestApp({ config: () => ({ BLOB_DIR: storage.dir, EVIDENCE_UPLOADS_PER_RESPONSE: '1', EVIDENCE_UPLOAD_IDLE_MS: '500' }) });
  beforeEach(() => storage.clear());

  it('is dropped once nothing has come for the idle time, leaving nothing stored and its place free', async () => {
    const { token } = await invited(ctx);
    const stalled = holdOpen(ctx, token);
    const answer = await stalled.answer;
    expect(answer.statusCode).toBe(422);
    expect(problemOf(answer)).toMatchObject({ code: 'evidence.invalid_upload', detail: expect.stringContaining('stopped arriving') });
    expect(answer.headers.connection).toBe('close');
    await until('the stalled upload to be removed from storage', () => storage.files().length === 0);
    // With one place per response, the next upload gets it.
    const next = generatedUpload({ fields: { questionKey: 'b.policy' }, filename: 'next.pdf', size: 10_000 });
    expect((await ctx.app.inject({ method: 'POST', url: UPLOAD, headers: { ...bearer(token), ...next.headers }, payload: next.body })).statusCode).toBe(201);
    stalled.body.destroy();
  });
});
