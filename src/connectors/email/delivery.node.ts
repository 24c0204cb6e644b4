import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type NodemailerError } from 'nodemailer';
import { ConnectorError } from '../../kernel/connector.js';
import { fsFailure } from '../files/folder.node.js';
import type { Delivery } from './delivery.js';

/** One file per Message-ID, so a retry rewrites the same file instead of adding a second message. */
const emlName = (messageId: string) => `${messageId.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_')}.eml`;

/** The embedded default: each message becomes an .eml file in `dir`, written whole or not at all. */
export function outboxDelivery(dir: string): Delivery {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    via: 'outbox',
    async deliver(message) {
      const info = await composer.sendMail(message);
      const path = join(dir, emlName(message.messageId));
      try {
        await mkdir(dir, { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        await writeFile(temporary, info.message as Buffer);
        await rename(temporary, path);
      } catch (error) {
        throw fsFailure(error, `write the email to the outbox folder ${dir}`);
      }
      return { emlFile: path, response: 'written to the outbox folder' };
    },
    async accepted(messageId) {
      return stat(join(dir, emlName(messageId))).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
    },
    failure: (error) => ({ error: error instanceof ConnectorError ? error : fsFailure(error, `write the email to ${dir}`), rejected: true }),
  };
}

/** Connection troubles that a later attempt may not meet; login and TLS problems need the operator. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS']);

/** Sends through the SMTP server at `url` (smtp://user:pass@host:587 or smtps://…), one connection per message. */
export function smtpDelivery(url: string): Delivery {
  const transport = nodemailer.createTransport(url);
  const server = new URL(url).host;
  return {
    via: 'smtp',
    async deliver(message) {
      const info = await transport.sendMail(message);
      return { response: info.response };
    },
    accepted: async () => undefined,
    failure(error, to) {
      const e = error as NodemailerError;
      if (e.responseCode !== undefined) {
        // A reply code means the server answered: whatever it said, it did not take the message.
        const reply = (e.response ?? e.message).trim();
        return e.permanent
          ? { error: new ConnectorError(`The mail server ${server} refused the message to ${to}: ${reply}`, { retryable: false }), rejected: true }
          : { error: new ConnectorError(`The mail server ${server} deferred the message to ${to}: ${reply}`, { retryable: true }), rejected: true };
      }
      if (e.code && TRANSIENT_CODES.has(e.code)) {
        // The connection broke; if that happened after the message's last line, the server may have it.
        return { error: new ConnectorError(`Could not reach the mail server ${server} (${e.code}): ${e.message}`, { retryable: true }), rejected: false };
      }
      const fix = e.code === 'EAUTH' || e.code === 'ENOAUTH' ? '; check the user and password in SMTP_URL' : '; check SMTP_URL';
      return { error: new ConnectorError(`Sending through ${server} failed (${e.code ?? 'error'}): ${e.message}${fix}`, { retryable: false }), rejected: true };
    },
  };
}
