import { describe, expect, it } from 'vitest';
import type { ApprovalCard } from '../../src/graph/index.js';
import { renderSlackCard, renderTelegram, renderTelegramCard, splitForSlack, splitForTelegram, TELEGRAM_LIMIT } from '../../src/bots/presenter/index.js';

const card = (over: Partial<ApprovalCard> = {}): ApprovalCard => ({
  ref: 'Zm9vYmFyYmF6cXV4MTIzNA',
  actionId: 'act_1',
  agent: 'finance',
  title: 'Issue an invoice to R&D <Labs>',
  facts: [{ label: 'Total', value: '1,500.00 EUR' }],
  reason: 'You asked: "invoice R&D"',
  evidence: ['note_1'],
  expiresAt: '2026-11-04T09:00:00.000Z',
  state: 'awaiting_approval',
  decidedBy: null,
  decidedAt: null,
  ...over,
});

describe('Telegram and Slack presenters', () => {
  it('escapes HTML for Telegram and splits long text under 4096 characters without cutting an entity', () => {
    const long = `${'a&b '.repeat(1500)}\n${'<x>'.repeat(2000)}`;
    const parts = splitForTelegram(long);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
      expect(part).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(part).not.toMatch(/[<>]/);
    }
    expect(parts.join('').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(long.replace('\n', ''));
  });

  it('keeps a card one Telegram message, buttons only while it is open', () => {
    const open = renderTelegramCard(card({ facts: [{ label: 'Message', value: 'x&'.repeat(5000) }] }));
    expect(open.html.length).toBeLessThanOrEqual(TELEGRAM_LIMIT);
    expect(open.html).toContain('<b>Issue an invoice to R&amp;D &lt;Labs&gt;</b>');
    expect(open.keyboard.inline_keyboard.map((row) => row.map((b) => b.callback_data))).toEqual([
      ['approve:Zm9vYmFyYmF6cXV4MTIzNA', 'reject:Zm9vYmFyYmF6cXV4MTIzNA'],
      ['edit:Zm9vYmFyYmF6cXV4MTIzNA', 'why:Zm9vYmFyYmF6cXV4MTIzNA'],
    ]);
    const decided = renderTelegram({ kind: 'card', card: card({ state: 'rejected', decidedBy: 'telegram:4242', decidedAt: '2026-11-02T10:15:00.000Z' }) });
    expect(decided.kind === 'card' && decided.keyboard.inline_keyboard).toEqual([]);
    expect(decided.kind === 'card' && decided.html).toContain('✗ Rejected by telegram:4242 at 2026-11-02 10:15 UTC');
  });

  it('renders a Slack card as Block Kit with escaped mrkdwn and ref-only buttons', () => {
    const message = renderSlackCard(card());
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('R&amp;D &lt;Labs&gt;');
    expect(message.blocks?.at(-1)).toMatchObject({
      type: 'actions',
      elements: ['approve', 'reject', 'edit', 'why'].map((action_id) => ({ action_id, value: 'Zm9vYmFyYmF6cXV4MTIzNA' })),
    });
    expect(splitForSlack('x'.repeat(9000)).map((p) => p.length)).toEqual([4000, 4000, 1000]);
  });
});
