import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Turn } from '@cairn/protocol';
import { RpcSocket, startTestGateway, type TestGateway } from '@cairn/gateway/testing';
import type { AgentRuntime, AgentRuntimeContext } from '../agent/agent-runtime.js';

let root: string;
let gateway: TestGateway;
const started: Turn[] = [];
const cancelled: string[] = [];

/** An embedder's runtime: answers every turn with one fixed message, through the store, and reports each commit. */
function echoRuntime(context: AgentRuntimeContext): AgentRuntime {
  return {
    name: 'echo-test',
    start(turn) {
      started.push(turn);
      void (async () => {
        const events = [
          { type: 'item.started', item_id: 'm', item_type: 'agent_message' },
          { type: 'item.agent_message.delta', item_id: 'm', delta: 'from the embedder' },
          { type: 'item.completed', item_id: 'm', status: 'completed' },
          { type: 'turn.completed' },
        ] as const;
        await context.store.turns.appendEvents({
          workspace_id: turn.workspace_id,
          events: events.map((event, i) => ({ thread_id: turn.thread_id, turn_id: turn.turn_id, idempotency_key: `echo:${turn.turn_id}:${i}`, event })),
        });
        context.onCommitted(turn.workspace_id);
      })();
    },
    cancel: (_workspaceId, turnId) => cancelled.push(turnId),
    running: () => 0,
    drain: async () => {},
  };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-agent-runtime-'));
  gateway = await startTestGateway(join(root, 'home'), { agentRuntime: echoRuntime });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('startGateway({ agentRuntime })', () => {
  it("hands turn/start's turns to the embedder's runtime, whose commits reach subscribers", async () => {
    expect(gateway.services.agents.name).toBe('echo-test');
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: workspace.workspace_id });
    const { turn } = await socket.call<{ turn: { turn_id: string } }>('turn/start', {
      workspace_id: workspace.workspace_id,
      thread_id: thread.thread_id,
      input: [{ type: 'text', text: 'hi' }],
    });
    await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed'));
    expect(started.map((t) => t.turn_id)).toEqual([turn.turn_id]);
    expect(socket.notifications.find((n) => n.method === 'item/agent_message/delta')?.params['delta']).toBe('from the embedder');
    // A retried turn/start (same id) is not handed over twice.
    await socket.call('turn/start', { workspace_id: workspace.workspace_id, thread_id: thread.thread_id, turn_id: turn.turn_id, input: [{ type: 'text', text: 'hi' }] });
    expect(started).toHaveLength(1);
    await socket.close();
  });
});
