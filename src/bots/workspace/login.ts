import { html } from 'hono/html';
import type { CommandSet } from '../../graph/index.js';
import type { Kernel } from '../../kernel/index.js';
import { shortUtc } from '../../core/zoned-time.js';
import { LINK_TTL_MS, SESSION_TTL_MS, type LinkRefusal, type WorkspaceAuth } from './access.js';

const linkMinutes = LINK_TTL_MS / 60_000;
const sessionHours = SESSION_TTL_MS / 3_600_000;
import { page, type Html } from './layout.js';

const howToSignIn = html`<p>Send <code>/workspace</code> to Keel in any chat app (or the web chat); it answers with a link that signs this browser in. The link works once, for ${linkMinutes} minutes.</p>`;

/**
 * The link opens this page rather than signing in straight away: chat apps
 * fetch links to show previews, and a preview must not spend a one-time link.
 */
export const signInPage = (token: string): Html =>
  page(
    { title: 'Sign in' },
    html`<div class="box">
      <p>This link signs this browser in to your Keel workspace for ${sessionHours} hours. It works once.</p>
      <form method="post" action="/workspace/login">
        <input type="hidden" name="t" value="${token}">
        <button type="submit" class="approve">Open the workspace</button>
      </form>
    </div>`,
  );

const refusals: Record<LinkRefusal, string> = {
  invalid: 'This is not a valid workspace link.',
  expired: 'This link has expired.',
  used: 'This link was already used; each link signs in once.',
};

export const refusedPage = (refusal: LinkRefusal): Html =>
  page({ title: 'Link refused' }, html`<div class="notice refusal"><p>${refusals[refusal]}</p></div>${howToSignIn}`);

export const signedOutPage = (why: string): Html => page({ title: 'Sign in to the workspace' }, html`<div class="notice"><p>${why}</p></div>${howToSignIn}`);

/** /workspace in any chat: a one-time link for the operator who asked. */
export function workspaceCommands(deps: { auth: WorkspaceAuth; kernel: Kernel; publicUrl: string }): CommandSet {
  return {
    workspace: {
      description: 'A one-time link to the workspace page',
      async run({ sender }) {
        const { token, expiresAt } = await deps.auth.issueLink(sender);
        await deps.kernel.audit({ actor: sender, event: 'workspace_link_sent', detail: { expiresAt: expiresAt.toISOString() } });
        return [
          {
            kind: 'text',
            // Whoever opens the link first is signed in as the operator, so it never goes to a group or channel.
            private: true,
            text: `Your workspace: ${deps.publicUrl}/workspace/login?t=${token}\nThe link works once, until ${shortUtc(expiresAt)}, and signs that browser in for ${sessionHours} hours.`,
          },
        ];
      },
    },
  };
}
