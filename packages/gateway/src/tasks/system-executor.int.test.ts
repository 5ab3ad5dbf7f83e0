import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime, type GatewayRuntime } from '../runtime/open-runtime.js';
import { ManualClock } from './clock.js';
import { ExecutorRegistry, runExecutor, type TaskExecution, type TaskExecutor } from './executor.js';
import { systemExecutor } from './system-executor.js';

let root: string | undefined;
let runtime: GatewayRuntime | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

async function open(): Promise<GatewayRuntime> {
  root = mkdtempSync(join(tmpdir(), 'cairn-system-exec-'));
  runtime = await openRuntime({ home: join(root, 'home'), env: {}, settings: { log_level: 'silent' } });
  return runtime;
}

function execution(config: Record<string, unknown>, signal = new AbortController().signal): TaskExecution {
  return { workspaceId: 'ws_1', taskId: 'task_1', runId: 'run_1', attempt: 1, kind: 'system', config, input: null, ownerThreadId: null, agent: null, signal, started: async () => {} };
}

describe('ExecutorRegistry', () => {
  const echo = (kind: TaskExecutor['kind']): TaskExecutor => ({ kind, execute: async () => ({ outcome: 'succeeded' }) });

  it('holds one executor per kind and lists the kinds it can claim', () => {
    const registry = new ExecutorRegistry([echo('webhook'), echo('agent')]);
    expect(registry.kinds()).toEqual(['agent', 'webhook']);
    expect(registry.get('agent')?.kind).toBe('agent');
    expect(registry.get('tool')).toBeUndefined();
    expect(() => registry.register(echo('agent'))).toThrow(/already registered/);
  });

  it('turns a throwing executor into a failed outcome, and an aborted one into cancelled', async () => {
    const throwing: TaskExecutor = { kind: 'tool', execute: async () => Promise.reject(new Error('boom')) };
    expect(await runExecutor(throwing, execution({}))).toEqual({ outcome: 'failed', error: { code: 'executor_error', message: 'boom' } });
    const controller = new AbortController();
    controller.abort();
    expect(await runExecutor(throwing, execution({}, controller.signal))).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('systemExecutor on a real runtime', () => {
  it('noop succeeds at the clock time', async () => {
    const { store } = await open();
    const clock = new ManualClock('2026-12-01T08:00:00Z');
    const executor = systemExecutor({ store, llmContextTtlDays: 7, clock });
    expect(await executor.execute(execution({ action: 'noop' }))).toEqual({ outcome: 'succeeded', result: { action: 'noop', at: '2026-12-01T08:00:00.000Z' } });
  });

  it('journal.checkpoint signs the heads that moved since the last checkpoint', async () => {
    const { store } = await open();
    const executor = systemExecutor({ store, llmContextTtlDays: 7 });
    const workspace = await store.workspaces.ensureDefault();
    await store.threads.start({ workspace_id: workspace.workspace_id, title: 'moves the head' });
    expect(await executor.execute(execution({ action: 'journal.checkpoint' }))).toEqual({ outcome: 'succeeded', result: { action: 'journal.checkpoint', recorded: 1, refused: 0 } });
    // Nothing moved since: nothing to sign.
    expect(await executor.execute(execution({ action: 'journal.checkpoint' }))).toEqual({ outcome: 'succeeded', result: { action: 'journal.checkpoint', recorded: 0, refused: 0 } });
  });

  it('llm_context.prune deletes the retained context of turns that ended before the TTL', async () => {
    const { store } = await open();
    const workspace = await store.workspaces.ensureDefault();
    const ws = workspace.workspace_id;
    const { thread } = await store.threads.start({ workspace_id: ws });
    const { turn } = await store.turns.start({ workspace_id: ws, thread_id: thread.thread_id, input: [{ type: 'text', text: 'hello' }] });
    const ref = { workspace_id: ws, thread_id: thread.thread_id, turn_id: turn.turn_id };
    await store.turnRecords.retainLlmContext({ ...ref, revision: 1, context: { messages: [{ role: 'user', content: 'hello' }] } });
    await store.turns.appendEvent({ ...ref, idempotency_key: 'done', event: { type: 'turn.completed' } as never });
    expect((await store.turnRecords.getLlmContext({ workspace_id: ws, turn_id: turn.turn_id })).revision).toBe(1);
    const executor = systemExecutor({ store, llmContextTtlDays: 7 });
    // Ended just now: a 7-day TTL keeps it.
    expect(await executor.execute(execution({ action: 'llm_context.prune' }))).toEqual({ outcome: 'succeeded', result: { action: 'llm_context.prune', pruned: 0, more: false } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A TTL of about a millisecond: it goes.
    expect(await executor.execute(execution({ action: 'llm_context.prune', ttl_days: 1 / 86_400_000 }))).toEqual({
      outcome: 'succeeded',
      result: { action: 'llm_context.prune', pruned: 1, more: false },
    });
    await expect(store.turnRecords.getLlmContext({ workspace_id: ws, turn_id: turn.turn_id })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('fails an unknown action and a bad TTL by name', async () => {
    const { store } = await open();
    const executor = systemExecutor({ store, llmContextTtlDays: 7 });
    expect(await executor.execute(execution({ action: 'rm -rf' }))).toMatchObject({ outcome: 'failed', error: { code: 'unknown_action' } });
    expect(await executor.execute(execution({}))).toMatchObject({ outcome: 'failed', error: { code: 'unknown_action' } });
    expect(await executor.execute(execution({ action: 'llm_context.prune', ttl_days: -1 }))).toMatchObject({ outcome: 'failed', error: { code: 'invalid_input' } });
  });
});
