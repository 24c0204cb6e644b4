import { agentTools, type AgentToolName } from '../intents.js';

/** One phrasing per tool that the offline parser is known to understand; the help text shows them as examples. */
const examples: Record<AgentToolName, string> = {
  add_client: 'Add Acme Corp as a client, contact dana@acme.test',
  find_client: 'Who is Dana?',
  remember_note: 'Remember that Dana prefers calls on Fridays',
  recall: 'What do we know about Acme?',
  send_file: "Send me Beta's contract",
  draft_proposal: 'Draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR',
  draft_followup: 'Follow up with Dana about the workshop',
  create_invoice: 'Invoice Acme 10 hours at 150 EUR for October consulting',
  log_time: 'Spent 3h on workshop prep for Beta',
  bill_time: 'Bill Beta for October',
  set_business_profile:
    'My business: Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, payment terms 14 days',
  set_client_billing: "Acme's billing address is Rue de Rivoli 1, 75001 Paris, France, VAT FR12345678901",
  list_invoices: "What's overdue?",
  record_payment: 'Mark invoice 2026-0003 as paid',
  void_invoice: 'Void invoice 2026-0003',
  schedule_meeting: 'Schedule a meeting with Acme tomorrow at 10:00 for 45 minutes',
  set_reminder: 'Nudge Dana in 3 days if no reply',
  status: "What's pending?",
  draft_post: 'Draft a LinkedIn post about pricing workshops',
  add_project: 'New project Website redesign for Acme',
  record_proposal_outcome: 'Acme accepted the proposal',
  send_proposal: 'Send the proposal to Beta',
  add_task: 'Task: send the draft to Dana by Friday',
  list_tasks: "What's due this week?",
  complete_task: 'Done: send the draft to Dana',
  link_identity: 'dana.private@gmail.com is also Dana',
  revise_action: 'make it 12 hours (after tapping Edit on a card)',
  propose_rule: 'Always approve invoices under 500 EUR to existing clients',
  propose_playbook: 'When a proposal is accepted: create a project for it, send the welcome email, invoice a 30% deposit',
};

const allTools = Object.keys(agentTools) as AgentToolName[];

/** A plain-text list of what Keel can do, limited to `tools` when given (an agent lists only its own). */
export function describeCapabilities(tools: readonly AgentToolName[] = allTools): string {
  const lines = (tools.length === 0 ? allTools : tools).map((tool) => `- ${agentTools[tool].description ?? tool} e.g. "${examples[tool]}"`);
  return `I can help with:\n${lines.join('\n')}`;
}
