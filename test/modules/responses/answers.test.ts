import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/platform/db';
import { bearer, problemOf, useTestApp } from '../../helpers/app';
import { seedInvitation, seedOpenProcurement, seedOrganisation, type SeededOrganisation } from '../../helpers/factories';
import { smallDefinition } from '../questionnaires/fixtures';


describe('a supplier answering through the API', () => {
  const ctx = useTestApp();
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, payload?: object, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

  async function invited(org?: SeededOrganisation) {
    const owner = org ?? (await seedOrganisation(ctx));
    const procurementId = await seedOpenProcurement(ctx, owner, { definition: smallDefinition(), triage: { 'triage.personal_data': 'yes', 'triage.people': 10 } });
    const invitation = await seedInvitation(ctx, owner, procurementId, { supplierName: `Supplier ${procurementId.slice(0, 4)}` });
    return { org: owner, procurementId, token: invitation.token, responseId: invitation.responseId };
  }
  const put = (token: string, key: string, body: object, headers: Record<string, string> = {}) => call('PUT', `/v1/supplier/response/answers/${key}`, token, body, headers);

  it('saves an answer, moves the response to in progress, and shows it back with a new ETag', async () => {
    const { token } = await invited();
    const saved = await put(token, 'a.training', { value: 'never', comment: 'We never train on customer data.' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.headers.etag).toBe('"2"');
    const view = (await call('GET', '/v1/supplier/response', token)).json();
    expect(view.response).toMatchObject({ status: 'in_progress', version: 2 });
    expect(view.answers['a.training']).toMatchObject({ value: 'never', comment: 'We never train on customer data.', confidential: false, version: 1 });
  });

  it('reveals a follow-up question once the answer it depends on calls for it', async () => {
    const { token } = await invited();
    const before = (await call('GET', '/v1/supplier/response', token)).json();
    expect(before.sections[0].questions.map((q: { key: string }) => q.key)).toEqual(['a.training']);
    await put(token, 'a.training', { value: 'opt_in' });
    const after = (await call('GET', '/v1/supplier/response', token)).json();
    expect(after.sections[0].questions.map((q: { key: string }) => q.key)).toEqual(['a.training', 'a.training_detail']);
  });

  it.each([
    ['an option that does not exist', 'a.training', { value: 'sometimes' }, /Select one of/],
    ['a number out of range', 'b.hours', { value: 5000 }, /1000 or less/],
    ['text for a number', 'b.hours', { value: 'twelve' }, /Enter a number/],
  ])('refuses %s with 422 naming the question, and keeps what was saved', async (_name, key, body, message) => {
    const { token } = await invited();
    await put(token, 'a.training', { value: 'never' });
    await put(token, 'b.hours', { value: 12 });
    const response = await put(token, key, body);
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem.code).toBe('answers.invalid_value');
    expect(problem.errors![0]).toMatchObject({ path: '/body/value', message: expect.stringMatching(message), code: key });
    const answers = (await call('GET', '/v1/supplier/response', token)).json().answers;
    expect(answers['a.training'].value).toBe('never');
    expect(answers['b.hours'].value).toBe(12);
  });

  it('an unknown question is a 404', async () => {
    const { token } = await invited();
    const response = await put(token, 'a.nothing', { value: 'x' });
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('responses.question_not_found');
  });

  it('a stale If-Match gives 412 and changes nothing', async () => {
    const { token } = await invited();
    const etag = (await call('GET', '/v1/supplier/response', token)).headers.etag as string;
    expect((await put(token, 'a.training', { value: 'never' }, { 'if-match': etag })).statusCode).toBe(200);
    const stale = await put(token, 'a.training', { value: 'opt_in' }, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(problemOf(stale).code).toBe('responses.stale');
    expect((await call('GET', '/v1/supplier/response', token)).json().answers['a.training'].value).toBe('never');
  });

  it('concurrent saves with the same If-Match: exactly one wins', async () => {
    const { token } = await invited();
    const etag = (await call('GET', '/v1/supplier/response', token)).headers.etag as string;
    const results = await Promise.all(['never', 'opt_in', 'default', 'never', 'opt_in'].map((value) => put(token, 'a.training', { value }, { 'if-match': etag })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 412, 412, 412, 412]);
  });

  it('keeps every earlier state of an answer in its history', async () => {
    const { token, responseId } = await invited();
    await put(token, 'a.training', { value: 'never' });
    ctx.clock.advance(60_000);
    await put(token, 'a.training', { value: 'opt_in', confidential: true, confidentialReason: 'Describes our pricing model' });
    await call('DELETE', '/v1/supplier/response/answers/a.training', token);
    const history = await queryRows<{ version: number; value: unknown; change: string; confidential: boolean }>(
      ctx.database.db,
      sql`select version, value, change, confidential from answer_versions where response_id = ${responseId} order by version`,
    );
    expect(history).toEqual([
      { version: 1, value: 'never', change: 'saved', confidential: false },
      { version: 2, value: 'opt_in', change: 'saved', confidential: true },
      { version: 3, value: null, change: 'cleared', confidential: false },
    ]);
    expect((await call('GET', '/v1/supplier/response', token)).json().answers['a.training']).toBeUndefined();
  });

  it('a confidential answer needs a reason', async () => {
    const { token } = await invited();
    const response = await put(token, 'a.training', { value: 'never', confidential: true });
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).code).toBe('answers.confidential_reason_required');
  });

  it('refuses changes after the deadline with 409 responses.deadline_passed', async () => {
    const { token } = await invited();
    await put(token, 'a.training', { value: 'never' });
    ctx.clock.set(new Date('2026-12-10T17:00:00.000Z'));
    const late = await put(token, 'a.training', { value: 'opt_in' });
    expect(late.statusCode).toBe(409);
    expect(problemOf(late).code).toBe('responses.deadline_passed');
    expect((await call('GET', '/v1/supplier/response', token)).json().answers['a.training'].value).toBe('never');
  });

  describe('once the procurement’s questionnaire is known to the process', () => {
    /**
     * The statements the app sends to the database while `run` runs (both engines' clients have
     * `query`), leaving out the shared rate-limit store's (PostgreSQL only), which every route pays.
     */
    async function statementsDuring(run: () => Promise<unknown>): Promise<string[]> {
      const client = (ctx.database.db._.session as unknown as { client: { query: (...args: unknown[]) => Promise<unknown> } }).client;
      const original = client.query;
      const sent: string[] = [];
      client.query = function (this: unknown, ...args: unknown[]) {
        const text = String((args[0] as { text?: string }).text ?? args[0]);
        if (!text.includes('"rate_limit_windows"')) sent.push(text);
        return original.apply(this, args);
      };
      try {
        await run();
      } finally {
        client.query = original;
      }
      return sent;
    }

    it('an autosave is one statement: one round trip to the database', async () => {
      const { token } = await invited();
      // The first save reads the procurement and its questionnaire (and authenticates the token).
      expect((await put(token, 'a.training', { value: 'never' })).statusCode).toBe(200);
      const values = ['opt_in', 'default', 'never', 'opt_in', 'default'];
      const statements = await statementsDuring(async () => {
        for (const value of values) expect((await put(token, 'a.training', { value })).statusCode).toBe(200);
      });
      expect(statements).toHaveLength(values.length);
      for (const statement of statements) expect(statement).toMatch(/^with bumped as \(\s+update responses/);
      const view = (await call('GET', '/v1/supplier/response', token)).json();
      expect(view.answers['a.training']).toMatchObject({ value: 'default', version: values.length + 1 });
      expect(view.response.version).toBe(values.length + 2);
    });

    it('a procurement closed behind its back refuses the save with 409, and nothing is written', async () => {
      const { token, procurementId } = await invited();
      expect((await put(token, 'a.training', { value: 'never' })).statusCode).toBe(200);
      await queryRows(ctx.database.db, sql`update procurements set status = 'closed', closed_at = now() where id = ${procurementId}`);
      const refused = await put(token, 'a.training', { value: 'opt_in' });
      expect(refused.statusCode).toBe(409);
      expect(problemOf(refused).code).toBe('responses.procurement_not_open');
      const view = (await call('GET', '/v1/supplier/response', token)).json();
      expect(view.answers['a.training']).toMatchObject({ value: 'never', version: 1 });
      expect(view.response.version).toBe(2);
    });

    it('a procurement that pins another questionnaire behind its back is checked against that one, never the cached one', async () => {
      const { token, procurementId } = await invited();
      expect((await put(token, 'a.training', { value: 'never' })).statusCode).toBe(200);
      // Any other published questionnaire without the key: a built-in one.
      const [other] = await queryRows<{ id: string }>(ctx.database.db, sql`select id from questionnaires where organisation_id is null and status = 'published' limit 1`);
      await queryRows(ctx.database.db, sql`update procurements set questionnaire_id = ${other!.id} where id = ${procurementId}`);
      const refused = await put(token, 'a.training', { value: 'opt_in' });
      expect(refused.statusCode).toBe(404);
      expect(problemOf(refused).code).toBe('responses.question_not_found');
      const [row] = await queryRows<{ version: number; answer_version: number }>(
        ctx.database.db,
        sql`select r.version, a.version as answer_version from responses r join answers a on a.response_id = r.id where r.procurement_id = ${procurementId} and a.question_key = 'a.training'`,
      );
      expect(row).toEqual({ version: 2, answer_version: 1 });
    });
  });

  it('one supplier’s token writes only its own response', async () => {
    const org = await seedOrganisation(ctx);
    const a = await invited(org);
    const b = await invited(org);
    await put(a.token, 'a.training', { value: 'never' });
    await put(b.token, 'a.training', { value: 'default' });
    expect((await call('GET', '/v1/supplier/response', a.token)).json().answers['a.training'].value).toBe('never');
    expect((await call('GET', '/v1/supplier/response', b.token)).json().answers['a.training'].value).toBe('default');
    expect((await put(a.org.admin.token, 'a.training', { value: 'never' })).statusCode).toBe(403);
  });
});
