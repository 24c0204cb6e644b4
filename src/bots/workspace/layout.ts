import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { shortUtc } from '../../core/zoned-time.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const sections = [
  { path: '/workspace', label: 'Timeline' },
  { path: '/workspace/approvals', label: 'Approvals' },
  { path: '/workspace/agents', label: 'Agents' },
  { path: '/workspace/context', label: 'Context' },
  { path: '/workspace/checkpoints', label: 'Checkpoints' },
  { path: '/workspace/exports', label: 'Exports' },
  { path: '/workspace/links', label: 'Links' },
  { path: '/workspace/playbooks', label: 'Playbooks' },
  { path: '/workspace/review', label: 'Review' },
] as const;

export type Section = (typeof sections)[number]['label'];

export const when = (instant: Date | null | undefined) => (instant ? shortUtc(instant) : '—');
export const words = (state: string) => state.replace(/_/g, ' ');
export const badge = (state: string) => html`<span class="badge" data-state="${state}">${words(state)}</span>`;

/**
 * A form that changes something: it carries the visitor's form token and a
 * fresh event id, so a double tap or a resubmitted page is one event.
 */
export function actionForm(opts: {
  action: string;
  token: string;
  fields?: Record<string, string>;
  button: string;
  kind?: 'approve' | 'reject' | 'plain' | 'danger';
  confirm?: string;
}): Html {
  const fields = Object.entries(opts.fields ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${opts.action}" class="inline"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}>
    <input type="hidden" name="csrf" value="${opts.token}">
    <input type="hidden" name="event" value="${crypto.randomUUID()}">
    ${fields}
    <button type="submit" class="${opts.kind ?? 'plain'}">${opts.button}</button>
  </form>`;
}

const styles = raw(`
  :root { --bg:#f6f7f9; --fg:#1d2330; --muted:#5b6475; --line:#d9dde5; --card:#fff; --ok:#15803d; --no:#b91c1c; --wait:#b45309; --accent:#4f46e5; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
  header { background:#111827; color:#fff; padding:.6rem 1rem; }
  header .top { display:flex; align-items:center; justify-content:space-between; gap:.5rem; max-width:1100px; margin:0 auto; }
  header strong { font-size:1.05rem; }
  header .who { font-size:.8rem; opacity:.75; display:flex; align-items:center; gap:.5rem; }
  header .who button { background:transparent; color:#fff; border:1px solid #4b5563; padding:.2rem .55rem; font-size:.8rem; }
  nav { display:flex; flex-wrap:wrap; gap:.25rem; max-width:1100px; margin:.5rem auto 0; }
  nav a { color:#d1d5db; text-decoration:none; padding:.35rem .7rem; border-radius:999px; white-space:nowrap; font-size:.92rem; }
  nav a[aria-current="page"] { background:#fff; color:#111827; font-weight:600; }
  nav .count { background:var(--wait); color:#fff; border-radius:999px; padding:0 .4rem; margin-left:.3rem; font-size:.75rem; }
  main { max-width:1100px; margin:0 auto; padding:1rem; }
  h1 { font-size:1.3rem; margin:.2rem 0 .8rem; }
  h2 { font-size:1.08rem; margin:1.2rem 0 .5rem; }
  h3 { font-size:1rem; margin:0 0 .3rem; }
  a { color:var(--accent); }
  .muted, .meta { color:var(--muted); font-size:.88rem; }
  .list { list-style:none; padding:0; margin:0; display:flex; flex-direction:column; gap:.5rem; }
  .box, .list > li { background:var(--card); border:1px solid var(--line); border-radius:.6rem; padding:.65rem .8rem; overflow-wrap:anywhere; }
  .grid { display:grid; gap:.75rem; grid-template-columns:1fr; }
  .entry { display:flex; flex-direction:column; gap:.15rem; }
  .entry .title { font-weight:600; text-decoration:none; }
  .entry .badge { align-self:flex-start; }
  .box h3 { margin-top:.9rem; }
  .box > h2:first-child, .box > p:first-child { margin-top:0; }
  .box > p:last-child { margin-bottom:0; }
  .badge { display:inline-block; border-radius:999px; padding:0 .5rem; font-size:.78rem; background:#e5e7eb; color:#111827; white-space:nowrap; }
  .badge[data-state="succeeded"], .badge[data-state="approved"], .badge[data-state="active"] { background:#dcfce7; color:#14532d; }
  .badge[data-state="awaiting_approval"], .badge[data-state="paused"], .badge[data-state="running"] { background:#fef3c7; color:#78350f; }
  .badge[data-state="rejected"], .badge[data-state="refused"], .badge[data-state="failed"], .badge[data-state="expired"], .badge[data-state="needs_attention"] { background:#fee2e2; color:#7f1d1d; }
  .badge[data-state="compensated"] { background:#e0e7ff; color:#312e81; }
  dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:.15rem .8rem; margin:.3rem 0; }
  dl.facts dt { color:var(--muted); } dl.facts dd { margin:0; }
  .buttons { display:flex; flex-wrap:wrap; gap:.5rem; margin-top:.5rem; }
  form.inline { display:inline; margin:0; }
  button { font:inherit; padding:.5rem 1rem; border-radius:.5rem; border:0; cursor:pointer; background:#e5e7eb; color:#111; }
  button.approve { background:var(--ok); color:#fff; } button.danger { background:var(--no); color:#fff; }
  button:disabled { opacity:.5; cursor:default; }
  form.filters { display:grid; grid-template-columns:1fr 1fr; gap:.5rem; margin-bottom:1rem; }
  form.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); }
  select, input[type="search"] { font:inherit; padding:.45rem .5rem; border:1px solid var(--line); border-radius:.5rem; background:#fff; width:100%; }
  form.search { display:flex; gap:.5rem; margin-bottom:1rem; }
  pre { white-space:pre-wrap; background:#f3f4f6; border-radius:.4rem; padding:.5rem; font-size:.85rem; margin:.3rem 0; }
  code { font-size:.85em; }
  ol.trail { padding-left:1.2rem; margin:.3rem 0; font-size:.9rem; overflow-wrap:anywhere; }
  ol.trail code, .evidence code { word-break:break-all; }
  .notice { background:#eef2ff; border:1px solid #c7d2fe; border-radius:.6rem; padding:.6rem .8rem; margin-bottom:1rem; }
  .refusal { background:#fef2f2; border-color:#fecaca; }
  .chips { display:flex; flex-wrap:wrap; gap:.3rem; margin:.2rem 0; padding:0; list-style:none; }
  .chips li { background:#f3f4f6; border-radius:.4rem; padding:0 .4rem; font-size:.82rem; }
  details.steps summary { cursor:pointer; color:var(--muted); font-size:.88rem; }
  details.steps ol { padding-left:1.2rem; margin:.3rem 0; font-size:.88rem; }
  @media (min-width: 760px) {
    .grid { grid-template-columns:1fr 1fr; }
    form.filters { grid-template-columns:repeat(3, 1fr) auto; align-items:end; }
    .entry { flex-direction:row; align-items:baseline; gap:.6rem; }
    .entry .meta { margin-left:auto; }
  }
`);

// Progressive enhancement only: every page works without it.
const script = raw(`
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) { e.preventDefault(); return; }
    form.querySelectorAll('button').forEach((b) => { setTimeout(() => (b.disabled = true)); });
  });
  document.querySelectorAll('form.filters select').forEach((s) => s.addEventListener('change', () => s.form.requestSubmit()));
`);

/** The workspace's page frame: navigation, who is signed in, and the sign-out button. */
export function page(opts: { title: string; section?: Section; operator?: string; token?: string; pending?: number; signedIn?: boolean }, body: Html): Html {
  const nav = opts.operator
    ? html`<nav aria-label="Workspace">${sections.map(
        (s) =>
          html`<a href="${s.path}"${s.label === opts.section ? raw(' aria-current="page"') : ''}>${s.label}${
            s.label === 'Approvals' && opts.pending ? html`<span class="count">${opts.pending}</span>` : ''
          }</a>`,
      )}</nav>`
    : '';
  const who = opts.operator
    ? html`<span class="who">${opts.operator}${
        opts.signedIn && opts.token
          ? html`<form method="post" action="/workspace/logout" class="inline"><input type="hidden" name="csrf" value="${opts.token}"><button type="submit">Sign out</button></form>`
          : ''
      }</span>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · Keel workspace</title>
<style>${styles}</style>
</head>
<body>
<header><div class="top"><strong>Keel workspace</strong>${who}</div>${nav}</header>
<main>
<h1>${opts.title}</h1>
${body}
</main>
<script>${script}</script>
</body>
</html>`;
}
