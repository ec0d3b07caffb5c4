import { afterAll, beforeAll } from 'vitest';
import { startSmtpCapture, type SmtpCapture } from './smtp-server';

/**
 * A real SMTP server on loopback for a test file (see smtp-server.ts): started before its tests and stopped after, for tests that need what
 * only the recipient sees (a link whose token the outbox redacts). Call it before `useTestApp`, and
 * give the app `SMTP_URL: smtp.url()` from a config function (the port is known only once it listens).
 */
export function useSmtpCapture() {
  const received: SmtpCapture['received'] = [];
  let capture: SmtpCapture | undefined;
  beforeAll(async () => {
    // One array for the file's whole life: tests hold `received` from before the server started.
    capture = await startSmtpCapture({ received });
  });
  afterAll(async () => capture?.stop());
  return {
    received,
    url: () => capture?.url ?? 'smtp://127.0.0.1:0',
    /** The path of the latest web-form link emailed to `to` (`/respond/<token>`). */
    linkTo(to: string): string {
      const mail = [...received].reverse().find((m) => m.to.includes(to));
      const link = mail && /\/respond\/(aidd_[a-z]+_[A-Za-z0-9_-]{43})/.exec(mail.text);
      if (!link) throw new Error(`no link emailed to ${to}`);
      return `/respond/${link[1]!}`;
    },
  };
}
