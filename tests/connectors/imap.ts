import hoodiecrow from 'hoodiecrow-imap';
import { ImapFlow } from 'imapflow';

/**
 * Replies are read from a real IMAP server speaking the protocol over TCP:
 * hoodiecrow-imap (npm), an in-process IMAP4rev1 server with an in-memory
 * mailbox, so the test can append mail and restart the server at will.
 * imapflow and mailparser run unmodified against it.
 */
export async function startImap(port = 0) {
  const server = hoodiecrow({
    plugins: ['ID', 'UIDPLUS', 'ENABLE', 'IDLE', 'SPECIAL-USE', 'UNSELECT'],
    storage: { INBOX: { messages: [] } },
    users: { keel: { password: 'secret-pw' } },
  });
  await new Promise<void>((resolve) => server.listen(port, resolve));
  const bound = server.server.address().port;
  return { url: `imap://keel:secret-pw@127.0.0.1:${bound}/INBOX`, port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Puts a message in the server's INBOX the way a mail server delivers it. */
export async function deliver(imap: { url: string }, raw: string) {
  const url = new URL(imap.url);
  const client = new ImapFlow({ host: url.hostname, port: Number(url.port), secure: false, auth: { user: 'keel', pass: 'secret-pw' }, logger: false });
  await client.connect();
  await client.append('INBOX', raw.replace(/\n/g, '\r\n'));
  await client.logout();
}

export const reply = (opts: { id: string; from: string; inReplyTo?: string; subject?: string; body: string }) =>
  [
    `From: ${opts.from}`,
    'To: Olga Operator <olga@keel.test>',
    `Subject: ${opts.subject ?? 'Re: Following up'}`,
    `Message-ID: ${opts.id}`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${opts.inReplyTo}`] : []),
    'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '',
  ].join('\n');

