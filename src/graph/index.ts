export { buildConversationGraph, type ConversationGraph, type GraphDeps } from './build.js';
export { createConversation, OPERATOR_THREAD, type Conversation, type HandleResult } from './conversation.js';
export { inbound, outbound, approvalCard, approvalBatch, cardAction, transportName, MAX_TEXT, type Inbound, type Outbound, type ApprovalCard, type ApprovalBatch, type CardAction, type TransportName } from './messages.js';
export { inbox } from './tables.js';
export { LibSQLSaver } from './checkpointer/index.js';
export { coreCommands, parseCommand, type ChatCommand, type CommandSet } from './commands.js';
export { approvalViews, type ApprovalViews } from './approvals.js';
export { ruleCommands, ruleLine } from './rule-commands.js';
export { approvalBatches } from './batch-tables.js';
