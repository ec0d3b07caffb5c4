import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { loggableError } from '../db';
import { AppError, validationFailed, type FieldProblem } from './app-error';
import { PROBLEM_CONTENT_TYPE, problemType, type Problem } from './problem';

// Fastify's own client errors, mapped to our stable codes.
const FASTIFY_CODES: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'request.malformed_json', title: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'request.empty_json_body', title: 'The request body is empty but JSON was declared' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'request.unsupported_media_type', title: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'request.invalid_content_length', title: 'Content-Length does not match the body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'request.body_too_large', title: 'The request body is too large' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'request.invalid_content_type', title: 'Invalid content type' },
  FST_ERR_VALIDATION: { code: 'request.validation_failed', title: 'The request is not valid' },
};

// Connection-level database failures are a passing outage (503, retry), not a bug (500): connection
// exceptions (08), shutdown and start-up (57P0x), a statement cancelled by its timeout (57014), and
// the driver's own connection and pool errors. Drizzle wraps the driver's error in `cause`, so look there too.
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout|Connection closed/;
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P0') || code === '57014' || UNAVAILABLE_NODE_CODES.has(code))) return true;
    if (current instanceof Error && UNAVAILABLE_MESSAGES.test(current.message)) return true;
  }
  return false;
}

type ZodIssueLike = { path?: readonly PropertyKey[]; message: string; code?: string };

function fieldProblems(part: string, issues: readonly ZodIssueLike[]): FieldProblem[] {
  return issues.map((issue) => ({
    path: `/${[part, ...(issue.path ?? []).map(String)].join('/')}`,
    message: issue.message,
    ...(issue.code ? { code: issue.code } : {}),
  }));
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  input: Omit<Problem, 'type' | 'requestId'> & { headers?: Record<string, string> },
): FastifyReply {
  const { headers, ...rest } = input;
  const body: Problem = { type: problemType(rest.code), ...rest, requestId: String(request.id) };
  if (headers) reply.headers(headers);
  return reply.code(rest.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** The one place errors become responses: problem+json, stable codes, and no 5xx message ever shown. */
export function registerErrorHandling(app: FastifyInstance): void {
  const sendAppError = (error: AppError, request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(reply, request, {
      status: error.status,
      code: error.code,
      title: error.title,
      ...(error.detail ? { detail: error.detail } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
      ...(error.headers ? { headers: error.headers } : {}),
    });

  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) return sendAppError(error, request, reply);

    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = (error as FastifyError).validationContext ?? 'body';
      const errors = fieldProblems(
        part,
        error.validation.map((v) => ({
          path: (v.instancePath || '').split('/').filter(Boolean),
          message: v.message ?? 'is not valid',
          code: v.keyword,
        })),
      );
      return sendAppError(validationFailed({ errors, status: part === 'body' ? 422 : 400 }), request, reply);
    }

    const fastifyError = error as FastifyError;
    const status = isDatabaseUnavailable(error) ? 503 : (fastifyError.statusCode ?? 500);
    if (status >= 400 && status < 500) {
      const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
      // Never the framework's message: a parser's message quotes the body or the content type sent.
      return sendProblem(reply, request, {
        status,
        code: known?.code ?? (status === 429 ? 'request.rate_limited' : `request.http_${status}`),
        title: known?.title ?? (status === 429 ? 'Too many requests' : 'The request could not be handled'),
        detail: status === 429 ? 'Wait for the number of seconds in Retry-After, then try again.' : 'Check the request against the API description at /openapi.json and send it again.',
      });
    }

    // Through `loggableError` whatever logger is in use: a database error's message and fields carry the query's values.
    request.log.error({ err: loggableError(error) }, 'request failed');
    if (status === 503) {
      return sendProblem(reply, request, {
        status: 503,
        code: 'service.unavailable',
        title: 'The service is temporarily unavailable',
        detail: 'Please try again shortly.',
        headers: { 'retry-after': '5' },
      });
    }
    return sendProblem(reply, request, {
      status: 500,
      code: 'internal_error',
      title: 'Something went wrong on our side',
      detail: 'The error has been logged. Quote the request id if you contact support.',
    });
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, {
      status: 404,
      code: 'route.not_found',
      title: 'Not found',
      detail: 'No endpoint answers this method at this address: check both against the API description at /openapi.json.',
    }),
  );
}
