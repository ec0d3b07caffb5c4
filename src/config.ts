import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

const SECRETS_KEY_PATTERN = /^[A-Za-z0-9_-]{43}=?$/;
const MAKE_A_SECRETS_KEY = 'make one with: openssl rand -base64 32 | tr +/ -_';

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
  EVIDENCE_UPLOADS_PER_RESPONSE: z.coerce.number().int().min(1).max(100).default(3),
  EVIDENCE_UPLOADS_MAX: z.coerce.number().int().min(1).max(1000).default(16),
  EVIDENCE_UPLOAD_IDLE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  BLOB_STORAGE: z.enum(['files', 's3']).default('files'),
  BLOB_DIR: optionalString,
  S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  S3_BUCKET: optionalString,
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: booleanFlag.default(false),
  MAIL_FROM: z.string().min(3).default('AI due diligence <no-reply@localhost>'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  AUTH_FAILURE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  SETUP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  LINK_OPEN_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  SIGN_IN_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  SIGN_IN_EMAIL_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(10),
  STAFF_SESSION_IDLE_MS: z.coerce.number().int().min(60_000).max(7 * 24 * 3_600_000).default(3_600_000),
  STAFF_SESSION_ABSOLUTE_MS: z.coerce.number().int().min(60_000).max(30 * 24 * 3_600_000).default(12 * 3_600_000),
  TRUST_PROXY: booleanFlag.default(false),
  API_DOCS: booleanFlag.default(true),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  REPORT_WORKERS: z.coerce.number().int().min(0).max(16).optional(),
  OCDS_OCID_PREFIX: z.string().regex(/^ocds-[a-z0-9]{6}$/, 'must look like ocds-xxxxxx (a prefix registered with OCDS)').default('ocds-aidd00'),
  SECRETS_KEY: optionalString.pipe(z.string().regex(SECRETS_KEY_PATTERN, 'must be 32 bytes, base64url').optional()),
  SECRETS_KEY_FILE: optionalString,
  WEBHOOK_DELIVERY: booleanFlag.default(true),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_COALESCE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  WEBHOOK_ALLOW_LOOPBACK: booleanFlag.default(false),
  WEBHOOK_RATE_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(10),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).max(300_000).default(10_000),
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
  /**
   * Evidence uploads in flight at once: per response (429 past it) and in this process (503 past it);
   * an upload whose bytes stop arriving for `idleMs` is dropped, so a stalled client does not keep its place.
   */
  evidenceUploads: { perResponse: number; total: number; idleMs: number };
  /** Where uploaded files' bytes go: files in a directory (default `<DATA_DIR>/blobs`), or an S3-compatible bucket. */
  blobStorage: BlobStorageConfig;
  mailFrom: string;
  rateLimitPerMinute: number;
  /** Failed authentications per client address a minute before it is refused altogether (429) until the minute is out. */
  authFailureLimitPerMinute: number;
  /** Calls to POST /v1/setup per client address a minute. */
  setupLimitPerMinute: number;
  /** Supplier invitation links opened per client address a minute. */
  linkOpenLimitPerMinute: number;
  /** Staff sign-in requests (asking for a link, opening and using one) per client address a minute. */
  signInLimitPerMinute: number;
  /** Sign-in links asked for and failed sign-ins per email address an hour, whether or not it has an account. */
  signInEmailLimitPerHour: number;
  /** A staff session ends after this long without a request (sliding), and at the latest this long after sign-in. */
  staffSessionIdleMs: number;
  staffSessionAbsoluteMs: number;
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
  /**
   * From SIGTERM to exit at most: requests and webhook attempts in flight finish within it (the
   * last 2 s are kept for recording them and closing); past it the process exits anyway.
   */
  shutdownGraceMs: number;
  /** Things a person starting the service should hear about, said once at start. */
  warnings: string[];
  webhooks: {
    /** Run the delivery worker in this process. */
    deliver: boolean;
    pollMs: number;
    timeoutMs: number;
    /** How long an `evaluation.updated` waits for more updates of the same evaluation to merge with. */
    coalesceMs: number;
    /** Development and tests only: accept endpoints on 127.0.0.0/8 and ::1. Never private or metadata addresses. */
    allowLoopback: boolean;
    /** Attempts a worker starts at most per endpoint per second, so a backlog (an endpoint enabled again) goes out at a steady pace. */
    ratePerSecond: number;
  };
};

