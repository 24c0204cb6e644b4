/**
 * The web chat page: plain HTML, CSS and a little script, no build step. It
 * renders fragments the server's presenter made, so cards look and behave as
 * they do in Telegram and Slack.
 */
export const chatPage = (title: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  :root { --bg:#f6f7f9; --fg:#1d2330; --me:#dbeafe; --bot:#fff; --line:#d9dde5; --ok:#15803d; --no:#b91c1c; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); display:flex; flex-direction:column; height:100vh; }
  header { padding:.75rem 1rem; background:#111827; color:#fff; font-weight:600; }
  header small { font-weight:400; opacity:.7; margin-left:.5rem; }
  #log { flex:1; overflow-y:auto; padding:1rem; display:flex; flex-direction:column; gap:.6rem; max-width:760px; width:100%; margin:0 auto; }
  .msg { padding:.6rem .8rem; border-radius:.7rem; max-width:90%; white-space:normal; overflow-wrap:anywhere; }
  .me { align-self:flex-end; background:var(--me); }
  .bot { align-self:flex-start; background:var(--bot); border:1px solid var(--line); }
  .card { align-self:flex-start; background:#fff; border:2px solid #6366f1; width:min(100%, 520px); }
  .card h3 { margin:.1rem 0 .4rem; font-size:1.02rem; }
  .card dl { display:grid; grid-template-columns:max-content 1fr; gap:.15rem .8rem; margin:.2rem 0 .5rem; }
  .card dt { color:#555; } .card dd { margin:0; }
  .card .why, .card .evidence, .card .meta { margin:.3rem 0; font-size:.9rem; }
  .card .meta { color:#666; }
  .card[data-state="succeeded"], .card[data-state="approved"] { border-color:var(--ok); }
  .card[data-state="rejected"], .card[data-state="expired"], .card[data-state="failed"] { border-color:var(--no); }
  .status { font-weight:600; margin:.4rem 0 0; }
  .buttons { display:flex; gap:.5rem; margin-top:.5rem; }
  button { font:inherit; padding:.5rem 1rem; border-radius:.5rem; border:0; cursor:pointer; }
  .approve { background:var(--ok); color:#fff; } .reject { background:#e5e7eb; color:#111; }
  .secondary { background:#fff; color:#111; border:1px solid var(--line); }
  .buttons { flex-wrap:wrap; }
  .batch ul { margin:.2rem 0 .4rem; padding-left:1.2rem; }
  button:disabled { opacity:.5; cursor:default; }
  form { display:flex; gap:.5rem; padding:.75rem; background:#fff; border-top:1px solid var(--line); max-width:760px; width:100%; margin:0 auto; }
  #text { flex:1; font:inherit; padding:.6rem .8rem; border:1px solid var(--line); border-radius:.5rem; }
  .send { background:#111827; color:#fff; }
  .error { align-self:center; color:var(--no); font-size:.9rem; }
</style>
</head>
<body>
<header>Keel<small>your operations, one chat</small></header>
<main id="log" aria-live="polite"></main>
<form id="compose" autocomplete="off">
  <input id="text" name="text" placeholder="e.g. invoice Acme 10 hours at 150 EUR" maxlength="4000" required>
  <button class="send" type="submit">Send</button>
</form>
<script>
const log = document.getElementById('log');
const headers = { 'content-type': 'application/json', 'x-keel': '1' };
function show(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  const el = t.content.firstElementChild;
  const ref = el.dataset.ref;
  const existing = ref && log.querySelector('[data-ref="' + CSS.escape(ref) + '"]');
  if (existing) existing.replaceWith(el); else log.append(el);
  log.scrollTop = log.scrollHeight;
}
function error(text) { const d = document.createElement('div'); d.className = 'error'; d.textContent = text; log.append(d); }
async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) return error(data.error || ('Keel answered ' + res.status));
  (data.replies || []).forEach(show);
}
document.getElementById('compose').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('text');
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  const me = document.createElement('div'); me.className = 'msg me'; me.textContent = text; log.append(me);
  await post('/api/messages', { id: crypto.randomUUID(), text });
});
log.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-action]');
  if (!button) return;
  // Only a decision closes the card; Edit and Why? leave its buttons usable.
  if (/^(approve|reject|batch):/.test(button.dataset.action)) button.closest('.buttons').querySelectorAll('button').forEach((b) => (b.disabled = true));
  // After Edit, the next message is the change: put the cursor where it is typed.
  if (button.dataset.action.startsWith('edit:')) document.getElementById('text').focus();
  await post('/api/decisions', { id: crypto.randomUUID(), action: button.dataset.action });
});
fetch('/api/history', { headers }).then((r) => r.json()).then((d) => (d.entries || []).forEach(show));
const events = new EventSource('/api/events');
events.addEventListener('reply', (e) => show(JSON.parse(e.data)));
</script>
</body>
</html>`;
