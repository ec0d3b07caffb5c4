import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { testConfig } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { until } from '../helpers/wait';

type Parsed = { status: number; headers: Record<string, string>; body: string };

/** Splits what came back on one connection into its HTTP responses (each with a Content-Length). */
function responsesIn(text: string): Parsed[] {
  const out: Parsed[] = [];
  let rest = text;
  while (rest.length > 0) {
    const split = rest.indexOf('\r\n\r\n');
    if (split < 0) break;
    const [statusLine, ...lines] = rest.slice(0, split).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(split + 4, split + 4 + length) });
    rest = rest.slice(split + 4 + length);
  }
  return out;
}


describe('shutting down', () => {
  it('answers the request in flight, and refuses one that arrives during shutdown with problem+json 503, Retry-After and the usual headers', async () => {
    const testDb = await createTestDatabase();
    const logged: string[] = [];
    const app = await buildApp({ config: testConfig(), database: testDb.database, logger: { level: 'info', stream: { write: (line: string) => void logged.push(line) } } });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const socket = connect({ port, host: '127.0.0.1' });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      const ended = new Promise((resolve) => socket.on('close', resolve));

      // A request whose body is still arriving is in flight when the shutdown starts…
      const body = JSON.stringify({ organisationName: 'Example Borough Council', adminEmail: 'admin@example.gov.uk', adminName: 'Alex Admin' });
      socket.write(`POST /v1/setup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
      await until('the request to arrive', () => logged.some((line) => line.includes('incoming request')));
      const closed = app.close();
      await until('the server to stop listening', () => !app.server.listening);
      // …and a second one arrives behind it on the same connection.
      socket.write(`${body.slice(10)}GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      await ended;
      await closed;

      const [first, second] = responsesIn(received);
      expect(first!.status).not.toBe(503);
      expect(second!.status).toBe(503);
      expect(second!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(second!.headers['retry-after']).toBe('5');
      expect(second!.headers.connection).toBe('close');
      expect(second!.headers['x-content-type-options']).toBe('nosniff');
      expect(second!.headers['x-request-id']).toBeDefined();
      expect(JSON.parse(second!.body)).toMatchObject({ status: 503, code: 'service.shutting_down' });
    } finally {
      await app.close();
      await testDb.close();
    }
  });
});
