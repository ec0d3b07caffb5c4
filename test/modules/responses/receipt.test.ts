import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, problemOf, useTestApp, type TestContext } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { multipart } from '../../helpers/multipart';
import { readPdf } from '../../helpers/pdf';
import { readPage, webAgent } from '../../helpers/web';
import { evidenceDefinition } from '../questionnaires/fixtures';

const triage = { 'triage.personal_data': 'yes', 'triage.people': 10 };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const flat = (text: string) => text.replace(/\s+/g, ' ');
const POLICY = readFileSync(path.join(import.meta.dirname, '../../fixtures/evidence/policy.docx'));
/** A text file with a PDF's name: the receipt says what it really is. */
const NOTES = Buffer.from('Our incident plan: notify within 12 hours.\n');

describe('the receipt of a submitted response', () => {
  const ctx = useTestApp({ config: { COOKIE_SECURE: 'false' } });
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token: string, payload?: object) => ctx.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const receipt = (token: string) => call('GET', '/v1/supplier/response/receipt.pdf', token);

  async function procurement(c: TestContext): Promise<{ org: SeededOrganisation; procurementId: string }> {
    const org = await seedOrganisation(c, { name: 'Example Borough Council' });
    const procurementId = await seedOpenProcurement(c, org, { definition: evidenceDefinition(), triage, title: 'Council tax chatbot' });
    return { org, procurementId };
  }

  /** A supplier that answers everything, with a comment, a confidential answer and two evidence files. */
  async function answered(org: SeededOrganisation, procurementId: string, supplierName: string, hours = 12) {
    const invitation = await seedInvitation(ctx, org, procurementId, { supplierName });
    const put = async (key: string, body: object) => expect((await call('PUT', `/v1/supplier/response/answers/${key}`, invitation.token, body)).statusCode).toBe(200);
    await put('a.training', { value: 'opt_in' });
    await put('a.training_detail', { value: `${supplierName} asks each council to opt in, in writing.`, confidential: true, confidentialReason: 'Describes our sales process' });
    await put('b.hours', { value: hours, comment: 'Calendar hours, day or night.' });
    for (const [questionKey, filename, bytes] of [['b.hours', 'notes.pdf', NOTES], ['b.policy', 'policy.docx', POLICY]] as const) {
      const body = multipart({ fields: { questionKey }, files: [{ filename, bytes }] });
      const uploaded = await ctx.app.inject({ method: 'POST', url: '/v1/supplier/response/evidence', headers: { ...bearer(invitation.token), ...body.headers }, payload: body.payload });
      expect(uploaded.statusCode, uploaded.body).toBe(201);
    }
    return invitation;
  }

  async function submit(token: string): Promise<string> {
    const submitted = await call('POST', '/v1/supplier/response/submit', token, { declaration: true });
    expect(submitted.statusCode, submitted.body).toBe(200);
    return submitted.json().reference as string;
  }

  it('is refused before submission (409 on the API, no file on the web), then lists what was submitted in a tagged PDF', async () => {
    const { org, procurementId } = await procurement(ctx);
    const supplier = await answered(org, procurementId, 'Acme AI Ltd');

    const early = await receipt(supplier.token);
    expect([early.statusCode, problemOf(early).code]).toEqual([409, 'responses.not_submitted']);
    const web = webAgent(ctx.app);
    await web.get(`/respond/${supplier.token}`);
    const notYet = await web.download('/respond/receipt.pdf');
    expect([notYet.statusCode, notYet.headers.location, notYet.headers['content-type']]).toEqual([303, '/respond', undefined]);

    const reference = await submit(supplier.token);
    const response = await receipt(supplier.token);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toContain(`filename="receipt-${reference}.pdf"`);
    const pdf = response.rawPayload;

    // Tagged, titled and in British English, as the catalog and the info dictionary say.
    const raw = pdf.toString('latin1');
    for (const entry of ['/MarkInfo', '/Marked true', '/StructTreeRoot', '/Lang (en-GB)', '/DisplayDocTitle true']) expect(raw, entry).toContain(entry);
    const read = await readPdf(pdf);
    expect(read.marked).toBe(true);
    expect(read.info).toMatchObject({ Title: 'Receipt for your response: Acme AI Ltd, Council tax chatbot', Author: 'Example Borough Council', Language: 'en-GB' });
    expect(read.firstPageRoles.slice(0, 4)).toEqual(['Root', 'Document', 'H1', 'Table']);
    expect(read.firstPageRoles).toEqual(expect.arrayContaining(['H2', 'H3', 'P', 'L', 'LI']));
    expect(read.outline).toEqual([{ title: 'Receipt for your submitted response', items: ['Section A', 'Section B'] }]);

    // What a reader checks: who, what and when, then every answer, comment, mark and file.
    const text = flat(read.text);
    for (const expected of [
      'Council Example Borough Council',
      'Procurement Council tax chatbot',
      'Supplier Acme AI Ltd',
      `Submission reference ${reference}`,
      'Submitted at 26 November 2026, 12:00 (UK time)',
      'Do you train on our data? Answer: Only with opt-in',
      'Explain the opt-in. Answer: Acme AI Ltd asks each council to opt in, in writing.',
      'Marked commercially confidential. Reason: Describes our sales process',
      'Incident notification hours? Answer: 12',
      'Comment: Calendar hours, day or night.',
      `notes.pdf (a plain text file), ${NOTES.length} bytes. SHA-256: ${sha256(NOTES)}`,
      `policy.docx, ${POLICY.length} bytes. SHA-256: ${sha256(POLICY)}`,
    ]) {
      expect(text).toContain(expected);
    }
    // Only the one answer marked confidential carries the mark.
    expect(text.match(/Marked commercially confidential/g)).toHaveLength(1);
    // The web form serves the same receipt to the supplier's session.
    const fromWeb = await web.download('/respond/receipt.pdf');
    expect(fromWeb.headers['content-type']).toBe('application/pdf');
    expect(flat((await readPdf(fromWeb.bytes)).text)).toContain(`Submission reference ${reference}`);
  });

  it('shows the answer as submitted after a clarification amendment changed the draft', async () => {
    const { org, procurementId } = await procurement(ctx);
    const supplier = await answered(org, procurementId, 'Acme AI Ltd', 48);
    await submit(supplier.token);
    const asked = await call('POST', `/v1/responses/${supplier.responseId}/clarifications`, org.admin.token, { questionKey: 'b.hours', question: 'Working or calendar hours?', allowAmend: true });
    expect(asked.statusCode, asked.body).toBe(201);
    const replied = await call('POST', `/v1/supplier/response/clarifications/${asked.json().id}/reply`, supplier.token, { reply: 'We can commit to 24.', amendedAnswer: { value: 24, comment: 'Amended in reply.' } });
    expect(replied.statusCode, replied.body).toBe(200);
    expect((await call('GET', '/v1/supplier/response', supplier.token)).json().answers['b.hours'].value).toBe(24);

    const text = flat((await readPdf((await receipt(supplier.token)).rawPayload)).text);
    expect(text).toContain('Incident notification hours? Answer: 48');
    expect(text).toContain('Comment: Calendar hours, day or night.');
    expect(text).not.toContain('Answer: 24');
    expect(text).not.toContain('Amended in reply.');
  });

  it('gives each supplier its own receipt and no other', async () => {
    const { org, procurementId } = await procurement(ctx);
    const acme = await answered(org, procurementId, 'Acme AI Ltd');
    const beta = await answered(org, procurementId, 'Beta Models plc');
    const acmeReference = await submit(acme.token);
    const betaReference = await submit(beta.token);
    expect(acmeReference).not.toBe(betaReference);

    for (const [token, own, other] of [
      [acme.token, { name: 'Acme AI Ltd', reference: acmeReference }, { name: 'Beta Models plc', reference: betaReference }],
      [beta.token, { name: 'Beta Models plc', reference: betaReference }, { name: 'Acme AI Ltd', reference: acmeReference }],
    ] as const) {
      const text = flat((await readPdf((await receipt(token)).rawPayload)).text);
      expect(text).toContain(`Supplier ${own.name}`);
      expect(text).toContain(`Submission reference ${own.reference}`);
      expect(text).not.toContain(other.name);
      expect(text).not.toContain(other.reference);
    }
    // A council's own token is not a supplier's: the route is for invitation tokens only.
    expect((await receipt(org.admin.token)).statusCode).toBe(403);
  });

  it('is linked from the confirmation page and the read-only task list and answers', async () => {
    const { org, procurementId } = await procurement(ctx);
    const supplier = await answered(org, procurementId, 'Acme AI Ltd');
    const web = webAgent(ctx.app);
    await web.get(`/respond/${supplier.token}`);
    const link = /^Download a receipt of your submitted response/;
    expect(readPage((await web.get('/respond')).body).link(link)).toBeUndefined();
    await submit(supplier.token);
    for (const url of ['/respond/confirmation', '/respond', '/respond/check']) {
      expect(readPage((await web.get(url)).body).link(link)?.getAttribute('href'), url).toBe('/respond/receipt.pdf');
    }
  });
});
