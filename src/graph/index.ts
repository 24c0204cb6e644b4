export { buildConversationGraph, type ConversationGraph, type GraphDeps } from './build.js';
export {
  createConversation,
  DETAILED_HISTORY_TURNS,
  OPERATOR_THREAD,
  PRUNE_EVERY,
  type Conversation,
  type FileContent,
  type HandleResult,
} from './conversation.js';
// The chat contract, passed on so transports need only the graph's door.
export * from '../chat/index.js';
export { inbox, turnLeases } from './tables.js';
export { createTurnLease, type TurnLease } from './turn-lease.js';
export { LibSQLSaver, type HistoryPolicy, type PruneResult } from './checkpointer/index.js';
export { commandRegistry, parseCommand, type ChatCommand, type CommandSet } from './commands.js';
export { coreCommands } from './commands/core.js';
export { profileCommands } from './commands/profile.js';
export { historyCommands } from './commands/history.js';
export { createTimeline, type RewindOutcome, type Timeline, type TimelineStep } from './timeline.js';
export { approvalViews, type ApprovalViews } from './approvals.js';
export { ruleCommands, ruleLine } from './commands/rules.js';
export { approvalBatches } from './batch-tables.js';
export { cardMessages, type CardMessage } from './card-messages.js';
export { createAdmission, REFUSALS_BEFORE_QUIET, type Admission } from './admission.js';
