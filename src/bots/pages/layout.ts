import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const styles = raw(`
  :root { --bg:#f6f7f9; --fg:#1d2330; --muted:#5b6475; --line:#d9dde5; --card:#fff; --ok:#15803d; --no:#b91c1c; --accent:#4f46e5; }
  * { box-sizing:border-box; }
  body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); }
  header { background:#111827; color:#fff; padding:.7rem 1rem; }
  header strong { display:block; max-width:640px; margin:0 auto; font-size:1.05rem; }
  main { max-width:640px; margin:0 auto; padding:1rem; }
  h1 { font-size:1.3rem; margin:.2rem 0 .8rem; }
  h2 { font-size:1.05rem; margin:1.1rem 0 .4rem; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1rem; margin-bottom:1rem; }
  .muted { color:var(--muted); font-size:.9rem; }
  .amount { font-size:1.4rem; font-weight:700; }
  .state { border-radius:8px; padding:.7rem .9rem; margin-bottom:1rem; font-weight:600; }
  .state.ok { background:#dcfce7; color:var(--ok); } .state.no { background:#fee2e2; color:var(--no); } .state.info { background:#e0e7ff; color:#3730a3; }
  table { width:100%; border-collapse:collapse; } td, th { text-align:left; padding:.35rem 0; border-bottom:1px solid var(--line); vertical-align:top; }
  td.num, th.num { text-align:right; }
  form { margin:0; }
  textarea { width:100%; min-height:4.5rem; font:inherit; border:1px solid var(--line); border-radius:8px; padding:.5rem; }
  .buttons { display:flex; gap:.6rem; flex-wrap:wrap; margin-top:.8rem; }
  button, .button { font:inherit; font-weight:600; border:0; border-radius:8px; padding:.75rem 1.2rem; cursor:pointer; text-decoration:none; display:inline-block; text-align:center; }
  .primary { background:var(--ok); color:#fff; } .secondary { background:#fff; color:var(--no); border:1px solid var(--no); } .plain { background:#fff; color:var(--accent); border:1px solid var(--line); }
  .slots { display:grid; grid-template-columns:repeat(auto-fill, minmax(6.5rem, 1fr)); gap:.5rem; }
  .slots button { width:100%; padding:.6rem .3rem; background:#fff; color:var(--accent); border:1px solid var(--accent); }
  .pre { white-space:pre-wrap; }
`);

/** A client page: no operator chrome, nothing but this client's document, readable at phone width. */
export function clientPage(opts: { title: string; business: string; script?: string }, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${opts.title} · ${opts.business}</title>
<style>${styles}</style>
</head>
<body>
<header><strong>${opts.business}</strong></header>
<main>${body}</main>
${opts.script ? html`<script>${raw(opts.script)}</script>` : ''}
</body>
</html>`;
}

/** What any unknown, forged, expired or revoked link gets: the same page, saying nothing about what might have been there. */
export const notFoundPage = (business: string) =>
  clientPage(
    { title: 'Link not found', business },
    html`<h1>This link does not work</h1>
      <p>It may have expired or been withdrawn. Ask ${business} for a new one.</p>`,
  );

export const messagePage = (business: string, title: string, text: string) => clientPage({ title, business }, html`<h1>${title}</h1><p>${text}</p>`);
