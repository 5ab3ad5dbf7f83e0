import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../testing/gateway-fixture.js';
import { agentExecutor, agentRunIds } from './agent-executor.js';
import type { TaskExecution } from './executor.js';

let root: string | undefined;
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

async function start(deltaMs = 0): Promise<{ gateway: TestGateway; ws: string }> {
  root = mkdtempSync(join(tmpdir(), 'cairn-agent-exec-'));
  gateway = await startTestGateway(join(root, 'home'), { settings: { agent: { builtin_delta_interval_ms: deltaMs } } });
  const ws = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
  return { gateway, ws };
}

let reported: Array<{ threadId: string; turnId: string } | undefined> = [];
function execution(ws: string, runId: string, over: Partial<TaskExecution> = {}): TaskExecution {
  return {
    workspaceId: ws,
    taskId: 'task_1',
    runId,
    attempt: 1,
    kind: 'agent',
    config: {},
    input: { prompt: 'summarise the week' },
    ownerThreadId: null,
    agent: { model: 'builtin-model', instructions: 'be brief' },
    signal: new AbortController().signal,
    started: async (ids) => void reported.push(ids),
    ...over,
  };
}

describe('agentExecutor on the built-in runtime', () => {
  it('starts a subagent thread and a turn, and succeeds when the turn completes', async () => {
    const { gateway: g, ws } = await start();
    const { services, runtime } = g;
    reported = [];
    const executor = agentExecutor({ store: runtime.store, agents: services.agents, hub: services.hub, pollMs: 5000 });
    const result = await executor.execute(execution(ws, 'run_a'));
    const ids = agentRunIds('run_a');
    expect(result).toMatchObject({ outcome: 'succeeded', result: { thread_id: ids.threadId, turn_id: ids.turnId, turn_status: 'completed' } });
    const { turn } = await runtime.store.turns.get({ workspace_id: ws, turn_id: ids.turnId });
    expect(turn).toMatchObject({ status: 'completed', thread_id: ids.threadId, model: 'builtin-model' });
    expect(reported).toEqual([{ threadId: ids.threadId, turnId: ids.turnId }]);
    expect(turn.input).toEqual([{ type: 'text', text: 'summarise the week' }]);
    expect(result).toMatchObject({ result: { usage: turn.usage } });
    // A second execute of the same run (a retried start) writes nothing twice.
    expect(await executor.execute(execution(ws, 'run_a'))).toMatchObject({ outcome: 'succeeded', result: { turn_id: ids.turnId } });
    expect((await runtime.store.threads.list({ workspace_id: ws })).items.map((t) => t.thread_id)).toEqual([ids.threadId]);
  });

  it('forks the subagent thread from the owner thread, recording the lineage', async () => {
    const { gateway: g, ws } = await start();
    const { services, runtime } = g;
    const owner = (await runtime.store.threads.start({ workspace_id: ws, title: 'owner' })).thread;
    const executor = agentExecutor({ store: runtime.store, agents: services.agents, hub: services.hub, pollMs: 5000 });
    const result = await executor.execute(execution(ws, 'run_b', { ownerThreadId: owner.thread_id, input: {} }));
    expect(result.outcome).toBe('succeeded');
    const thread = await runtime.store.threads.get({ workspace_id: ws, thread_id: agentRunIds('run_b').threadId });
    expect(thread.forked_from_thread_id).toBe(owner.thread_id);
    // No input.prompt: the agent spec's instructions are the prompt.
    const { turn } = await runtime.store.turns.get({ workspace_id: ws, turn_id: agentRunIds('run_b').turnId });
    expect(turn.input).toEqual([{ type: 'text', text: 'be brief' }]);
    expect(await executor.execute(execution(ws, 'run_b', { ownerThreadId: owner.thread_id, input: {} }))).toMatchObject({ outcome: 'succeeded' });
  });

  it.each(['cancelled', 'lease_lost'] as const)('cancels the turn when the run is stopped mid-flight (%s)', async (reason) => {
    const { gateway: g, ws } = await start(100);
    const { services, runtime } = g;
    const executor = agentExecutor({ store: runtime.store, agents: services.agents, hub: services.hub, pollMs: 5000 });
    const controller = new AbortController();
    const running = executor.execute(execution(ws, `run_c_${reason}`, { signal: controller.signal }));
    const ids = agentRunIds(`run_c_${reason}`);
    // Wait for the turn to exist and be running, then cancel the run.
    for (let i = 0; i < 200; i++) {
      const turn = await runtime.store.turns.get({ workspace_id: ws, turn_id: ids.turnId }).catch(() => undefined);
      if (turn?.turn.status === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort(reason);
    expect(await running).toMatchObject({ outcome: 'cancelled', error: { code: 'aborted' } });
    const { turn } = await runtime.store.turns.get({ workspace_id: ws, turn_id: ids.turnId });
    expect(turn.status).toBe('cancelled');
  });

  it('leaves the turn running when stopped for shutdown, and fails a run with no prompt', async () => {
    const { gateway: g, ws } = await start(100);
    const { services, runtime } = g;
    const executor = agentExecutor({ store: runtime.store, agents: services.agents, hub: services.hub, pollMs: 5000 });
    expect(await executor.execute(execution(ws, 'run_d', { input: {}, agent: null }))).toMatchObject({ outcome: 'failed', error: { code: 'invalid_input' } });
    const controller = new AbortController();
    const running = executor.execute(execution(ws, 'run_e', { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    controller.abort('shutdown');
    expect(await running).toMatchObject({ outcome: 'cancelled' });
    const { turn } = await runtime.store.turns.get({ workspace_id: ws, turn_id: agentRunIds('run_e').turnId });
    expect(turn.status).toBe('running');
  });
});
