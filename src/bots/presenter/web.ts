import type { Outbound } from '../../graph/index.js';
import { batchButton, cardButtons, cardStatus, expiryLine, type ButtonSpec, fileLine } from './card-text.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const paragraphs = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');

const buttonHtml = (b: ButtonSpec) =>
  `<button class="${b.style === 'primary' ? 'approve' : b.style === 'danger' ? 'reject' : 'secondary'}" data-action="${escapeHtml(b.data)}">${escapeHtml(b.label)}</button>`;

/** A file reply with its signed download link (bots/web/files.ts); `fileLine` stays its words. */
export const renderWebFile = (file: Extract<Outbound, { kind: 'file' }>['file'], href: string) =>
  `<div class="msg bot file"><a href="${escapeHtml(href)}" download="${escapeHtml(file.name)}">${escapeHtml(fileLine(file))}</a></div>`;

/** Outbound → an HTML fragment for the web chat; a card (or batch) carries its ref so a later state replaces it in place. */
export function renderWeb(message: Outbound): string {
  if (message.kind === 'text') return `<div class="msg bot">${paragraphs(message.text)}</div>`;
  if (message.kind === 'file') return `<div class="msg bot">${paragraphs(fileLine(message.file))}</div>`;
  if (message.kind === 'batch') {
    const { batch } = message;
    return `<div class="msg card batch" data-ref="${escapeHtml(batch.ref)}">
    <h3>${escapeHtml(batch.summary)}</h3>
    <ul>${batch.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
    ${batch.status ? `<p class="status">${escapeHtml(batch.status)}</p>` : `<div class="buttons">${buttonHtml(batchButton(batch.ref, batch.lines.length))}</div>`}
  </div>`;
  }
  const { card } = message;
  const status = cardStatus(card);
  const facts = card.facts.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${paragraphs(f.value)}</dd>`).join('');
  const evidence = card.evidence.length ? `<p class="evidence">Evidence: ${card.evidence.map((e) => `<code>${escapeHtml(e)}</code>`).join(' ')}</p>` : '';
  const actions = status ? `<p class="status">${escapeHtml(status)}</p>` : `<div class="buttons">${cardButtons(card).map(buttonHtml).join('')}</div>`;
  return `<div class="msg card" data-ref="${escapeHtml(card.ref)}" data-state="${escapeHtml(card.state)}">
    <h3>${escapeHtml(card.title)}</h3>
    <dl>${facts}</dl>
    <p class="why"><strong>Why:</strong> ${paragraphs(card.reason)}</p>
    ${evidence}
    <p class="meta">${escapeHtml(card.agent)} agent · ${escapeHtml(expiryLine(card))}</p>
    ${actions}
  </div>`;
}

export const renderOperatorText = (text: string) => `<div class="msg me">${paragraphs(text)}</div>`;
