import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewaySettings } from '@cairn/config';
import { createSecretResolver } from '@cairn/keystore';
import type { TaskCreateParams } from '@cairn/protocol';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { openRuntime, type GatewayRuntime } from '../runtime/open-runtime.js';
import { ManualClock } from './clock.js';
import { ExecutorRegistry, type ExecutionResult, type TaskExecution, type TaskExecutor } from './executor.js';
import { TaskScheduler } from './scheduler.js';
import { systemExecutor } from './system-executor.js';

// The scheduler against the real store (SQLite file, then PostgreSQL) in simulated time: a
// `ManualClock` drives every decision, and the test calls `tick()` itself.

const SETTINGS: GatewaySettings['tasks'] = {
  scheduler_enabled: true,
  poll_ms: 1000,
  lease_ms: 10_000,
  heartbeat_ms: 2000,
  claim_batch: 16,
  max_concurrent_runs: 2,
  reconciler_interval_ms: 5000,
  webhook_timeout_ms: 1000,
};

const quiet = { info() {}, warn() {}, error() {} };

/** A `tool` executor whose runs wait until the test releases them (or their signal aborts). */
function gatedTool() {
  const waiting = new Map<string, { execution: TaskExecution; release: (result: ExecutionResult) => void }>();
  const executor: TaskExecutor = {
    kind: 'tool',
    execute: (execution) =>
      new Promise<ExecutionResult>((resolve) => {
        waiting.set(execution.runId, { execution, release: resolve });
        execution.signal.addEventListener('abort', () => resolve({ outcome: 'cancelled', error: { code: 'aborted', message: String(execution.signal.reason) } }), { once: true });
      }),
  };
  return { executor, waiting };
}

