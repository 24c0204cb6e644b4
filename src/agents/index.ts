export { agentNames, agentName, agentTools, coordinatorTools, type AgentName } from './intents.js';
export { scopes, memoryKinds, type Scope, type MemoryKind } from './scopes.js';
export { runTool, outcomeText, type ToolContext, type ToolOutcome } from './toolbox.js';
export { cardFor, outcomeLine } from './cards.js';
export { createChatModel, toolDefinitions, type ModelSettings } from './model.js';
export { agentPrompt, coordinatorPrompt, capabilitiesText } from './prompts.js';
export { composeDigest, type DigestDeps } from './digest.js';
export { replyFollowup, replyExcerpt, type ReplySeen } from './replies.js';
