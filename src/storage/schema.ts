/** Every table Keel stores, gathered for drizzle-kit and the typed client. Each table lives beside the code that owns it. */
export * from '../kernel/tables.js';
export * from '../graph/checkpointer/tables.js';