export type S3Config = { endpoint: string | undefined; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean };
export type BlobStorageConfig = { kind: 'files'; directory: string | undefined } | { kind: 's3'; s3: S3Config };

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
  const secretsKey = secretsKeyOf(e);
  if (e.NODE_ENV === 'production' && !secretsKey) throw new ConfigError([`SECRETS_KEY: required in production (32 random bytes, base64url), or SECRETS_KEY_FILE naming a file that holds it; ${MAKE_A_SECRETS_KEY}`]);
  if (e.NODE_ENV === 'production' && e.WEBHOOK_ALLOW_LOOPBACK) throw new ConfigError(['WEBHOOK_ALLOW_LOOPBACK: not allowed in production']);
  const blobStorage = blobStorageOf(e);
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
    evidenceUploads: { perResponse: e.EVIDENCE_UPLOADS_PER_RESPONSE, total: e.EVIDENCE_UPLOADS_MAX, idleMs: e.EVIDENCE_UPLOAD_IDLE_MS },
    blobStorage,
    mailFrom: e.MAIL_FROM,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    authFailureLimitPerMinute: e.AUTH_FAILURE_LIMIT_PER_MINUTE,
    setupLimitPerMinute: e.SETUP_LIMIT_PER_MINUTE,
    linkOpenLimitPerMinute: e.LINK_OPEN_LIMIT_PER_MINUTE,
    signInLimitPerMinute: e.SIGN_IN_LIMIT_PER_MINUTE,
    signInEmailLimitPerHour: e.SIGN_IN_EMAIL_LIMIT_PER_HOUR,
    staffSessionIdleMs: e.STAFF_SESSION_IDLE_MS,
    staffSessionAbsoluteMs: e.STAFF_SESSION_ABSOLUTE_MS,
    trustProxy: e.TRUST_PROXY,
    apiDocs: e.API_DOCS,
    dbPoolMax: e.DB_POOL_MAX,
    dbStatementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
    authCacheTtlMs: e.AUTH_CACHE_TTL_MS,
    reportWorkers: e.REPORT_WORKERS ?? Math.max(1, Math.min(4, availableParallelism() - 1)),
    ocdsOcidPrefix: e.OCDS_OCID_PREFIX,
    // Outside production a fixed development key keeps `npm start` free of set-up; it protects nothing.
    secretsKey: secretsKey ? Buffer.from(secretsKey, 'base64url') : createHash('sha256').update('aidd development secrets key').digest(),
    cookieSecure,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    warnings,
    webhooks: { deliver: e.WEBHOOK_DELIVERY, pollMs: e.WEBHOOK_POLL_MS, timeoutMs: e.WEBHOOK_TIMEOUT_MS, coalesceMs: e.WEBHOOK_COALESCE_MS, allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK, ratePerSecond: e.WEBHOOK_RATE_PER_SECOND },
  };
}

/**
 * SECRETS_KEY, or the contents of the file SECRETS_KEY_FILE names (Docker and compose secrets are
 * files under /run/secrets, kept out of the environment that `docker inspect` shows). Not both.
 */
function secretsKeyOf(e: z.infer<typeof environmentSchema>): string | undefined {
  if (!e.SECRETS_KEY_FILE) return e.SECRETS_KEY;
  if (e.SECRETS_KEY) throw new ConfigError(['SECRETS_KEY_FILE: set SECRETS_KEY or SECRETS_KEY_FILE, not both']);
  let key: string;
  try {
    key = readFileSync(e.SECRETS_KEY_FILE, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`SECRETS_KEY_FILE: cannot read ${e.SECRETS_KEY_FILE} (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  if (!SECRETS_KEY_PATTERN.test(key)) throw new ConfigError([`SECRETS_KEY_FILE: ${e.SECRETS_KEY_FILE} must hold 32 bytes, base64url (43 characters); ${MAKE_A_SECRETS_KEY}`]);
  return key;
}

/** BLOB_STORAGE and what it needs: S3 is refused at start without its bucket and keys, not at the first upload. */
function blobStorageOf(e: z.infer<typeof environmentSchema>): BlobStorageConfig {
  if (e.BLOB_STORAGE === 'files') return { kind: 'files', directory: e.BLOB_DIR };
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((name) => !e[name]);
  if (missing.length > 0) throw new ConfigError(missing.map((name) => `${name}: required when BLOB_STORAGE=s3`));
  return { kind: 's3', s3: { endpoint: e.S3_ENDPOINT, bucket: e.S3_BUCKET!, region: e.S3_REGION, accessKeyId: e.S3_ACCESS_KEY_ID!, secretAccessKey: e.S3_SECRET_ACCESS_KEY!, forcePathStyle: e.S3_FORCE_PATH_STYLE } };
}

/** http:// on a host other than loopback, where a browser would refuse a Secure cookie. */
function isPlainHttpElsewhere(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:') return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host));
}
