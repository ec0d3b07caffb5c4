import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { loggerOptions } from '../../src/platform/http/logging';
import { TEST_SETUP_TOKEN, testConfig } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';

describe('logs', () => {
  it('carry a request id and never a token, a setup token or a cookie', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const testDb = await createTestDatabase();
    const options = { ...(loggerOptions({ level: 'debug' }) as object), stream };
    const app = await buildApp({ config: testConfig(), database: testDb.database, logger: options });
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
});
