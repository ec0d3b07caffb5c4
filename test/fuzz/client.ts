// Sends a fuzzed request to the service: through fetch (undici, keep-alive) when it is something a
// client library can send, else over a raw socket, one connection per request, byte for byte.
import { connect } from 'node:net';
import type { FuzzRequest } from './requests';

export type FuzzResponse = { status: number; headers: Record<string, string>; body: Buffer };

export type SendResult = { response: FuzzResponse; error?: undefined } | { response?: undefined; error: string };

const MAX_BODY = 4 * 1024 * 1024;

export async function send(base: string, request: FuzzRequest, timeoutMs: number): Promise<SendResult> {
  return request.raw ? sendRaw(base, request, timeoutMs) : sendFetch(base, request, timeoutMs);
}

async function sendFetch(base: string, request: FuzzRequest, timeoutMs: number): Promise<SendResult> {
  try {
    const response = await fetch(`${base}${request.target}`, {
      method: request.method,
      headers: request.headers,
      ...(request.body ? { body: request.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { response: { status: response.status, headers, body: body.length > MAX_BODY ? body.subarray(0, MAX_BODY) : body } };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { error: `no answer within ${timeoutMs} ms` };
    // fetch gives up on some answers a server may rightly give (an error, then closing while the body
    // is still being sent): the same bytes over a raw socket show what the server said.
    const again = await sendRaw(base, { ...request, raw: { framing: 'plain' } }, timeoutMs);
    if (again.response) return again;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: `${(error as Error).name}: ${(error as Error).message}${cause ? ` (${cause.code ?? ''} ${cause.message ?? ''})` : ''}; over a raw socket: ${again.error}` };
  }
}

/** The request's bytes as its framing asks: each framing is something only a hand-made request sends. */
export function rawBytes(base: string, request: FuzzRequest): Buffer {
  const { host } = new URL(base);
  const framing = request.raw?.framing ?? 'plain';
  const body = request.body ?? Buffer.alloc(0);
  const eol = framing === 'lf-only' ? '\n' : '\r\n';
  let target = request.target;
  if (framing === 'absolute-target') target = `${base}${request.target}`;
  if (framing === 'control-bytes-in-target') target = `${request.target}\u0001\u007f`;
  const version = framing === 'http-1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
  const lines = [`${request.method} ${target} ${version}`];
  if (framing !== 'no-host') lines.push(`Host: ${host}`);
  lines.push('Connection: close');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (framing === 'oversized-header') lines.push(`X-Oversized: ${'o'.repeat(20_000)}`);
  if (framing === 'many-headers') for (let i = 0; i < 300; i += 1) lines.push(`X-Many-${i}: ${i}`);
  if (framing === 'obs-fold') lines.push('X-Folded: first', ' continued');
  let payload: Buffer = body;
  switch (framing) {
    case 'content-length-short':
      lines.push(`Content-Length: ${Math.max(0, body.length - 3)}`);
      break;
    case 'content-length-long-then-close':
      lines.push(`Content-Length: ${body.length + 100}`);
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(body.length > 0 ? `${body.length.toString(16)}\r\n` : ''), body, Buffer.from(body.length > 0 ? '\r\n0\r\n\r\n' : '0\r\n\r\n')]);
      break;
    case 'chunked-broken':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from('zz\r\n'), body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'content-length-and-chunked':
      lines.push(`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked');
      break;
    case 'duplicate-content-length':
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
      break;
    default:
      if (body.length > 0 || !['GET', 'HEAD'].includes(request.method)) lines.push(`Content-Length: ${body.length}`);
  }
  return Buffer.concat([Buffer.from(`${lines.join(eol)}${eol}${eol}`, 'latin1'), payload]);
}

/** Parses one HTTP/1.1 response from the bytes a closed connection delivered. */
export function parseRawResponse(bytes: Buffer): FuzzResponse | undefined {
  // An interim answer (100 Continue) comes before the real one.
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1')) && bytes.indexOf('\r\n\r\n') >= 0) bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);
  const split = bytes.indexOf('\r\n\r\n');
  if (split < 0) return undefined;
  const [statusLine, ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = body.indexOf('\r\n', at);
      if (lineEnd < 0) break;
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (!size) break;
      chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(chunks);
  } else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status, headers, body };
}

function sendRaw(base: string, request: FuzzRequest, timeoutMs: number): Promise<SendResult> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const socket = connect({ host: hostname, port: Number(port) });
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    // The server may answer and close before it has read all of an oversized request.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const response = parseRawResponse(Buffer.concat(chunks));
      finish(response ? { response } : { error: chunks.length === 0 ? 'connection closed without an answer' : `unreadable answer: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}` });
    });
    socket.write(rawBytes(base, request), () => {
      if (request.raw?.framing === 'content-length-long-then-close') socket.end();
    });
  });
}
