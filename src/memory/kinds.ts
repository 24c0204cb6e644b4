/** What recall can find. Each agent's scope (src/agents/scopes.ts) names the kinds it may read; recall filters by them in SQL. */
export const memoryKinds = ['client', 'note', 'proposal', 'invoice', 'meeting', 'email', 'summary', 'post', 'project', 'task'] as const;
export type MemoryKind = (typeof memoryKinds)[number];
