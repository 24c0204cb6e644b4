/**
 * Stands in for @slack/socket-mode in the Worker bundle (wrangler.toml [alias]).
 * Bolt loads its Socket Mode receiver eagerly, and the real client pulls in
 * undici's Node-only parts; a Worker cannot hold Socket Mode's long-lived
 * connection anyway, and Keel refuses SLACK_APP_TOKEN there before Bolt starts.
 */
export class SocketModeClient {
  constructor() {
    throw new Error('Slack Socket Mode is not available on Cloudflare Workers; unset SLACK_APP_TOKEN and use SLACK_SIGNING_SECRET (HTTP events).');
  }
}
