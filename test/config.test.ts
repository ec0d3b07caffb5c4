import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('starts on the embedded database with sensible defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, dataDir: './data', publicBaseUrl: 'http://localhost:3000' });
  });

  it('treats an empty DATABASE_URL as unset, so a blank line in an env file does not break the start', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/db' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'not a url' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SETUP_TOKEN', { SETUP_TOKEN: 'short' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail.example' }],
  ])('a wrong %s stops the start with a message naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).message).toContain(`${variable}:`);
    }
  });

  it('needs SECRETS_KEY in production, and never allows loopback webhooks there', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(/SECRETS_KEY: required in production/);
    expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY: key }).secretsKey).toEqual(Buffer.alloc(32, 7));
    expect(() => loadConfig({ NODE_ENV: 'production', SECRETS_KEY: key, WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrowError(/WEBHOOK_ALLOW_LOOPBACK/);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrowError(/SECRETS_KEY/);
    expect(() => loadConfig({ OCDS_OCID_PREFIX: 'ocds-TOO-LONG' })).toThrowError(/OCDS_OCID_PREFIX/);
    expect(loadConfig({}).webhooks).toEqual({ deliver: true, pollMs: 1000, timeoutMs: 10_000, coalesceMs: 2_000, allowLoopback: false, ratePerSecond: 10 });
    expect(loadConfig({ WEBHOOK_COALESCE_MS: '0' }).webhooks.coalesceMs).toBe(0);
    expect(() => loadConfig({ WEBHOOK_COALESCE_MS: '60001' })).toThrowError(/WEBHOOK_COALESCE_MS/);
  });

  it('reads SECRETS_KEY from the file SECRETS_KEY_FILE names (Docker secrets), refuses both or a bad file, and in development still needs neither', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'aidd-secrets-key-'));
    try {
      const file = path.join(directory, 'secrets_key');
      writeFileSync(file, `${Buffer.alloc(32, 9).toString('base64url')}\n`);
      expect(loadConfig({ NODE_ENV: 'production', SECRETS_KEY_FILE: file }).secretsKey).toEqual(Buffer.alloc(32, 9));
      expect(() => loadConfig({ NODE_ENV: 'production', SECRETS_KEY_FILE: file, SECRETS_KEY: Buffer.alloc(32, 7).toString('base64url') })).toThrowError(/SECRETS_KEY_FILE: set SECRETS_KEY or SECRETS_KEY_FILE, not both/);
      expect(() => loadConfig({ NODE_ENV: 'production', SECRETS_KEY_FILE: path.join(directory, 'missing') })).toThrowError(/SECRETS_KEY_FILE: cannot read .*missing \(ENOENT\)/);
      writeFileSync(file, 'not-a-key\n');
      expect(() => loadConfig({ SECRETS_KEY_FILE: file })).toThrowError(/SECRETS_KEY_FILE: .* must hold 32 bytes, base64url/);
      // Production without either: one line saying what is missing and how to make one.
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(/SECRETS_KEY: required in production .* SECRETS_KEY_FILE .*; make one with: openssl rand -base64 32/);
      // Development keeps its fixed key, so `npm start` needs no set-up.
      expect(loadConfig({ NODE_ENV: 'development' }).secretsKey).toEqual(createHash('sha256').update('aidd development secrets key').digest());
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('limits failed authentications, setup and link opening more tightly than other requests by default', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerMinute: 1200, authFailureLimitPerMinute: 30, setupLimitPerMinute: 10, linkOpenLimitPerMinute: 30 });
    expect(loadConfig({ AUTH_FAILURE_LIMIT_PER_MINUTE: '5' }).authFailureLimitPerMinute).toBe(5);
    expect(() => loadConfig({ AUTH_FAILURE_LIMIT_PER_MINUTE: '0' })).toThrowError(/AUTH_FAILURE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ LINK_OPEN_LIMIT_PER_MINUTE: 'many' })).toThrowError(/LINK_OPEN_LIMIT_PER_MINUTE/);
  });

  it('names every wrong variable at once, not just the first', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      expect.fail('should have thrown');
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('PORT');
      expect(problems).toContain('LOG_LEVEL');
    }
  });

  it('drops a trailing slash from PUBLIC_BASE_URL so links are built one way', () => {
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://dd.example.gov.uk/' }).publicBaseUrl).toBe('https://dd.example.gov.uk');
  });

  it.each([
    { case: 'nothing set (http://localhost)', env: {}, secure: true },
    { case: 'https', env: { PUBLIC_BASE_URL: 'https://dd.example.gov.uk' }, secure: true },
    { case: 'plain http on loopback', env: { PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }, secure: true },
    { case: 'plain http on [::1]', env: { PUBLIC_BASE_URL: 'http://[::1]:3000' }, secure: true },
    { case: 'plain http on another host', env: { PUBLIC_BASE_URL: 'http://dd.intranet.example:3000' }, secure: false },
    { case: 'COOKIE_SECURE=false', env: { COOKIE_SECURE: 'false' }, secure: false },
    { case: 'COOKIE_SECURE=true over plain http elsewhere', env: { PUBLIC_BASE_URL: 'http://10.0.0.5', COOKIE_SECURE: 'true' }, secure: true },
  ])('marks session cookies Secure unless the service is reached over plain http beyond loopback: $case', ({ env, secure }) => {
    const config = loadConfig(env);
    expect(config.cookieSecure).toBe(secure);
    // Turning it off is said at start, with the reason.
    expect(config.warnings).toEqual(secure ? [] : [expect.stringMatching(/^Session cookies are sent without the Secure flag because (COOKIE_SECURE=false|PUBLIC_BASE_URL \(http:\/\/dd\.intranet\.example:3000\) is plain http)/)]);
  });
});
