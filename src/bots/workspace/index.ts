import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html, raw } from 'hono/html';
import { z } from 'zod';
import { agentNames } from '../../agents/index.js';
import type { HandleResult, Inbound, Outbound } from '../../graph/index.js';
import { parseButtonData, renderWeb, renderWebFile } from '../presenter/index.js';
import { crossSite, fileDownload, securityHeaders, signedFileHref, WEB_SENDER } from '../web/index.js';
import { clearSessionCookie, formGuard, sessionCookie, setSessionCookie, workspaceAccess, type WorkspaceAuth, type WorkspaceEnv } from './access.js';
import { agentsPage } from './agents.js';
import { approvalsPage, checkpointsPage, openApprovals } from './checkpoints.js';
import { contextPage, memoryPage } from './context.js';
import { exportsPage } from './exports.js';
import type { Seat, WorkspaceDeps } from './deps.js';
import { page, type Html, type Section } from './layout.js';
import { refusedPage, signedOutPage, signInPage } from './login.js';
import { actionHref, approvalBox, card } from './parts.js';
import { timelinePage, whyPage } from './timeline.js';
import { linksPage } from './links.js';
import type { ClientLinks } from '../pages/index.js';
import { reviewPage } from './review.js';
import { playbooksPage } from './playbooks.js';

export type { WorkspaceDeps } from './deps.js';
export { createWorkspaceAuth, type WorkspaceAuth } from './access.js';
export { workspaceCommands } from './login.js';

const eventId = z.uuid();
const decisionForm = z.object({ event: eventId, ref: z.string().max(80), decision: z.enum(['approve', 'reject']) });
const eventForm = z.object({ event: eventId });
const rewindForm = z.object({ event: eventId, checkpoint: z.string().min(1).max(200) });
const playbookForm = z.object({ event: eventId, playbook: z.string().regex(/^[\w-]{1,80}$/), verb: z.enum(['pause', 'resume', 'delete']) });
const exportForm = z.object({ event: eventId, what: z.union([z.literal('all'), z.string().regex(/^\d{4}$/, { error: 'a year such as 2026' })]) });

/**
 * The operator's workspace: the timeline of kernel actions with each one's
 * "why", agent cards with their pause switch, the context map with memory
 * search, checkpoints with rewind, and the approvals queue. It reads through
 * the kernel and memory, and acts only as chat does — decisions, /undo and
 * /rewind go through `conversation.handle` — except the pause switch, which is
 * kernel data with no chat equivalent.
 */
