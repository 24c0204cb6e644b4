import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { ConnectorError, defineOperation, type Operation } from '../kernel/connector.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../kernel/connector-deps.js';
import { projects, tasks } from './tables.js';
import { first } from '../core/rows.js';

const isoDay = z.iso.date();

/**
 * Projects and tasks, written through the kernel like every record: keyed by
 * the action's idempotency key, answered by lookup after a crash, undoable.
 */
export function workOperations({ db, clock, ids }: ConnectorDeps): Operation[] {
  const projectByKey = (key: string) => first(db.select().from(projects).where(eq(projects.idempotencyKey, key)));
  const taskByKey = (key: string) => first(db.select().from(tasks).where(eq(tasks.idempotencyKey, key)));
  const taskById = (id: string) => first(db.select().from(tasks).where(eq(tasks.id, id)));

  const addProject = defineOperation({
    name: 'memory.add_project',
    summary: 'start a project',
    input: z.object({ name: z.string().trim().min(1), clientId: z.string().optional() }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await projectByKey(ctx.idempotencyKey);
      if (existing) return { projectId: existing.id };
      const id = ids.id('proj');
      const now = clock.now();
      await db
        .insert(projects)
        .values({ id, name: input.name, clientId: input.clientId, status: 'active', idempotencyKey: ctx.idempotencyKey, createdAt: now, updatedAt: now });
      return { projectId: id };
    },
    lookup: async (key) => lookupRow(await projectByKey(key), (p) => ({ projectId: p.id })),
    compensation: { kind: 'operation', operation: 'memory.remove_project', input: (_i, r) => ({ projectId: (r as { projectId: string }).projectId }) },
  });

  const removeProject = defineOperation({
    name: 'memory.remove_project',
    summary: 'remove a project',
    input: z.object({ projectId: z.string() }),
    leavesSystem: false,
    async run({ projectId }) {
      // Its tasks stay; they only lose the project they were filed under.
      await db.update(tasks).set({ projectId: null }).where(eq(tasks.projectId, projectId));
      await db.delete(projects).where(eq(projects.id, projectId));
      return { projectId };
    },
    async lookup(_key, { projectId }) {
      const row = await first(db.select().from(projects).where(eq(projects.id, projectId)));
      return lookupGone(row, () => ({ projectId }));
    },
    compensation: { kind: 'irreversible', note: 'start the project again' },
  });

  const addTask = defineOperation({
    name: 'memory.add_task',
    summary: 'add a task',
    input: z.object({
      title: z.string().trim().min(1),
      dueOn: isoDay.optional().describe("The operator's local day the task is due, YYYY-MM-DD."),
      clientId: z.string().optional(),
      projectId: z.string().optional(),
    }),
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await taskByKey(ctx.idempotencyKey);
      if (existing) return { taskId: existing.id, dueOn: existing.dueOn };
      const id = ids.id('task');
      await db.insert(tasks).values({ id, ...input, status: 'open', idempotencyKey: ctx.idempotencyKey, createdAt: clock.now() });
      return { taskId: id, dueOn: input.dueOn ?? null };
    },
    lookup: async (key) => lookupRow(await taskByKey(key), (t) => ({ taskId: t.id, dueOn: t.dueOn })),
    compensation: { kind: 'operation', operation: 'memory.remove_task', input: (_i, r) => ({ taskId: (r as { taskId: string }).taskId }) },
  });

  const removeTask = defineOperation({
    name: 'memory.remove_task',
    summary: 'remove a task',
    input: z.object({ taskId: z.string() }),
    leavesSystem: false,
    async run({ taskId }) {
      await db.delete(tasks).where(eq(tasks.id, taskId));
      return { taskId };
    },
    async lookup(_key, { taskId }) {
      return lookupGone(await taskById(taskId), () => ({ taskId }));
    },
    compensation: { kind: 'irreversible', note: 'add the task again' },
  });

  // Done and open undo each other, so a task marked done by mistake is one /undo away from open again.
  const setTaskStatus = (name: string, summary: string, status: 'open' | 'done', undo: string) =>
    defineOperation({
      name,
      summary,
      input: z.object({ taskId: z.string() }),
      leavesSystem: false,
      async run({ taskId }) {
        const row = await taskById(taskId);
        if (!row) throw new ConnectorError(`There is no task ${taskId}.`, { retryable: false });
        await db
          .update(tasks)
          .set({ status, doneAt: status === 'done' ? clock.now() : null })
          .where(eq(tasks.id, taskId));
        return { taskId, title: row.title };
      },
      async lookup(_key, { taskId }) {
        const row = await taskById(taskId);
        return row?.status === status ? { status: 'done', result: { taskId, title: row.title } } : { status: 'not_done' };
      },
      compensation: { kind: 'operation', operation: undo, input: (original) => ({ taskId: original.taskId }) },
    });

  return [
    addProject,
    removeProject,
    addTask,
    removeTask,
    setTaskStatus('memory.complete_task', 'mark a task done', 'done', 'memory.reopen_task'),
    setTaskStatus('memory.reopen_task', 'reopen a task', 'open', 'memory.complete_task'),
  ];
}
