import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TempStore } from '../testing/temp-store.js';
import { MIN, T0, WS, at, openTaskStore, runDue, systemTask, taskRows } from './testing/task-fixture.js';

describe('store.repair.tasks (startup repair of the task read models)', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTaskStore();
  });
  afterEach(async () => temp.cleanup());

  it('repairs a terminal task and run without completion time and recovers a running run whose lease expired; a second pass finds nothing; a rebuild keeps the repair', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('done', [{ kind: 'immediate' }]), { now: at(T0) });
    await runDue(temp.store, at(T0));
    await tasks.create(systemTask('stuck', [{ kind: 'immediate' }], { retry: { kind: 'fixed', max_attempts: 2, delay_ms: 0 } }), { now: at(T0) });
    await tasks.fireDueTriggers({ now: at(T0), owner: 'dead' });
    const [claim] = await tasks.claimRuns({ now: at(T0), owner: 'dead', lease_ms: MIN });
    await tasks.markRunRunning({ now: at(T0), owner: 'dead', run_id: claim!.run.run_id });
    // What an older build or a torn write could leave behind.
    await temp.store.context.write(async (ctx) => {
      await ctx.run("UPDATE task SET completed_at = NULL WHERE task_id = 'done'");
      await ctx.run("UPDATE task_run SET completed_at = NULL WHERE task_id = 'done'");
    });
    const now = at(T0 + 2 * MIN).toISOString();
    const report = await temp.store.repair.tasks({ now });
    expect(report).toEqual({
      terminal_task_without_completion_time: { detected: 1, repaired: 1, remaining: 0 },
      terminal_run_without_completion_time: { detected: 1, repaired: 1, remaining: 0 },
      running_run_lease_expired: { detected: 1, repaired: 1, remaining: 0 },
    });
    const done = await tasks.get({ workspace_id: WS, task_id: 'done' });
    expect(done.task.completed_at).toBe(now);
    expect(done.runs[0]!.completed_at).toBe(now);
    const stuck = await tasks.get({ workspace_id: WS, task_id: 'stuck' });
    expect(stuck.runs.map((r) => [r.attempt, r.status, r.error?.code ?? null])).toEqual([[2, 'queued', null], [1, 'failed', 'lease_expired']]);
    expect((await tasks.events({ workspace_id: WS, task_id: 'done' })).events.map((e) => e.event_type).slice(-2)).toEqual(['task.repaired', 'task.repaired']);

    const again = await temp.store.repair.tasks({ now });
    expect(Object.values(again).every((c) => c.detected === 0 && c.repaired === 0 && c.remaining === 0)).toBe(true);
    const before = await taskRows(temp.store);
    expect((await temp.store.repair.rebuild()).violations).toEqual([]);
    expect(await taskRows(temp.store)).toEqual(before);
  });
});
