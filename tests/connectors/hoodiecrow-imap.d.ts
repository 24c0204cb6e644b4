/** hoodiecrow-imap ships no types; this is the part the tests use. */
declare module 'hoodiecrow-imap' {
  import type { AddressInfo } from 'node:net';
  interface HoodiecrowServer {
    listen(port: number, cb: () => void): void;
    close(cb?: () => void): void;
    server: { address(): AddressInfo };
  }
  export default function hoodiecrow(options: {
    plugins?: string[];
    storage?: Record<string, { messages: { raw: string; flags?: string[] }[] }>;
    users?: Record<string, { password: string }>;
  }): HoodiecrowServer;
}