export function workspace(deps: WorkspaceDeps & { auth: WorkspaceAuth; links: ClientLinks }) {
  const { auth } = deps;
  const app = new Hono<WorkspaceEnv>().basePath('/workspace');

  // Inline style and script only, forms post back here, and no other site may frame the Approve buttons.
  app.use('*', securityHeaders("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action 'self'"));

  app.get('/login', (c) => {
    const token = c.req.query('t');
    return token ? c.html(signInPage(token)) : c.html(signedOutPage('This link is incomplete.'), 400);
  });

  app.post('/login', bodyLimit({ maxSize: 4096, onError: (c) => c.text('Too large.', 413) }), async (c) => {
    if (crossSite(c)) return c.html(signedOutPage('This sign-in came from another site, so it was refused.'), 403);
    const body = await c.req.parseBody();
    const opened = await auth.openLink(typeof body.t === 'string' ? body.t : '');
    if (!opened.ok) {
      await deps.kernel.audit({ actor: 'workspace', event: 'workspace_link_refused', detail: { refusal: opened.refusal } });
      return c.html(refusedPage(opened.refusal), 401);
    }
    await deps.kernel.audit({ actor: opened.operator, event: 'workspace_signed_in' });
    setSessionCookie(c, opened.session, deps.publicHttps);
    return c.redirect('/workspace', 303);
  });

  app.use(
    '*',
    workspaceAccess({
      auth,
      loopbackOpen: deps.loopbackOpen,
      loopbackOperator: WEB_SENDER,
      isOperator: deps.isOperator,
      refuse: (c) => c.html(signedOutPage('Sign in to see the workspace.'), 401),
    }),
    bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('That request is too large.', 413) }),
    formGuard({ auth, refuse: (c, why) => c.html(signedOutPage(why), 403) }),
  );

  const seat = (c: Context<WorkspaceEnv>): Seat => ({ operator: c.get('visitor').operator, token: c.get('formToken') });
  const show = async (c: Context<WorkspaceEnv>, title: string, section: Section | undefined, body: Html, status: 200 | 403 | 404 | 422 = 200) => {
    const visitor = c.get('visitor');
    const pending = (await openApprovals(deps)).length;
    return c.html(
      page({ title, section, operator: visitor.operator, token: c.get('formToken'), pending, signedIn: visitor.binding !== 'loopback' }, body),
      status,
    );
  };
  const notFound = (c: Context<WorkspaceEnv>, what: string) => show(c, 'Not found', undefined, html`<p>${what}</p>`, 404);

  app.get('/', async (c) =>
    show(c, 'Timeline', 'Timeline', await timelinePage(deps, { agent: c.req.query('agent'), client: c.req.query('client'), state: c.req.query('state') })),
  );
  app.get('/approvals', async (c) => show(c, 'Approvals', 'Approvals', await approvalsPage(deps, seat(c))));
  app.get('/agents', async (c) => show(c, 'Agents', 'Agents', await agentsPage(deps, seat(c))));
  app.get('/context', async (c) => show(c, 'Context', 'Context', await contextPage(deps, c.req.query('q') ?? '')));
  app.get('/checkpoints', async (c) => show(c, 'Checkpoints', 'Checkpoints', await checkpointsPage(deps, seat(c))));
  app.get('/exports', async (c) => show(c, 'Exports', 'Exports', exportsPage(seat(c), deps.clock.now().getUTCFullYear())));
  app.get('/links', async (c) => show(c, 'Client links', 'Links', await linksPage(deps, seat(c))));
  app.get('/review', async (c) => show(c, 'Review', 'Review', await reviewPage(deps)));
  app.get('/playbooks', async (c) => show(c, 'Playbooks', 'Playbooks', await playbooksPage(deps, seat(c))));
  app.get('/actions/:id', async (c) => {
    const action = await deps.kernel.get(c.req.param('id'));
    if (!action) return notFound(c, 'No action with that id is in the ledger.');
    const fileHref = (id: string) => signedFileHref(auth, '/workspace', id, deps.clock.now());
    return show(c, 'Why', 'Timeline', await whyPage(deps, seat(c), action, fileHref));
  });
  app.get('/files/:id', fileDownload({ conversation: deps.conversation, links: auth, now: () => deps.clock.now() }));
  app.get('/memory/:id', async (c) => {
    const body = await memoryPage(deps, c.req.param('id'));
    return body ? show(c, 'Memory', 'Context', body) : notFound(c, 'Memory holds nothing under that id.');
  });

  /** Sends what the page asked for through the conversation, as a chat app would, and shows the answer. */
  const converse = async (c: Context<WorkspaceEnv>, event: string, payload: Inbound['payload'], back: { href: string; label: string }) => {
    const visitor = c.get('visitor');
    const result: HandleResult = await deps.conversation.handle({
      transport: 'web',
      sender: visitor.operator,
      chat: 'workspace',
      eventId: `workspace:${event}`,
      payload,
    });
    const title = result.status === 'refused' ? 'Refused' : result.status === 'invalid' ? 'Not understood' : 'Done';
    const status = result.status === 'refused' ? 403 : result.status === 'invalid' ? 422 : 200;
    const replies =
      result.status === 'duplicate'
        ? html`<p class="notice">That was already handled; nothing more was done.</p>`
        : await renderReplies(seat(c), result.replies);
    return show(
      c,
      title,
      undefined,
      html`<div class="replies">${replies}</div><p><a href="${back.href}">${back.label}</a> · <a href="/workspace">Timeline</a></p>`,
      status,
    );
  };
  const renderReplies = async (s: Seat, replies: Outbound[]): Promise<Html> =>
    html`${await Promise.all(
      replies.map(async (r) => {
        if (r.kind === 'text') return html`<div class="notice">${r.text.split('\n').map((line, i) => html`${i ? html`<br>` : ''}${line}`)}</div>`;
        if (r.kind === 'card') {
          const action = await deps.kernel.get(r.card.actionId);
          return html`<ul class="list">${approvalBox(s, action ? await card(deps, action) : r.card)}</ul>`;
        }
        if (r.kind === 'file') {
          const href = await signedFileHref(auth, '/workspace', r.file.id, deps.clock.now());
          return html`<div class="notice">${raw(renderWebFile(r.file, href))}</div>`;
        }
        // Anything else a reply can be reads as the web chat shows it (the presenter escapes it).
        return html`<div class="notice">${raw(renderWeb(r))}</div>`;
      }),
    )}`;
  const formOf = async <T extends z.ZodType>(c: Context, schema: T) => schema.safeParse(await c.req.parseBody());
  const badForm = (c: Context<WorkspaceEnv>, issues: z.core.$ZodIssue[]) =>
    show(c, 'Not understood', undefined, html`<p>${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}</p>`, 422);

  app.post('/decisions', async (c) => {
    const form = await formOf(c, decisionForm);
    if (!form.success) return badForm(c, form.error.issues);
    const decision = parseButtonData(`${form.data.decision}:${form.data.ref}`);
    if (!decision) return show(c, 'Not understood', undefined, html`<p>That is not a card.</p>`, 422);
    return converse(c, form.data.event, { kind: 'decision', ...decision }, { href: '/workspace/approvals', label: 'Approvals' });
  });

  app.post('/actions/:id/compensate', async (c) => {
    const form = await formOf(c, eventForm);
    if (!form.success) return badForm(c, form.error.issues);
    const id = c.req.param('id');
    if (!(await deps.kernel.get(id))) return notFound(c, 'No action with that id is in the ledger.');
    return converse(c, form.data.event, { kind: 'text', text: `/undo ${id}` }, { href: actionHref(id), label: 'Back to the action' });
  });

  app.post('/rewind', async (c) => {
    const form = await formOf(c, rewindForm);
    if (!form.success) return badForm(c, form.error.issues);
    return converse(c, form.data.event, { kind: 'text', text: `/rewind ${form.data.checkpoint}` }, { href: '/workspace/checkpoints', label: 'Checkpoints' });
  });

  app.post('/exports', async (c) => {
    const form = await formOf(c, exportForm);
    if (!form.success) return badForm(c, form.error.issues);
    return converse(c, form.data.event, { kind: 'text', text: `/export ${form.data.what}` }, { href: '/workspace/exports', label: 'Exports' });
  });

  app.post('/playbooks', async (c) => {
    const form = await formOf(c, playbookForm);
    if (!form.success) return badForm(c, form.error.issues);
    const { event, verb, playbook } = form.data;
    return converse(c, event, { kind: 'text', text: `/playbooks ${verb} ${playbook}` }, { href: '/workspace/playbooks', label: 'Playbooks' });
  });

  app.post('/agents/:name/:switch{pause|resume}', async (c) => {
    const name = agentNames.find((a) => a === c.req.param('name'));
    if (!name) return notFound(c, 'There is no agent of that name.');
    // The switch writes to the kernel directly, so it relies on workspaceAccess having run the conversation's own operator check (deps.isOperator) on this request.
    const by = `operator:${c.get('visitor').operator}`;
    if (c.req.param('switch') === 'pause') await deps.kernel.pauses.pause(name, by);
    else await deps.kernel.pauses.resume(name, by);
    return c.redirect('/workspace/agents', 303);
  });

  app.post('/links/:id/:switch{revoke|pause|resume}', async (c) => {
    // Like the pause switch, links are this layer's own data: the visitor passed workspaceAccess's operator check on this request.
    const by = `operator:${c.get('visitor').operator}`;
    const id = c.req.param('id');
    const verb = c.req.param('switch');
    const changed = verb === 'revoke' ? (await deps.links.revoke([id], by)) > 0 : await deps.links.setPaused(id, verb === 'pause');
    if (changed) {
      const event = verb === 'revoke' ? 'client_link_revoked' : verb === 'pause' ? 'booking_page_paused' : 'booking_page_resumed';
      await deps.kernel.audit({ actor: by, event, detail: { linkId: id } });
    }
    return c.redirect('/workspace/links', 303);
  });

  app.post('/logout', async (c) => {
    const token = sessionCookie(c);
    if (token) await auth.endSession(token);
    clearSessionCookie(c);
    return c.html(signedOutPage('You are signed out.'));
  });

  return app;
}
