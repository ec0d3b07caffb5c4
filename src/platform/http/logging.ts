import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions, RawRequestDefaultExpression } from 'fastify';
import { stdSerializers } from 'pino';
import { loggableError } from '../db';

const TOKEN_IN_TEXT = /aidd_(pat|key|inv|team|signin)_[A-Za-z0-9_-]+/g;

/** Tokens can appear in a URL (a supplier's link); they never reach the log. */
export function redactTokens(text: string): string {
  return text.replace(TOKEN_IN_TEXT, 'aidd_$1_[REDACTED]');
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function loggerOptions({ level }: { level: string }): FastifyServerOptions['logger'] {
  return {
    level,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-setup-token"]',
        'res.headers["set-cookie"]',
        '*.token',
        '*.password',
        '*.secret',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      // Every logged error, wherever it is logged: a database error never brings its query's values.
      err: (error: Error) => stdSerializers.err(loggableError(error)),
      req(request: { method: string; url: string; id: string; ip?: string }) {
        return { id: request.id, method: request.method, url: redactTokens(request.url), ip: request.ip };
      },
    },
  };
}

/** Keeps a caller's X-Request-Id when it is safe to log, else makes one. */
export function genReqId(request: RawRequestDefaultExpression): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
