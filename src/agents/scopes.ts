import type { MemoryKind } from '../memory/index.js';
import type { AgentName, AgentToolName } from './intents.js';

/**
 * Each role agent's scope: the tools it offers its model, the memory it may
 * read, and the kernel operations it may request. The kernel's policy enforces
 * `operations`; recall enforces `memory`.
 */
export interface Scope {
  title: string;
  tools: AgentToolName[];
  memory: MemoryKind[];
  operations: string[];
}

export const scopes: Record<AgentName, Scope> = {
  sales: {
    title: 'Client lifecycle and sales',
    tools: [
      'find_client',
      'add_client',
      'remember_note',
      'recall',
      'draft_proposal',
      'draft_followup',
      'set_reminder',
      'add_project',
      'record_proposal_outcome',
      'send_proposal',
      'revise_action',
      'link_identity',
      'send_file',
    ],
    memory: ['client', 'note', 'proposal', 'email', 'meeting', 'summary', 'project', 'task'],
    operations: [
      'records.upsert_client',
      'records.add_note',
      'records.draft_proposal',
      'email.send',
      'replies.record',
      'operator.schedule_reminder',
      'memory.add_project',
      'memory.record_proposal_outcome',
      'proposals.send',
      'memory.link_identity',
    ],
  },
  finance: {
    title: 'Finance and billing',
    tools: [
      'find_client',
      'create_invoice',
      'list_invoices',
      'record_payment',
      'void_invoice',
      'log_time',
      'bill_time',
      'recall',
      'revise_action',
      'set_business_profile',
      'set_client_billing',
    ],
    memory: ['client', 'invoice', 'proposal', 'summary', 'project'],
    operations: [
      'invoices.issue',
      'invoices.record_payment',
      'invoices.void',
      'records.add_expense',
      'records.log_time',
      'records.set_profile',
      'records.set_client_billing',
    ],
  },
  operations: {
    title: 'Operations and scheduling',
    tools: [
      'find_client',
      'schedule_meeting',
      'status',
      'recall',
      'add_task',
      'list_tasks',
      'complete_task',
      'revise_action',
      'propose_rule',
      'propose_playbook',
    ],
    memory: ['client', 'meeting', 'note', 'summary', 'project', 'task'],
    operations: [
      'calendar.book',
      'calendar.cancel',
      'operator.notify',
      'operator.fire_reminder',
      'memory.add_task',
      'memory.complete_task',
      'rules.create',
      'playbooks.create',
      // The monthly review's chart, stored to be sent as an image.
      'files.put',
    ],
  },
  marketing: {
    title: 'Marketing',
    tools: ['draft_post', 'recall'],
    memory: ['post', 'note', 'summary'],
    operations: ['records.save_draft_post'],
  },
};
