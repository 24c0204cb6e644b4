/** One message as read from the operator's mailbox, already parsed. */
export interface IncomingMail {
  uid: number;
  messageId: string | undefined;
  fromAddress: string | undefined;
  fromName: string | undefined;
  subject: string;
  text: string;
  inReplyTo: string | undefined;
  /** Message-IDs from the References header, oldest first. */
  references: string[];
  /** The Date header, when it has a readable one. */
  date: Date | undefined;
}

/**
 * A mailbox Keel reads replies from. Platform-neutral on purpose: the Node
 * wiring passes an IMAP reader (`imap.ts`, imapflow), another platform may
 * pass its own.
 */
export interface Mailbox {
  /** Names the mailbox in the cursor table and in logs, without credentials: "keel@imap.example.com/INBOX". */
  name: string;
  /**
   * Messages with a UID above `afterUid`, in UID order, at most `limit`. With
   * no `uidValidity` (first read) or a different one (the mailbox was
   * rebuilt, so old UIDs mean nothing), it returns no messages and the UID to
   * start after, so mail already there when Keel started reading is left alone.
   */
  read(
    since: { uidValidity?: number | undefined; afterUid: number },
    limit: number,
  ): Promise<{ uidValidity: number; lastUid: number; messages: IncomingMail[] }>;
}
