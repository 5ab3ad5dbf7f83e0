import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TaskRun } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import type { TempStore } from '../testing/temp-store.js';
import { HOUR, MIN, T0, WS, at, openTaskStore, runDue, systemTask } from './testing/task-fixture.js';

const iso = (s: string) => new Date(s).toISOString();

describe('tasks: triggers, dependencies, retries, leases, timeouts, locks', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTaskStore();
  });
  afterEach(async () => temp.cleanup());

  /** Steps a simulated clock from `from` to `to` by `step`, firing and finishing everything due; the instants each task fired for. */
  async function fireOver(from: number, to: number, step: number): Promise<Map<string, string[]>> {
    const fired = new Map<string, string[]>();
    for (let t = from; t <= to; t += step) {
      const { queued } = await temp.store.tasks.fireDueTriggers({ now: at(t), owner: 'sched', limit: 500 });
      for (const run of queued) fired.set(run.task_id, [...(fired.get(run.task_id) ?? []), run.scheduled_for]);
      for (const c of await temp.store.tasks.claimRuns({ now: at(t), owner: 'sched', lease_ms: MIN, limit: 100 })) {
        await temp.store.tasks.completeRun({ now: at(t), owner: 'sched', run_id: c.run.run_id, outcome: 'succeeded' });
      }
    }
    return fired;
  }

  it('fires cron in a named zone at the exact instants across spring-forward and fall-back (Europe/Berlin, America/New_York)', async () => {
    const tasks = temp.store.tasks;
    const start = Date.parse('2026-03-27T12:00:00Z');
    const cron = (id: string, expression: string, zone: string) => tasks.create(systemTask(id, [{ kind: 'cron', expression, time_zone: zone }]), { now: at(start) });
    // 02:30 daily: Berlin springs forward 2026-03-29 02:00 -> 03:00 (02:30 does not exist); NY on 2026-03-08 (already past), so NY is checked in autumn.
    await cron('berlin-0230', '30 2 * * *', 'Europe/Berlin');
    await cron('berlin-hourly', '0 * * * *', 'Europe/Berlin');
    const spring = await fireOver(start, Date.parse('2026-03-30T12:00:00Z'), HOUR);
    // 28th 02:30 CET = 01:30Z; 29th: the gap, fired at the first instant after it, 03:00 CEST = 01:00Z; 30th 02:30 CEST = 00:30Z.
    expect(spring.get('berlin-0230')).toEqual([iso('2026-03-28T01:30:00Z'), iso('2026-03-29T01:00:00Z'), iso('2026-03-30T00:30:00Z')]);
    // Hourly on the wall clock: the 29th has 23 hours; every UTC hour fires once, none twice.
    const hourly = spring.get('berlin-hourly')!.filter((s) => s >= iso('2026-03-28T23:00:00Z') && s < iso('2026-03-29T22:00:00Z'));
    expect(hourly).toHaveLength(23);
    expect(new Set(hourly).size).toBe(23);

    const autumn = Date.parse('2026-10-23T12:00:00Z');
    await tasks.create(systemTask('berlin-fall', [{ kind: 'cron', expression: '30 2 * * *', time_zone: 'Europe/Berlin' }]), { now: at(autumn) });
    await tasks.create(systemTask('ny-fall', [{ kind: 'cron', expression: '30 1 * * *', time_zone: 'America/New_York' }]), { now: at(autumn) });
    await tasks.create(systemTask('ny-spring', [{ kind: 'cron', expression: '30 2 * * *', time_zone: 'America/New_York' }]), { now: at(Date.parse('2027-03-12T12:00:00Z')) });
    const fall = await fireOver(autumn, Date.parse('2026-11-03T12:00:00Z'), 2 * HOUR);
    // Berlin falls back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice and fires once, at its first occurrence (00:30Z).
    expect(fall.get('berlin-fall')!.filter((s) => s >= iso('2026-10-24T00:00:00Z') && s < iso('2026-10-27T00:00:00Z'))).toEqual([
      iso('2026-10-24T00:30:00Z'),
      iso('2026-10-25T00:30:00Z'),
      iso('2026-10-26T01:30:00Z'),
    ]);
    // New York falls back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 fires once (05:30Z, EDT), then 06:30Z (EST) from the 2nd.
    expect(fall.get('ny-fall')!.filter((s) => s >= iso('2026-10-31T00:00:00Z') && s < iso('2026-11-03T00:00:00Z'))).toEqual([
      iso('2026-10-31T05:30:00Z'),
      iso('2026-11-01T05:30:00Z'),
      iso('2026-11-02T06:30:00Z'),
    ]);
    // New York springs forward 2027-03-14 02:00 EST -> 03:00 EDT: 02:30 does not exist and fires at 03:00 EDT (07:00Z).
    const nySpring = await fireOver(Date.parse('2027-03-12T12:00:00Z'), Date.parse('2027-03-15T12:00:00Z'), 2 * HOUR);
    expect(nySpring.get('ny-spring')).toEqual([iso('2027-03-13T07:30:00Z'), iso('2027-03-14T07:00:00Z'), iso('2027-03-15T06:30:00Z')]);
  });

  it('applies catch-up after downtime: latest fires once, skip fires none, all fires every missed instant (bounded)', async () => {
    const tasks = temp.store.tasks;
    const every = (id: string, catch_up: { mode: 'latest' } | { mode: 'skip' } | { mode: 'all'; max?: number }) =>
      tasks.create(systemTask(id, [{ kind: 'interval', every_ms: HOUR, start_at: at(T0 + HOUR).toISOString(), catch_up }]), { now: at(T0) });
    await every('latest', { mode: 'latest' });
    await every('skip', { mode: 'skip' });
    await every('all', { mode: 'all' });
    await every('all-2', { mode: 'all', max: 2 });
    // Down from T0 to T0 + 5h 30m: instants 1h..5h missed.
    const { queued } = await tasks.fireDueTriggers({ now: at(T0 + 5 * HOUR + 30 * MIN), owner: 's' });
    const by = (id: string) => queued.filter((r) => r.task_id === id).map((r) => (Date.parse(r.scheduled_for) - T0) / HOUR);
    expect(by('latest')).toEqual([5]);
    expect(by('skip')).toEqual([]);
    expect(by('all')).toEqual([1, 2, 3, 4, 5]);
    expect(by('all-2')).toEqual([4, 5]);
    const next = await tasks.get({ workspace_id: WS, task_id: 'skip' });
    expect(next.triggers[0]!.next_fire_at).toBe(at(T0 + 6 * HOUR).toISOString());
    // On time again: skip fires its next instant.
    const onTime = await tasks.fireDueTriggers({ now: at(T0 + 6 * HOUR + 1000), owner: 's' });
    expect(onTime.queued.map((r) => r.task_id).sort()).toEqual(['all', 'all-2', 'latest', 'skip']);
  });

  it('fires a dependency chain and a diamond in order; a failed parent applies the policy (fail, cancel) down the chain', async () => {
    const tasks = temp.store.tasks;
    const dep = (id: string, ids: string[], condition: 'all_succeeded' | 'any_succeeded' | 'all_terminal' = 'all_succeeded', on_unmet?: 'fail' | 'cancel') =>
      tasks.create(systemTask(id, [{ kind: 'dependency', condition, task_ids: ids, ...(on_unmet ? { on_unmet } : {}) }]), { now: at(T0) });
    await tasks.create(systemTask('a', [{ kind: 'immediate' }]), { now: at(T0) });
    await dep('b', ['a']);
    await dep('c', ['a']);
    await dep('d', ['b', 'c']); // the diamond a -> (b, c) -> d
    await dep('e', ['d']); // the chain continues
    expect((await tasks.get({ workspace_id: WS, task_id: 'd' })).task.status).toBe('waiting');
    const order: string[][] = [];
    for (let step = 1; step <= 5; step++) order.push((await runDue(temp.store, at(T0 + step * 1000))).sort());
    expect(order).toEqual([['a'], ['b', 'c'], ['d'], ['e'], []]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect((await tasks.get({ workspace_id: WS, task_id: id })).task.status).toBe('completed');

    // A failed parent: all_succeeded below it fails (default), or is cancelled; all_terminal and any_succeeded decide on the rest.
    await tasks.create(systemTask('p', [{ kind: 'immediate' }]), { now: at(T0) });
    await tasks.create(systemTask('ok', [{ kind: 'immediate' }]), { now: at(T0) });
    await dep('f1', ['p']);
    await dep('f2', ['f1']);
    await dep('c1', ['p'], 'all_succeeded', 'cancel');
    await dep('t1', ['p'], 'all_terminal');
    await dep('any', ['p', 'ok'], 'any_succeeded');
    await dep('none', ['p', 'f1'], 'any_succeeded');
    const first = await temp.store.tasks.fireDueTriggers({ now: at(T0 + 10_000), owner: 's' });
    expect(first.queued.map((r) => r.task_id).sort()).toEqual(['ok', 'p']);
    for (const c of await tasks.claimRuns({ now: at(T0 + 10_000), owner: 's', lease_ms: MIN })) {
      await tasks.completeRun({ now: at(T0 + 10_001), owner: 's', run_id: c.run.run_id, outcome: c.task.task_id === 'p' ? 'failed' : 'succeeded' });
    }
    const status = async (id: string) => (await tasks.get({ workspace_id: WS, task_id: id })).task;
    expect((await status('p')).status).toBe('failed');
    expect(await status('f1')).toMatchObject({ status: 'failed', error: { code: 'dependency_unmet' } });
    expect((await status('f2')).status).toBe('failed');
    expect((await status('c1')).status).toBe('cancelled');
    expect((await status('t1')).status).toBe('queued');
    expect((await status('any')).status).toBe('queued');
    expect((await status('none')).status).toBe('failed');
  });

  it('retries per policy: none fails at once, fixed waits its delay, exponential doubles up to its cap, then the task fails', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('none', [{ kind: 'immediate' }], { retry: { kind: 'none' } }), { now: at(T0) });
    await tasks.create(systemTask('fixed', [{ kind: 'immediate' }], { retry: { kind: 'fixed', max_attempts: 3, delay_ms: 5000 } }), { now: at(T0) });
    await tasks.create(systemTask('exp', [{ kind: 'immediate' }], { retry: { kind: 'exponential', max_attempts: 4, initial_delay_ms: 1000, factor: 2, max_delay_ms: 3000 } }), { now: at(T0) });
    await tasks.fireDueTriggers({ now: at(T0), owner: 's' });
    const retries = new Map<string, TaskRun[]>();
    // Fail every attempt as soon as it is ready, stepping 500 ms.
    for (let t = T0; t <= T0 + 30_000; t += 500) {
      for (const c of await tasks.claimRuns({ now: at(t), owner: 's', lease_ms: MIN })) {
        const done = await tasks.completeRun({ now: at(t), owner: 's', run_id: c.run.run_id, outcome: 'failed', error: { code: 'boom', message: 'no' } });
        if (done.retry) retries.set(c.task.task_id, [...(retries.get(c.task.task_id) ?? []), done.retry]);
      }
    }
    expect(retries.get('none')).toBeUndefined();
    expect(retries.get('fixed')!.map((r) => [r.attempt, Date.parse(r.ready_at) - T0])).toEqual([[2, 5000], [3, 10_000]]);
    // Delays 1 s, 2 s, then capped at 3 s.
    expect(retries.get('exp')!.map((r) => [r.attempt, r.scheduled_for])).toEqual([[2, at(T0).toISOString()], [3, at(T0).toISOString()], [4, at(T0).toISOString()]]);
    expect(retries.get('exp')!.map((r) => Date.parse(r.ready_at) - Date.parse(r.queued_at))).toEqual([1000, 2000, 3000]);
    for (const id of ['none', 'fixed', 'exp']) expect((await tasks.get({ workspace_id: WS, task_id: id })).task).toMatchObject({ status: 'failed', error: { code: 'boom' } });
    expect((await tasks.get({ workspace_id: WS, task_id: 'exp' })).task.run_count).toBe(4);
  });

  it('recovers a run whose lease expired (its scheduler died): failed with lease_expired, retried; the old owner has lost it', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('r', [{ kind: 'immediate' }], { retry: { kind: 'fixed', max_attempts: 2, delay_ms: 0 } }), { now: at(T0) });
    await tasks.create(systemTask('once', [{ kind: 'immediate' }]), { now: at(T0) });
    await tasks.fireDueTriggers({ now: at(T0), owner: 'dead' });
    const claimed = await tasks.claimRuns({ now: at(T0), owner: 'dead', lease_ms: 10_000 });
    expect(claimed).toHaveLength(2);
    await tasks.markRunRunning({ now: at(T0 + 1), owner: 'dead', run_id: claimed[0]!.run.run_id });
    expect(await tasks.recoverExpiredLeases({ now: at(T0 + 9_999) })).toEqual({ ended: [], retried: [], failed: [] });
    const recovered = await tasks.recoverExpiredLeases({ now: at(T0 + 10_000) });
    expect(recovered.ended.map((r) => [r.task_id, r.status, r.error?.code]).sort()).toEqual([['once', 'failed', 'lease_expired'], ['r', 'failed', 'lease_expired']]);
    expect(recovered.retried.map((r) => [r.task_id, r.attempt])).toEqual([['r', 2]]);
    expect(recovered.failed.map((r) => r.task_id)).toEqual(['once']);
    await expectCode(tasks.heartbeatRun({ now: at(T0 + 10_001), owner: 'dead', run_id: claimed[0]!.run.run_id, lease_ms: 10_000 }), 'lease_lost');
    await expectCode(tasks.completeRun({ now: at(T0 + 10_001), owner: 'dead', run_id: claimed[0]!.run.run_id, outcome: 'succeeded' }), 'lease_lost');
    const [retry] = await tasks.claimRuns({ now: at(T0 + 10_002), owner: 'alive', lease_ms: 10_000 });
    expect(retry!.run).toMatchObject({ task_id: 'r', attempt: 2 });
    await tasks.completeRun({ now: at(T0 + 10_003), owner: 'alive', run_id: retry!.run.run_id, outcome: 'succeeded' });
    expect((await tasks.get({ workspace_id: WS, task_id: 'r' })).task.status).toBe('completed');
  });

  it('times runs out: queue, run and heartbeat deadlines', async () => {
    const tasks = temp.store.tasks;
    await tasks.create(systemTask('queue', [{ kind: 'immediate' }], { timeouts: { queue_ms: 1000 } }), { now: at(T0) });
    await tasks.create(systemTask('run', [{ kind: 'immediate' }], { timeouts: { run_ms: 5000 }, executor_kind: 'tool' }), { now: at(T0) });
    await tasks.create(systemTask('beat', [{ kind: 'immediate' }], { timeouts: { heartbeat_ms: 2000 }, executor_kind: 'webhook' }), { now: at(T0) });
    await tasks.fireDueTriggers({ now: at(T0), owner: 's' });
    const claimed = await tasks.claimRuns({ now: at(T0 + 500), owner: 's', lease_ms: MIN, executor_kinds: ['tool', 'webhook'] });
    expect(claimed.map((c) => c.task.task_id).sort()).toEqual(['beat', 'run']);
    const beat = claimed.find((c) => c.task.task_id === 'beat')!;
    await tasks.heartbeatRun({ now: at(T0 + 2000), owner: 's', run_id: beat.run.run_id, lease_ms: MIN });
    const first = await tasks.expireTimeouts({ now: at(T0 + 2500) });
    expect(first.ended.map((r) => [r.task_id, r.status, r.error?.code])).toEqual([['queue', 'timed_out', 'queue_timeout']]);
    const second = await tasks.expireTimeouts({ now: at(T0 + 5500) });
    expect(second.ended.map((r) => [r.task_id, r.error?.code]).sort()).toEqual([['beat', 'heartbeat_timeout'], ['run', 'run_timeout']]);
    for (const id of ['queue', 'run', 'beat']) expect((await tasks.get({ workspace_id: WS, task_id: id })).task.status).toBe('failed');
  });

  it('write locks: workspace and path scopes, queue or reject, released on run end, expired ones released', async () => {
    const tasks = temp.store.tasks;
    for (const id of ['l1', 'l2', 'l3', 'l4']) await tasks.create(systemTask(id, [{ kind: 'immediate' }]), { now: at(T0) });
    await tasks.fireDueTriggers({ now: at(T0), owner: 's' });
    const runs = new Map((await tasks.claimRuns({ now: at(T0), owner: 's', lease_ms: HOUR, limit: 10 })).map((c) => [c.task.task_id, c.run.run_id]));
    const lock = (id: string, scope: 'workspace' | 'path', path: string | undefined, conflict: 'queue' | 'reject', now = T0) =>
      tasks.acquireLock({ workspace_id: WS, scope, ...(path ? { path } : {}), holder: runs.get(id)!, ttl_ms: 10_000, conflict, now: at(now) });
    expect(await lock('l1', 'path', 'src/app', 'reject')).toMatchObject({ acquired: true, lock: { status: 'held', path: 'src/app' } });
    expect(await lock('l2', 'path', 'docs', 'reject')).toMatchObject({ acquired: true });
    const held = await expectCode(lock('l3', 'path', 'src/app/main.ts', 'reject'), 'conflict');
    expect(held.details).toMatchObject({ reason: 'lock_held', holders: [expect.objectContaining({ holder_run_id: runs.get('l1') })] });
    const queued = await lock('l3', 'path', 'src', 'queue');
    expect(queued).toMatchObject({ acquired: false, lock: { status: 'queued' }, queued_behind: [expect.objectContaining({ holder_run_id: runs.get('l1') })] });
    await expectCode(lock('l4', 'workspace', undefined, 'reject'), 'conflict');
    // l1's run ends: its lock goes, and l3's queued request is promoted.
    await tasks.completeRun({ now: at(T0 + 100), owner: 's', run_id: runs.get('l1')!, outcome: 'succeeded' });
    const locks = await temp.store.context.read((q) => q.all<{ holder_run_id: string; status: string; path: string }>('SELECT holder_run_id, status, path FROM task_write_lock ORDER BY path'));
    expect(locks).toEqual([
      { holder_run_id: runs.get('l2'), status: 'held', path: 'docs' },
      { holder_run_id: runs.get('l3'), status: 'held', path: 'src' },
    ]);
    // Expired holds are released (and a workspace lock can then be taken).
    const expired = await tasks.releaseExpiredLocks({ now: at(T0 + 20_000) });
    expect(expired.released.map((l) => l.path).sort()).toEqual(['docs', 'src']);
    expect(await lock('l4', 'workspace', undefined, 'reject', T0 + 20_001)).toMatchObject({ acquired: true, lock: { scope: 'workspace', path: '' } });
    expect((await tasks.releaseLock({ holder: runs.get('l4')!, now: at(T0 + 20_002) })).released).toHaveLength(1);
  });
});
