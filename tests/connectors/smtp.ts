import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

/**
 * A real SMTP server on localhost. `script` decides, message by message, what
 * the server answers after the data: accept, refuse with a reply code, or
 * drop the connection without answering (the message may have arrived).
 */
export async function startSmtp(script: (attempt: number) => 'accept' | 'drop' | { code: number; message: string } = () => 'accept') {
  const received: ReceivedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const outcome = script(++attempts);
        if (outcome === 'accept') {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        } else if (outcome === 'drop') {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          // Received, but the client never hears so: the doubt a crash or a broken link leaves.
          for (const connection of server.connections) (connection as { _socket: { destroy(): void } })._socket.destroy();
        } else {
          const error = Object.assign(new Error(outcome.message), { responseCode: outcome.code });
          callback(error);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
