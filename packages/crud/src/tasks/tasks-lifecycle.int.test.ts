import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import type { TempStore } from '../testing/temp-store.js';
import { HOUR, OTHER_WS, T0, WS, at, openTaskStore, runDue, systemTask, taskRows } from './testing/task-fixture.js';

describe('tasks: lifecycle, bad input, rebuild', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTaskStore();
  });
  afterEach(async () => temp.cleanup());

  it('runs an immediate task through queued, starting, running, succeeded; the task completes; events are journaled in order', async () => {
    const tasks = temp.store.tasks;
    const created = await tasks.create(systemTask('a', [{ kind: 'immediate' }], { owner_thread_id: `thr-${WS}`, deliveries: [{ kind: 'owner_thread' }] }), { now: at(T0) });
    expect(created.task).toMatchObject({ status: 'scheduled', root_task_id: 'a', depth: 0, last_seq: 1 });
    expect(created.triggers[0]).toMatchObject({ status: 'active', next_fire_at: at(T0).toISOString() });

    const fired = await tasks.fireDueTriggers({ now: at(T0 + 1000), owner: 'sched-a' });
    expect(fired.queued).toHaveLength(1);
    expect((await tasks.get({ workspace_id: WS, task_id: 'a' })).task.status).toBe('queued');
    // Nothing else is due: a second call fires nothing.
    expect((await tasks.fireDueTriggers({ now: at(T0 + 2000), owner: 'sched-b' })).queued).toEqual([]);

    const [claim] = await tasks.claimRuns({ now: at(T0 + 3000), owner: 'sched-a', lease_ms: 30_000 });
    expect(claim!.run).toMatchObject({ status: 'starting', lease_owner: 'sched-a', lease_expires_at: at(T0 + 33_000).toISOString(), claim_count: 1 });
    expect(await tasks.claimRuns({ now: at(T0 + 3000), owner: 'sched-b', lease_ms: 30_000 })).toEqual([]);
    await expectCode(tasks.markRunRunning({ now: at(T0 + 3500), owner: 'sched-b', run_id: claim!.run.run_id }), 'lease_lost');
    const running = await tasks.markRunRunning({ now: at(T0 + 4000), owner: 'sched-a', run_id: claim!.run.run_id });
    expect(running.status).toBe('running');
    const beat = await tasks.heartbeatRun({ now: at(T0 + 5000), owner: 'sched-a', run_id: running.run_id, lease_ms: 30_000 });
    expect(beat.lease_expires_at).toBe(at(T0 + 35_000).toISOString());
    const done = await tasks.completeRun({ now: at(T0 + 6000), owner: 'sched-a', run_id: running.run_id, outcome: 'succeeded', result: { answer: 42 } });
    expect(done.run).toMatchObject({ status: 'succeeded', completed_at: at(T0 + 6000).toISOString(), result: { answer: 42 } });
    expect(done.task).toMatchObject({ status: 'completed', completed_at: at(T0 + 6000).toISOString(), result: { answer: 42 } });
    expect(done.deliveries).toEqual([expect.objectContaining({ kind: 'owner_thread', thread_id: `thr-${WS}`, status: 'pending' })]);
    await expectCode(tasks.completeRun({ now: at(T0 + 7000), owner: 'sched-a', run_id: running.run_id, outcome: 'succeeded' }), 'lease_lost');

    const events = await tasks.events({ workspace_id: WS, task_id: 'a' });
    expect(events.events.map((e) => e.event_type)).toEqual(['task.created', 'task.trigger.fired', 'task.run.started', 'task.run.succeeded']);
    expect(events.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(events.events[2]).toMatchObject({ run_id: running.run_id, root_task_id: 'a', parent_task_id: null, workspace_id: WS });

    // The delivery: claimed, delivered; its event names the target thread in its envelope.
    const [d] = await tasks.claimDeliveries({ now: at(T0 + 8000), owner: 'sched-a', lease_ms: 10_000 });
    expect(d!.delivery.status).toBe('delivering');
    const delivered = await tasks.recordDeliveryAttempt({ now: at(T0 + 9000), owner: 'sched-a', delivery_id: d!.delivery.delivery_id, outcome: 'delivered' });
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1 });
    const journal = await temp.store.context.read((q) => q.all<{ type: string; thread_id: string | null }>("SELECT type, thread_id FROM journal_event WHERE stream_type = 'task' ORDER BY position"));
    expect(journal.at(-1)).toEqual({ type: 'task.delivery.delivered', thread_id: `thr-${WS}` });
    const list = await tasks.deliveries({ workspace_id: WS, task_id: 'a' });
    expect(list.items[0]!.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered', owner: 'sched-a' })]);
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('other', [{ kind: 'manual' }], { workspace_id: OTHER_WS }), { now: at(T0) });
    const before = await taskRows(temp.store);
    const journalCount = async () => (await temp.store.context.read((q) => q.get<{ n: number }>('SELECT COUNT(*) AS n FROM journal_event')))!.n;
    const count = await journalCount();
    const reasons: Array<[Promise<unknown>, string, string]> = [
      [tasks.create(systemTask('c1', [{ kind: 'cron', expression: '61 * * * *', time_zone: 'Europe/Berlin' }])), 'invalid_params', 'invalid_cron'],
      [tasks.create(systemTask('c2', [{ kind: 'cron', expression: '0 * * * *', time_zone: 'Mars/Olympus_Mons' }])), 'invalid_params', 'unknown_time_zone'],
      [tasks.create(systemTask('c3', [{ kind: 'dependency', condition: 'all_succeeded', task_ids: ['c3'] }])), 'invalid_params', 'dependency_cycle'],
      [tasks.create(systemTask('c4', [{ kind: 'dependency', condition: 'all_succeeded', task_ids: ['other'] }])), 'not_found', 'dependency_not_in_workspace'],
      [tasks.create(systemTask('c5', [{ kind: 'immediate' }], { deliveries: [{ kind: 'thread', thread_id: `thr-${OTHER_WS}` }] })), 'not_found', 'delivery_thread_not_in_workspace'],
      [tasks.create(systemTask('c6', [{ kind: 'immediate' }], { parent_task_id: 'other' })), 'not_found', 'parent_not_in_workspace'],
      [tasks.create(systemTask('c7', [{ kind: 'dependency', condition: 'all_succeeded', task_ids: ['ghost'] }])), 'not_found', 'dependency_not_in_workspace'],
      [tasks.create(systemTask('c8', [{ kind: 'immediate' }], { deliveries: [{ kind: 'owner_thread' }] })), 'invalid_params', 'owner_thread_required'],
      [tasks.cancel({ workspace_id: WS, task_id: 'other' }), 'not_found', ''],
      [tasks.resume({ workspace_id: OTHER_WS, task_id: 'other' }), 'conflict', 'not_paused'],
      [tasks.reschedule({ workspace_id: OTHER_WS, task_id: 'other', triggers: [{ kind: 'dependency', condition: 'all_terminal', task_ids: ['other'] }] }), 'invalid_params', 'dependency_not_reschedulable'],
      [tasks.markRunRunning({ now: at(T0), owner: 'x', run_id: 'run-ghost' }), 'lease_lost', ''],
      [tasks.create({ ...systemTask('c9', []) }), 'invalid_params', ''],
    ];
    for (const [promise, code, reason] of reasons) {
      const error = await expectCode(promise, code as 'invalid_params');
      if (reason) expect(error.details).toMatchObject({ reason });
    }
    await tasks.cancel({ workspace_id: OTHER_WS, task_id: 'other' }, { now: at(T0 + 1) });
    const after = await journalCount();
    expect(after).toBe(count + 1); // only the cancel
    const cancelledAgain = await expectCode(tasks.cancel({ workspace_id: OTHER_WS, task_id: 'other' }), 'conflict');
    expect(cancelledAgain.details).toMatchObject({ reason: 'already_terminal' });
    await expectCode(tasks.pause({ workspace_id: OTHER_WS, task_id: 'other' }), 'conflict');
    expect(await journalCount()).toBe(count + 1);
    expect((await taskRows(temp.store)).task_trigger).toHaveLength(before.task_trigger!.length);
  });

  it('keeps the secret ref of a webhook delivery (a ref, never a value) and creates the delivery on failure only when asked', async () => {
    const tasks = temp.store.tasks;
    const hook = { kind: 'webhook' as const, url: 'http://127.0.0.1:9/hook', secret_ref: 'secret://webhooks/hook-1', on: 'failure' as const };
    const created = await tasks.create(systemTask('w', [{ kind: 'immediate' }], { deliveries: [hook] }), { now: at(T0) });
    expect(created.task.deliveries).toEqual([hook]);
    await runDue(temp.store, at(T0), 'failed');
    const [d] = await tasks.claimDeliveries({ now: at(T0 + 1), owner: 's', lease_ms: 1000 });
    expect(d!.delivery).toMatchObject({ kind: 'webhook', url: hook.url, secret_ref: hook.secret_ref, thread_id: null, payload: { status: 'failed' } });
    // A failed attempt backs off (1 s by default), the claim is released; the next claim waits for it.
    const failed = await tasks.recordDeliveryAttempt({ now: at(T0 + 2), owner: 's', delivery_id: d!.delivery.delivery_id, outcome: 'failed', error: 'HTTP 500', response_status: 500 });
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: at(T0 + 1002).toISOString(), last_error: 'HTTP 500' });
    expect(await tasks.claimDeliveries({ now: at(T0 + 1001), owner: 's', lease_ms: 1000 })).toEqual([]);
    expect(await tasks.claimDeliveries({ now: at(T0 + 1002), owner: 's', lease_ms: 1000 })).toHaveLength(1);
  });

  it('is idempotent: the same create key answers the first task; a duplicate id without it is conflict', async () => {
    const tasks = temp.store.tasks;
    const first = await tasks.create(systemTask('k', [{ kind: 'manual' }], { idempotency_key: 'create-k' }), { now: at(T0) });
    const again = await tasks.create(systemTask('k', [{ kind: 'manual' }], { idempotency_key: 'create-k' }), { now: at(T0 + 5) });
    expect(again.task).toEqual(first.task);
    await expectCode(tasks.create(systemTask('k', [{ kind: 'manual' }])), 'conflict');
    expect((await tasks.events({ workspace_id: WS, task_id: 'k' })).events).toHaveLength(1);
  });

  it('pauses, resumes, reschedules and cancels; the tree and list read back; the read models rebuild from the journal to the same rows', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('root', [{ kind: 'interval', every_ms: HOUR, start_at: at(T0 + HOUR).toISOString() }]), { now: at(T0) });
    await tasks.create(systemTask('child', [{ kind: 'manual' }], { parent_task_id: 'root' }), { now: at(T0) });
    await tasks.create(systemTask('grandchild', [{ kind: 'manual' }], { parent_task_id: 'child' }), { now: at(T0) });
    await tasks.create(systemTask('sibling', [{ kind: 'manual' }], { parent_task_id: 'root' }), { now: at(T0) });
    expect((await tasks.tree({ workspace_id: WS, task_id: 'child' })).tasks.map((t) => t.task_id)).toEqual(['child', 'grandchild']);
    expect((await tasks.tree({ workspace_id: WS, task_id: 'root' })).tasks.map((t) => [t.task_id, t.depth])).toEqual([['root', 0], ['child', 1], ['sibling', 1], ['grandchild', 2]]);
    expect((await tasks.list({ workspace_id: WS, roots_only: true })).items.map((t) => t.task_id)).toEqual(['root']);
    const page1 = await tasks.list({ workspace_id: WS, limit: 2 });
    const page2 = await tasks.list({ workspace_id: WS, limit: 2, cursor: page1.next_cursor! });
    expect([...page1.items, ...page2.items].map((t) => t.task_id).sort()).toEqual(['child', 'grandchild', 'root', 'sibling']);

    expect(await runDue(temp.store, at(T0 + HOUR))).toEqual(['root']);
    const paused = await tasks.pause({ workspace_id: WS, task_id: 'root', reason: 'maintenance' }, { now: at(T0 + HOUR + 1) });
    expect(paused).toMatchObject({ status: 'paused', paused_from: 'scheduled' });
    expect(await runDue(temp.store, at(T0 + 3 * HOUR))).toEqual([]);
    const resumed = await tasks.resume({ workspace_id: WS, task_id: 'root' }, { now: at(T0 + 3 * HOUR + 1) });
    expect(resumed.status).toBe('scheduled');
    // Two instants were missed while paused; the default catch-up (latest) fires the newest once.
    const fired = await tasks.fireDueTriggers({ now: at(T0 + 3 * HOUR + 2), owner: 'sched-a' });
    expect(fired.queued.map((r) => r.scheduled_for)).toEqual([at(T0 + 3 * HOUR).toISOString()]);
    await runDue(temp.store, at(T0 + 3 * HOUR + 3));

    const agenda = await tasks.agenda({ workspace_id: WS, from: at(T0 + 3 * HOUR).toISOString(), to: at(T0 + 6 * HOUR + 1).toISOString() });
    expect(agenda.entries.map((e) => e.fire_at)).toEqual([4, 5, 6].map((h) => at(T0 + h * HOUR).toISOString()));

    await tasks.reschedule({ workspace_id: WS, task_id: 'child', run_at: at(T0 + 4 * HOUR).toISOString() }, { now: at(T0 + 3 * HOUR + 4) });
    expect((await runDue(temp.store, at(T0 + 4 * HOUR))).sort()).toEqual(['child', 'root']);
    await tasks.cancel({ workspace_id: WS, task_id: 'root' }, { now: at(T0 + 4 * HOUR + 5) });
    expect((await tasks.get({ workspace_id: WS, task_id: 'root' })).task).toMatchObject({ status: 'cancelled', completed_at: at(T0 + 4 * HOUR + 5).toISOString() });

    const before = await taskRows(temp.store);
    const report = await temp.store.repair.rebuild();
    expect(report.violations).toEqual([]);
    expect(report.tables).toEqual(expect.arrayContaining(['task', 'task_run', 'task_trigger']));
    expect(await taskRows(temp.store)).toEqual(before);
  });
});
