/** Standing approval rules: data the kernel's policy evaluates, never a model. */
export { createRuleStore, type RuleStore, type StandingRule, type StandingApproval } from './store.js';
export { withStandingRules } from './policy.js';
export { rulesConnector } from './operations.js';
export { ruleSpec, ruleFacts, ruleableOperations, type RuleSpec, type RuleFacts } from './spec.js';
export { standingRules, ruleFires } from './tables.js';
