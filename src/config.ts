import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

// The whole environment the service reads. Parsed once in server.ts or the CLI, then passed down.
const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalString.pipe(postgresUrl.optional()),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SETUP_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  SMTP_URL: optionalString.pipe(
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(20 * 1024 * 1024),
  MAIL_FROM: z.string().min(3).default('AI due diligence <no-reply@localhost>'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  TRUST_PROXY: booleanFlag.default(false),
  API_DOCS: booleanFlag.default(true),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  REPORT_WORKERS: z.coerce.number().int().min(0).max(16).optional(),
  OCDS_OCID_PREFIX: z.string().regex(/^ocds-[a-z0-9]{6}$/, 'must look like ocds-xxxxxx (a prefix registered with OCDS)').default('ocds-aidd00'),
  SECRETS_KEY: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{43}=?$/, 'must be 32 bytes, base64url').optional()),
  WEBHOOK_DELIVERY: booleanFlag.default(true),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_ALLOW_LOOPBACK: booleanFlag.default(false),
  COOKIE_SECURE: booleanFlag.optional(),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicBaseUrl: string;
  logLevel: string;
  setupToken: string | undefined;
  smtpUrl: string | undefined;
  bodyLimitBytes: number;
  /** The largest evidence file a supplier may upload. */
  evidenceMaxBytes: number;
  mailFrom: string;
  rateLimitPerMinute: number;
  trustProxy: boolean;
  apiDocs: boolean;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  authCacheTtlMs: number;
  /** Threads that draw PDF reports, so a long report never holds up the API; 0 draws them on the main thread. */
  reportWorkers: number;
  /** The OCDS prefix of every `ocid` we publish; register a real one with the OCDS helpdesk before publishing. */
  ocdsOcidPrefix: string;
  /** Encrypts secrets the service must read back (webhook signing secrets). Required in production. */
  secretsKey: Buffer;
  /**
   * Whether session cookies carry `Secure`. On unless the service is reached over plain http on a
   * host that is not loopback (browsers drop Secure cookies there, so nobody could sign in).
   */
  cookieSecure: boolean;
  /** Things a person starting the service should hear about, said once at start. */
  warnings: string[];
  webhooks: {
    /** Run the delivery worker in this process. */
    deliver: boolean;
    pollMs: number;
    timeoutMs: number;
    /** Development and tests only: accept endpoints on 127.0.0.0/8 and ::1. Never private or metadata addresses. */
    allowLoopback: boolean;
  };
};

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads the environment once; throws a ConfigError naming every variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SECRETS_KEY) throw new ConfigError(['SECRETS_KEY: required in production (32 random bytes, base64url: openssl rand -base64 32 | tr +/ -_)']);
  if (e.NODE_ENV === 'production' && e.WEBHOOK_ALLOW_LOOPBACK) throw new ConfigError(['WEBHOOK_ALLOW_LOOPBACK: not allowed in production']);
  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const insecureOrigin = isPlainHttpElsewhere(publicBaseUrl);
  const cookieSecure = e.COOKIE_SECURE ?? !insecureOrigin;
  const warnings = !cookieSecure
    ? [`Session cookies are sent without the Secure flag because ${e.COOKIE_SECURE === false ? 'COOKIE_SECURE=false' : `PUBLIC_BASE_URL (${publicBaseUrl}) is plain http`}: serve the service over https in any real use.`]
    : [];
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    publicBaseUrl,
    logLevel: e.LOG_LEVEL,
    setupToken: e.SETUP_TOKEN,
    smtpUrl: e.SMTP_URL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    evidenceMaxBytes: e.EVIDENCE_MAX_BYTES,
    mailFrom: e.MAIL_FROM,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    trustProxy: e.TRUST_PROXY,
    apiDocs: e.API_DOCS,
    dbPoolMax: e.DB_POOL_MAX,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    reportWorkers: e.REPORT_WORKERS ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
    ocdsOcidPrefix: e.OCDS_OCID_PREFIX,
    // Outside production a fixed development key keeps `npm start` free of set-up; it protects nothing.
    secretsKey: e.SECRETS_KEY ? Buffer.from(e.SECRETS_KEY, 'base64url') : createHash('sha256').update('aidd development secrets key').digest(),
    cookieSecure,
    warnings,
    webhooks: { deliver: e.WEBHOOK_DELIVERY, pollMs: e.WEBHOOK_POLL_MS, timeoutMs: e.WEBHOOK_TIMEOUT_MS, allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK },
  };
}

/** http:// on a host other than loopback, where a browser would refuse a Secure cookie. */
function isPlainHttpElsewhere(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:') return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host));
}
