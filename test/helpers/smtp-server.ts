import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type SmtpCapture = { url: string; received: Array<{ to: string[]; text: string }>; stop: () => Promise<void> };

/** A real SMTP server on loopback that keeps every message it receives, started now (for scripts and benchmarks). */
export async function startSmtpCapture({ received = [] }: { received?: SmtpCapture['received'] } = {}): Promise<SmtpCapture> {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
