import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcSocket, startTestGateway, type TestGateway } from '../testing/index.js';
import type { TaskExecutor } from './executor.js';

let root: string | undefined;
let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('startGateway({ taskExecutors })', () => {
  it("runs tool tasks on an embedder's tool executor, with the task's input and config", async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-tool-exec-'));
    const seen: Array<{ config: unknown; input: unknown; attempt: number }> = [];
    const tool: TaskExecutor = {
      kind: 'tool',
      async execute(execution) {
        seen.push({ config: execution.config, input: execution.input, attempt: execution.attempt });
        return execution.attempt === 1
          ? { outcome: 'failed', error: { code: 'flaky', message: 'first attempt fails' } }
          : { outcome: 'succeeded', result: { words: String((execution.input as { text: string }).text).split(' ').length } };
      },
    };
    gateway = await startTestGateway(join(root, 'home'), { settings: { tasks: { poll_ms: 20 } }, taskExecutors: [tool] });
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    try {
      const ws = (await socket.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
      await socket.call('task/create', {
        workspace_id: ws,
        task_id: 'count-words',
        title: 'count words',
        executor_kind: 'tool',
        executor_config: { tool: 'wc' },
        input: { text: 'three little words' },
        triggers: [{ kind: 'immediate' }],
        retry: { kind: 'fixed', max_attempts: 2, delay_ms: 0 },
      });
      type Detail = { task: { status: string; result: unknown }; runs: Array<{ attempt: number; status: string; error: { code: string } | null }> };
      let detail: Detail | undefined;
      for (let i = 0; i < 500; i++) {
        detail = await socket.call<Detail>('task/get', { workspace_id: ws, task_id: 'count-words' });
        if (detail.task.status === 'completed') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(detail!.task).toMatchObject({ status: 'completed', result: { words: 3 } });
      expect(detail!.runs.map((r) => [r.attempt, r.status, r.error?.code ?? null]).sort()).toEqual([
        [1, 'failed', 'flaky'],
        [2, 'succeeded', null],
      ]);
      expect(seen).toEqual([
        { config: { tool: 'wc' }, input: { text: 'three little words' }, attempt: 1 },
        { config: { tool: 'wc' }, input: { text: 'three little words' }, attempt: 2 },
      ]);
    } finally {
      await socket.close();
    }
  });
});
