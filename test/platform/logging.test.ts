import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { loggerOptions } from '../../src/platform/http/logging';
import { TEST_SETUP_TOKEN, testConfig } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';

/** An app on its own database whose log lines, as production writes them, are kept in `lines`. */
async function appWritingLogs(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const testDb = await createTestDatabase();
  const app = await buildApp({ config: testConfig(), database: testDb.database, logger: { ...(loggerOptions({ level }) as object), stream } });
  return { lines, testDb, app };
}

describe('logs', () => {
  it('carry a request id and never a token, a setup token or a cookie', async () => {
    const { lines, testDb, app } = await appWritingLogs('debug');
    try {
      const setup = await app.inject({
        method: 'POST',
        url: '/v1/setup',
        headers: { 'x-setup-token': TEST_SETUP_TOKEN, cookie: 'session=secret-cookie-value' },
        payload: { organisationName: 'C', adminEmail: 'a@example.gov.uk', adminName: 'A' },
      });
      const { token } = setup.json();
      await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-abc-123' } });
      await app.inject({ method: 'GET', url: `/respond/${token}?again=${token}` });
      await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer aidd_pat_${'Z'.repeat(43)}` } });

      const text = lines.join('');
      expect(text).toContain('trace-abc-123');
      expect(text).toContain('authentication failed');
      expect(text).not.toContain(token.slice('aidd_pat_'.length));
      expect(text).not.toContain('Z'.repeat(43));
      expect(text).not.toContain(TEST_SETUP_TOKEN);
      expect(text).not.toContain('secret-cookie-value');
      expect(text).toContain('aidd_pat_[REDACTED]');
    } finally {
      await app.close();
      await testDb.close();
    }
  });

  it('show which statement and constraint a database error broke, never its parameters or the failing row', async () => {
    const { lines, testDb, app } = await appWritingLogs('info');
    try {
      const { token } = (
        await app.inject({ method: 'POST', url: '/v1/setup', headers: { 'x-setup-token': TEST_SETUP_TOKEN }, payload: { organisationName: 'C', adminEmail: 'a@example.gov.uk', adminName: 'A' } })
      ).json();
      // A rule the code does not expect, so the insert fails in the database, as an unforeseen bug would.
      await testDb.database.db.execute(sql`alter table users add constraint users_no_canary check (name <> 'Canary Name')`);
      const response = await app.inject({ method: 'POST', url: '/v1/users', headers: { authorization: `Bearer ${token}` }, payload: { email: 'canary@example.gov.uk', name: 'Canary Name', role: 'viewer' } });
      expect(response.statusCode).toBe(500);

      const failure = lines.map((line) => JSON.parse(line) as { msg: string; err?: Record<string, unknown> }).find((entry) => entry.msg === 'request failed');
      expect(failure?.err).toBeDefined();
      const text = JSON.stringify(failure);
      expect(text).toContain('users_no_canary');
      expect(text).toContain('insert into \\"users\\"');
      expect(text).not.toContain('canary@example.gov.uk');
      expect(text).not.toContain('Canary Name');
      expect(text).not.toContain('params');
      expect(text).not.toContain('Failing row');

      // Logged anywhere else (a worker, say), the same holds: the logger's own error serializer sees to it.
      const error = await testDb.database.db.execute(sql`insert into users (name) values (${'Canary Param'})`).catch((e: unknown) => e);
      app.log.error({ err: error }, 'background job failed');
      const job = lines.find((line) => line.includes('background job failed'))!;
      expect(job).toContain('insert into users');
      expect(job).not.toContain('Canary Param');

      // A value the database could not take is quoted in the message itself (class 22, data exception).
      const cast = await testDb.database.db.execute(sql`select ${'Canary Cast'}::integer`).catch((e: unknown) => e);
      app.log.error({ err: cast }, 'cast failed');
      const castLine = lines.find((line) => line.includes('cast failed'))!;
      expect(castLine).toContain('invalid input syntax for type integer');
      expect(castLine).not.toContain('Canary Cast');
    } finally {
      await app.close();
      await testDb.close();
    }
  });
});
