import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

/**
 * A real SMTP server on loopback that keeps every message it receives, for tests that need what
 * only the recipient sees (a link whose token the outbox redacts). Call it before `useTestApp`, and
 * give the app `SMTP_URL: smtp.url()` from a config function (the port is known only once it listens).
 */
export function useSmtpCapture() {
  const received: Array<{ to: string[]; text: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        // Quoted-printable soft line breaks would split a long link.
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), text: data.replace(/=\r\n/g, '') });
        callback();
      });
    },
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    received,
    url: () => `smtp://127.0.0.1:${port}`,
    /** The path of the latest web-form link emailed to `to` (`/respond/<token>`). */
    linkTo(to: string): string {
      const mail = [...received].reverse().find((m) => m.to.includes(to));
      const link = mail && /\/respond\/(aidd_[a-z]+_[A-Za-z0-9_-]{43})/.exec(mail.text);
      if (!link) throw new Error(`no link emailed to ${to}`);
      return `/respond/${link[1]!}`;
    },
  };
}