describe.each(['sqlite', 'postgres'] as const)('TaskScheduler on %s, in simulated time', (backend) => {
  let root: string | undefined;
  let runtime: GatewayRuntime | undefined;
  const schedulers: TaskScheduler[] = [];

  afterEach(async () => {
    await Promise.all(schedulers.splice(0).map((s) => s.stop(100)));
    await runtime?.close();
    runtime = undefined;
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  async function open(): Promise<{ runtime: GatewayRuntime; ws: string }> {
    root = mkdtempSync(join(tmpdir(), `cairn-scheduler-${backend}-`));
    const env = backend === 'postgres' ? { databaseUrl: (await createTestDatabase('scheduler')).url } : {};
    runtime = await openRuntime({ home: join(root, 'home'), env, settings: { log_level: 'silent' } });
    return { runtime, ws: (await runtime.store.workspaces.ensureDefault()).workspace_id };
  }

  function scheduler(rt: GatewayRuntime, clock: ManualClock, executors: TaskExecutor[], owner: string, settings: Partial<GatewaySettings['tasks']> = {}): TaskScheduler {
    const s = new TaskScheduler({
      tasks: rt.store.tasks,
      executors: new ExecutorRegistry(executors),
      settings: { ...SETTINGS, ...settings },
      delivery: { secrets: createSecretResolver(rt.keystore), webhookTimeoutMs: 1000 },
      onCommitted: () => {},
      log: quiet,
      clock,
      owner,
    });
    schedulers.push(s);
    return s;
  }

  /** Lets executions the last tick started run to their completion (they are real promises on real I/O). */
  async function settle(s: TaskScheduler, clock: ManualClock): Promise<void> {
    for (let i = 0; i < 500 && s.running > 0; i++) {
      await clock.advance(0);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Real I/O finishes in real time: re-check (advancing the clock by `stepMs` each time) until `predicate` holds, 10 s at most. */
  async function until(clock: ManualClock, predicate: () => boolean, what: string, stepMs = 0): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if (predicate()) return;
      await clock.advance(stepMs);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  const noop = { executor_kind: 'system' as const, executor_config: { action: 'noop' } };

  it('two schedulers taking turns over a simulated hour fire an every-minute interval task once per instant', async () => {
    const { runtime: rt, ws } = await open();
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    const exec = systemExecutor({ store: rt.store, llmContextTtlDays: 7, clock });
    const a = scheduler(rt, clock, [exec], 'sched-a');
    const b = scheduler(rt, clock, [exec], 'sched-b');
    const params: TaskCreateParams = { workspace_id: ws, task_id: 'every-minute', title: 'every minute', ...noop, triggers: [{ kind: 'interval', every_ms: 60_000 }] };
    await rt.store.tasks.create(params, { now: clock.now() });
    // An interval's first instant is one period after creation: 00:01 .. 01:00.
    for (let minute = 0; minute <= 60; minute++) {
      // Both pass at the same instant: the store's claims decide who does what.
      await Promise.all([a.tick(), b.tick()]);
      await settle(a, clock);
      await settle(b, clock);
      await clock.advance(60_000);
    }
    const runs: Array<{ scheduled_for: string; status: string; attempt: number }> = [];
    const detail = await rt.store.tasks.get({ workspace_id: ws, task_id: 'every-minute' });
    runs.push(...detail.runs);
    expect(detail.task.run_count).toBe(60);
    // The newest 20 runs: one per minute, each succeeded, no instant twice.
    expect(new Set(runs.map((r) => r.scheduled_for)).size).toBe(runs.length);
    expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    expect(runs[0]!.scheduled_for).toBe('2026-12-01T01:00:00.000Z');
  });

  it('runs at most max_concurrent_runs at once and claims the rest as slots free', async () => {
    const { runtime: rt, ws } = await open();
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    const tool = gatedTool();
    const s = scheduler(rt, clock, [tool.executor], 'sched-c');
    for (let i = 0; i < 5; i++) await rt.store.tasks.create({ workspace_id: ws, task_id: `t${i}`, title: `t${i}`, executor_kind: 'tool', triggers: [{ kind: 'immediate' }] }, { now: clock.now() });
    const first = await s.tick();
    expect(first.claimed).toBe(2);
    expect(s.running).toBe(2);
    await until(clock, () => tool.waiting.size === 2, 'two executing');
    expect((await s.tick()).claimed).toBe(0);
    for (let round = 0; round < 10 && tool.waiting.size > 0; round++) {
      for (const [runId, w] of [...tool.waiting]) {
        tool.waiting.delete(runId);
        w.release({ outcome: 'succeeded', result: { round } });
      }
      await settle(s, clock);
      const claimed = (await s.tick()).claimed;
      await until(clock, () => tool.waiting.size === claimed, `${claimed} executing`);
    }
    for (let i = 0; i < 5; i++) expect((await rt.store.tasks.get({ workspace_id: ws, task_id: `t${i}` })).task.status).toBe('completed');
  });

  it('stops a run when its task is cancelled, and leaves a run stopped by shutdown to lease recovery (retried per policy)', async () => {
    const { runtime: rt, ws } = await open();
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    const tool = gatedTool();
    const s = scheduler(rt, clock, [tool.executor], 'sched-d');
    await rt.store.tasks.create({ workspace_id: ws, task_id: 'cancel-me', title: 'c', executor_kind: 'tool', triggers: [{ kind: 'immediate' }] }, { now: clock.now() });
    await s.tick();
    await until(clock, () => tool.waiting.size === 1, 'cancel-me executing');
    const [cancelled] = [...tool.waiting.values()];
    await rt.store.tasks.cancel({ workspace_id: ws, task_id: 'cancel-me' }, { now: clock.now() });
    s.cancelTask(ws, 'cancel-me');
    await settle(s, clock);
    expect(cancelled!.execution.signal.reason).toBe('cancelled');
    expect((await rt.store.tasks.get({ workspace_id: ws, task_id: 'cancel-me' })).task.status).toBe('cancelled');

    tool.waiting.clear();
    await rt.store.tasks.create(
      { workspace_id: ws, task_id: 'survive-me', title: 's', executor_kind: 'tool', triggers: [{ kind: 'immediate' }], retry: { kind: 'fixed', max_attempts: 2, delay_ms: 0 } },
      { now: clock.now() },
    );
    await s.tick();
    await until(clock, () => tool.waiting.size === 1, 'survive-me executing');
    const [interrupted] = [...tool.waiting.values()];
    await s.stop(10);
    expect(interrupted!.execution.signal.reason).toBe('shutdown');
    const after = await rt.store.tasks.get({ workspace_id: ws, task_id: 'survive-me' });
    expect(after.runs.map((r) => r.status)).toEqual(['running']);

    // A later scheduler (a restart), once the lease ran out: attempt 1 ends lease_expired and attempt 2 runs.
    await clock.advance(SETTINGS.lease_ms + 1);
    const next = scheduler(rt, clock, [tool.executor], 'sched-e');
    const report = await next.reconcile();
    expect(report.recovered).toBe(1);
    await next.tick();
    await until(clock, () => [...tool.waiting.values()].some((w) => w.execution.attempt === 2), 'attempt 2 executing');
    for (const w of tool.waiting.values()) if (w.execution.attempt === 2) w.release({ outcome: 'succeeded' });
    await settle(next, clock);
    const done = await rt.store.tasks.get({ workspace_id: ws, task_id: 'survive-me' });
    expect(done.task.status).toBe('completed');
    expect(done.runs.map((r) => [r.attempt, r.status, r.error?.code ?? null]).sort()).toEqual([
      [1, 'failed', 'lease_expired'],
      [2, 'succeeded', null],
    ]);
  });

  it('runs tasks that share a write lock one after the other, and fails a reject-lock task while the lock is held', async () => {
    const { runtime: rt, ws } = await open();
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    const tool = gatedTool();
    const s = scheduler(rt, clock, [tool.executor], 'sched-f', { max_concurrent_runs: 4 });
    const locked = (taskId: string, conflict: 'queue' | 'reject') =>
      rt.store.tasks.create(
        { workspace_id: ws, task_id: taskId, title: taskId, executor_kind: 'tool', triggers: [{ kind: 'immediate' }], lock: { scope: 'path', path: '/repo/src', conflict } },
        { now: clock.now() },
      );
    await locked('first', 'queue');
    await s.tick();
    await until(clock, () => tool.waiting.size === 1, 'first executing');
    expect([...tool.waiting.values()].map((w) => w.execution.taskId)).toEqual(['first']);
    await locked('second', 'queue');
    await locked('rejected', 'reject');
    await s.tick();
    await until(
      clock,
      () => s.running === 2,
      'first and second held by the scheduler',
      SETTINGS.poll_ms,
    );
    // `second` waits for the lock (claimed, not executing); `rejected` failed at once.
    expect([...tool.waiting.values()].map((w) => w.execution.taskId)).toEqual(['first']);
    const rejected = await rt.store.tasks.get({ workspace_id: ws, task_id: 'rejected' });
    expect(rejected.runs[0]).toMatchObject({ status: 'failed', error: { code: 'lock_held' } });
    tool.waiting.get([...tool.waiting.keys()][0]!)!.release({ outcome: 'succeeded' });
    await until(clock, () => [...tool.waiting.values()].some((w) => w.execution.taskId === 'second'), 'second executing', SETTINGS.poll_ms);
    const second = [...tool.waiting.values()].find((w) => w.execution.taskId === 'second');
    expect(second).toBeDefined();
    second!.release({ outcome: 'succeeded' });
    await settle(s, clock);
    expect((await rt.store.tasks.get({ workspace_id: ws, task_id: 'first' })).task.status).toBe('completed');
    expect((await rt.store.tasks.get({ workspace_id: ws, task_id: 'second' })).task.status).toBe('completed');
  });

  it("beats often enough for a task's heartbeat timeout shorter than the gateway's beat", async () => {
    const { runtime: rt, ws } = await open();
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    const tool = gatedTool();
    const s = scheduler(rt, clock, [tool.executor], 'sched-g');
    // The gateway beats every 2 s; this task times out after 1.5 s without a beat.
    await rt.store.tasks.create(
      { workspace_id: ws, task_id: 'tight', title: 'tight', executor_kind: 'tool', triggers: [{ kind: 'immediate' }], timeouts: { heartbeat_ms: 1500 } },
      { now: clock.now() },
    );
    await s.tick();
    await until(clock, () => tool.waiting.size === 1, 'tight executing');
    // The reconciler looks every 250 ms of simulated time: any gap of 1.5 s between beats would be caught.
    let timedOut = 0;
    for (let i = 0; i < 24; i++) {
      await clock.advance(250);
      await new Promise((resolve) => setTimeout(resolve, 10));
      timedOut += (await s.reconcile()).timedOut;
    }
    expect(timedOut).toBe(0);
    const [w] = [...tool.waiting.values()];
    expect(w!.execution.signal.aborted).toBe(false);
    w!.release({ outcome: 'succeeded' });
    await settle(s, clock);
    const detail = await rt.store.tasks.get({ workspace_id: ws, task_id: 'tight' });
    expect(detail.runs.map((r) => r.status)).toEqual(['succeeded']);
  });
});
