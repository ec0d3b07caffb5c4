import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Received = {
  id: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  verified: boolean;
  status: number | 'hang';
  /** When the whole request had arrived (Date.now()). */
  at: number;
  /** Whether our answer was sent in full before the connection closed. */
  answered: boolean;
};

/**
 * A real webhook receiver on loopback. Every delivery is checked with the `standardwebhooks`
 * package, as an integrator's receiver would; `plan` says how to answer the next requests
 * (a status code, or `hang` to never answer); after the plan, it answers 200.
 */
export async function startReceiver({ delayMs = 0 }: { delayMs?: number } = {}) {
  const received: Received[] = [];
  const plan: Array<number | 'hang' | 'hold'> = [];
  const held: Array<() => void> = [];
  let webhook: Webhook | undefined;
  const waiters: Array<() => void> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        webhook?.verify(body, request.headers as Record<string, string>);
        verified = webhook !== undefined;
      } catch {
        verified = false;
      }
      const action = plan.shift() ?? 200;
      const status = action === 'hold' ? 200 : action;
      const record: Received = { id: String(request.headers['webhook-id']), headers: request.headers, body, verified, status, at: Date.now(), answered: false };
      response.on('finish', () => (record.answered = true));
      received.push(record);
      for (const wake of waiters.splice(0)) wake();
      if (status === 'hang') return;
      const answer = () => response.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status}`);
      if (action === 'hold') held.push(answer);
      else setTimeout(answer, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks/aidd`,
    received,
    /** Only deliveries that verified and were answered 2xx: what an idempotent receiver processes. */
    acknowledged: () => received.filter((r) => r.verified && typeof r.status === 'number' && r.status >= 200 && r.status < 300),
    useSecret: (secret: string) => {
      webhook = new Webhook(secret);
    },
    /** How to answer the next requests: a status, `hang` (never), or `hold` (200 once `release` is called). */
    answerNext: (...actions: Array<number | 'hang' | 'hold'>) => plan.push(...actions),
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
    /** Resolves once `count` requests have arrived in all. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
