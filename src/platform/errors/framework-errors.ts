import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { API_SECURITY_HEADERS, HSTS, servedOverHttps } from '../http/security-headers';
import { AppError } from './app-error';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem';
import { sendProblem } from './error-handler';

type FrameworkProblem = { status: number; code: string; title: string; detail: string };

const CHECK_THE_ADDRESS = 'Check the address against the API description at /openapi.json.';

// Errors fastify raises before any route or hook runs; none of their messages is shown, as each quotes the request.
const ROUTING_PROBLEMS: Record<string, FrameworkProblem> = {
  FST_ERR_BAD_URL: { status: 400, code: 'request.bad_url', title: 'The address is not valid', detail: `A percent sign in the path must start a valid escape such as %20. ${CHECK_THE_ADDRESS}` },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'request.uri_too_long', title: 'The address is too long', detail: `A part of the path is longer than any id the API uses. ${CHECK_THE_ADDRESS}` },
};
const UNROUTABLE: FrameworkProblem = { status: 400, code: 'request.unroutable', title: 'The request could not be routed', detail: CHECK_THE_ADDRESS };

// Node's HTTP parser refuses these before fastify sees a request.
const PARSER_PROBLEMS: Record<string, FrameworkProblem> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'request.headers_too_large', title: 'The request headers are too large', detail: 'Send a shorter address and fewer or smaller headers (cookies included), up to 16 KB in all.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request.timeout', title: 'The request took too long to arrive', detail: 'Send the whole request again, without pauses.' },
};
const MALFORMED: FrameworkProblem = { status: 400, code: 'request.malformed', title: 'The request is not valid HTTP', detail: 'Send a well-formed HTTP/1.1 request.' };
// Node would answer these itself: a bare 400 without a body, and a closed connection.
const MISSING_HOST: FrameworkProblem = { status: 400, code: 'request.missing_host', title: 'The request has no Host header', detail: 'Send a Host header, as HTTP/1.1 requires.' };
const CONNECT_REFUSED: FrameworkProblem = { status: 405, code: 'request.method_not_allowed', title: 'The method is not allowed', detail: 'This service is not a proxy: it never takes CONNECT.' };

/**
 * The router's own 414 for a path segment longer than it routes, for a wildcard route to give: the
 * router answers 414 itself only when no wildcard matches the path instead (the console's not-found
 * page has one), so such a route asks this first.
 */
export function segmentTooLongToRoute(path: string, maxParamLength: number): AppError | null {
  return path.split('/').some((segment) => segment.length > maxParamLength) ? new AppError(ROUTING_PROBLEMS.FST_ERR_MAX_PARAM_LENGTH!) : null;
}

/** A problem written straight to the socket, for answers given before fastify has a request; then the connection closes. */
function writeProblem(socket: Duplex, problem: FrameworkProblem, config: { publicBaseUrl: string; trustProxy: boolean }, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: problemType(problem.code), ...problem });
  const headers = { ...API_SECURITY_HEADERS, ...(servedOverHttps(config) ? { 'strict-transport-security': HSTS } : {}), ...extra, 'content-type': PROBLEM_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)), connection: 'close' };
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
  }
}

/** How long, and how much, a refused client may go on sending before its connection is dropped. */
const LINGER_MS = 5_000;
const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * Closes a connection whose request was refused without losing the answer. A client may still be
 * sending (a request line of 600 KB is refused after the first 16 KB): closing at once with its
 * bytes unread makes the kernel reset the connection, and the reset discards the answer before the
 * client reads it (found by the fuzz: eight such requests at once, seven got no answer at all). So
 * the answer is sent with our side's FIN, and what still arrives is read and dropped until the
 * client closes, for at most LINGER_MS or LINGER_BYTES.
 */
function closeAfterAnswer(socket: Socket): void {
  let drained = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  socket.resume();
}

/**
 * Fastify's `frameworkErrors` and `clientErrorHandler`: the answers it would otherwise write itself, as
 * plain JSON without security headers and quoting the request, become problem+json like every other.
 */
export function frameworkErrorHandlers(config: { publicBaseUrl: string; trustProxy: boolean }): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> & { http: ServerOptions } {
  return {
    // registerFrameworkRefusals answers a request without Host, as problem+json.
    http: { requireHostHeader: false },
    frameworkErrors: (error, request, reply) => {
      const problem = ROUTING_PROBLEMS[error.code] ?? UNROUTABLE;
      reply.headers({ ...API_SECURITY_HEADERS, 'x-request-id': String(request.id) });
      if (servedOverHttps(config, request)) reply.header('strict-transport-security', HSTS);
      sendProblem(reply, request, problem);
    },
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      if (error.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
      writeProblem(socket, PARSER_PROBLEMS[error.code ?? ''] ?? MALFORMED, config);
      closeAfterAnswer(socket);
    },
  };
}

/**
 * What Node's HTTP server would otherwise answer itself: an HTTP/1.1 request without Host (a bare
 * 400), and CONNECT (the connection closed, no answer). Register after the security headers.
 */
export function registerFrameworkRefusals(app: FastifyInstance, config: { publicBaseUrl: string; trustProxy: boolean }): void {
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) throw new AppError(MISSING_HOST);
  });
  app.server.on('connect', (_request, socket: Duplex) => {
    writeProblem(socket, CONNECT_REFUSED, config, { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' });
    socket.end();
  });
}
