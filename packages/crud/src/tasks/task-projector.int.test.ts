import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Task, TaskRun } from '@cairn/protocol';
import type { EventInput } from '../event-log/types.js';
import { expectCode } from '../testing/expect-error.js';
import type { TempStore } from '../testing/temp-store.js';
import { T0, WS, at, openTaskStore, runDue, systemTask } from './testing/task-fixture.js';

/**
 * The projector on its own: events appended straight to the event log (as a buggy or hostile
 * caller could), not through the store's checks. Nonsense transitions are refused with
 * `invariant_violation` and write nothing; replays are named no-ops.
 */
describe('TaskProjector outcomes', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTaskStore();
  });
  afterEach(async () => temp.cleanup());

  const event = (type: string, payload: object, streamId = 'p'): EventInput => ({ workspaceId: WS, streamType: 'task', streamId, type, payload });
  const journalCount = async () => (await temp.store.context.read((q) => q.get<{ n: number }>("SELECT COUNT(*) AS n FROM journal_event WHERE stream_type = 'task'")))!.n;

  it('answers replays with named no-ops and refuses impossible changes, writing nothing', async () => {
    await temp.store.tasks.create(systemTask('p', [{ kind: 'immediate' }]), { now: at(T0) });
    await temp.store.tasks.create(systemTask('live', [{ kind: 'manual' }]), { now: at(T0) });
    await runDue(temp.store, at(T0));
    const { task, runs } = await temp.store.tasks.get({ workspace_id: WS, task_id: 'p' });
    const live = (await temp.store.tasks.get({ workspace_id: WS, task_id: 'live' })).task;
    const run = runs[0]!;
    const count = await journalCount();

    expect(await temp.store.events.append([event('task.created', { task, change: 'task.created' })])).toEqual([{ outcome: 'noop_already_started', event: null, duplicate: false }]);
    expect(await temp.store.events.append([event('task.run.succeeded', { task, run, runs: [run], change: 'task.run.succeeded' })])).toEqual([
      { outcome: 'noop_already_terminal', event: null, duplicate: false },
    ]);
    expect(await temp.store.events.append([event('task.cancelled', { task, change: 'task.cancelled' })])).toEqual([{ outcome: 'noop_already_terminal', event: null, duplicate: false }]);

    const refuse = async (input: EventInput, reason: RegExp) => {
      const error = await expectCode(temp.store.events.append([input]), 'invariant_violation');
      expect((error.details as { reason: string }).reason).toMatch(reason);
    };
    const running = { ...run, status: 'running' } as TaskRun;
    await refuse(event('task.resumed', { task: { ...task, status: 'scheduled' } as Task, change: 'task.resumed' }), /is completed; task.resumed cannot make it scheduled/);
    await refuse(event('task.resumed', { task: { ...live, status: 'scheduled' } as Task, change: 'task.resumed' }, 'live'), /only a paused or draft task resumes/);
    await refuse(event('task.run.started', { task, run: running, runs: [running], change: 'task.run.started' }), /is completed; task.run.started cannot make it|is succeeded/);
    await refuse(event('task.run.started', { task: { ...live, status: 'running' }, runs: [{ ...running, run_id: 'new', task_id: 'live' }], change: 'x' }, 'live'), /would start running/);
    await refuse(event('task.trigger.fired', { task: { ...live, task_id: 'ghost' }, change: 'x' }, 'ghost'), /never created/);
    await refuse(event('task.paused', { task: { ...live }, change: 'x' }, 'other-id'), /does not carry task/);
    expect(await journalCount()).toBe(count);
    // Pausing is fine once; a second pause is refused.
    const [paused] = await temp.store.events.append([event('task.paused', { task: { ...live, status: 'paused' } as Task, change: 'task.paused' }, 'live')]);
    expect(paused!.outcome).toBe('applied');
    await refuse(event('task.paused', { task: { ...live, status: 'paused', last_seq: live.last_seq + 1 } as Task, change: 'task.paused' }, 'live'), /it cannot be paused/);
    expect(await journalCount()).toBe(count + 1);
    expect((await temp.store.tasks.get({ workspace_id: WS, task_id: 'p' })).task).toEqual(task);
  });
});
