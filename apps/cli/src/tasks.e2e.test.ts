import { afterEach, describe, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '@cairn/gateway';
import { RpcSocket } from '@cairn/gateway/testing';
import { itBuilt, runBuilt } from './testing/built-cli.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

const cairn = (args: string[], home: string) => runBuilt(args, { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent' } });

interface TaskJson {
  task_id: string;
  workspace_id: string;
  status: string;
  title: string;
}

describe('cairn tasks (the built CLI, beside a serving gateway)', () => {
  itBuilt('lists, shows and cancels tasks; the serving gateway sees the cancel', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-tasks-'));
    const home = join(root, 'home');
    gateway = await startGateway({ home, env: {}, settings: { log_level: 'silent', tasks: { poll_ms: 50 } }, listen: { host: '127.0.0.1', port: 0 } });
    const { secret } = await gateway.runtime.store.tokens.issue({ kind: 'operator', label: 'test' });
    const socket = await RpcSocket.open(gateway.rpcUrl, secret);
    try {
      const ws = (await socket.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
      const other = (await socket.call<{ workspace: { workspace_id: string } }>('workspace/create', { name: 'other' })).workspace.workspace_id;
      const nightly = { executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'cron', expression: '0 3 * * *', time_zone: 'Europe/Berlin' }] };
      await socket.call('task/create', { workspace_id: ws, task_id: 'cli-nightly', title: 'nightly checkpoint', ...nightly });
      await socket.call('task/create', { workspace_id: other, task_id: 'cli-other', title: 'elsewhere', ...nightly });

      const listed = await cairn(['--json', 'tasks', 'list'], home);
      expect(listed.code).toBe(0);
      const all = JSON.parse(listed.stdout) as TaskJson[];
      expect(all.map((t) => t.task_id).sort()).toEqual(['cli-nightly', 'cli-other']);
      const one = JSON.parse((await cairn(['--json', 'tasks', 'list', '--workspace', other], home)).stdout) as TaskJson[];
      expect(one.map((t) => t.task_id)).toEqual(['cli-other']);
      const human = await cairn(['tasks', 'list', '--status', 'scheduled'], home);
      expect(human.stdout).toContain('cli-nightly  scheduled  system');
      expect((await cairn(['tasks', 'list', '--status', 'completed'], home)).stdout.trim()).toBe('no tasks');

      const shown = await cairn(['tasks', 'show', 'cli-nightly'], home);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/trigger \S+ {2}cron {2}active {2}next \d{4}-/);
      expect(shown.stdout).toContain('no runs yet');
      const shownJson = JSON.parse((await cairn(['--json', 'tasks', 'show', 'cli-other'], home)).stdout) as { task: TaskJson; triggers: unknown[] };
      expect(shownJson.task.workspace_id).toBe(other);
      expect(shownJson.triggers).toHaveLength(1);

      const cancelled = await cairn(['--json', 'tasks', 'cancel', 'cli-nightly', '--reason', 'retired'], home);
      expect(cancelled.code).toBe(0);
      expect(JSON.parse(cancelled.stdout)).toMatchObject({ task: { task_id: 'cli-nightly', status: 'cancelled' } });
      // The serving gateway reads the same database.
      const got = await socket.call<{ task: { status: string } }>('task/get', { workspace_id: ws, task_id: 'cli-nightly' });
      expect(got.task.status).toBe('cancelled');

      const again = await cairn(['--json', 'tasks', 'cancel', 'cli-nightly'], home);
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'conflict' } });
    } finally {
      await socket.close();
    }
  }, 60_000);

  itBuilt("cancels a running agent task from beside the gateway: the gateway's scheduler stops the run and cancels its turn", async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-tasks-'));
    const home = join(root, 'home');
    gateway = await startGateway({
      home,
      env: {},
      // Slow deltas (~13 s a turn), so the cli (a node start and a store open, seconds on a loaded box) cancels the turn while it runs.
      settings: { log_level: 'silent', agent: { builtin_delta_interval_ms: 1500 }, tasks: { poll_ms: 50, lease_ms: 2000, heartbeat_ms: 200 } },
      listen: { host: '127.0.0.1', port: 0 },
    });
    const { secret } = await gateway.runtime.store.tokens.issue({ kind: 'operator', label: 'test' });
    const socket = await RpcSocket.open(gateway.rpcUrl, secret);
    try {
      const ws = (await socket.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
      await socket.call('task/create', { workspace_id: ws, task_id: 'cli-agent', title: 'long report', executor_kind: 'agent', agent: { instructions: 'a long report' }, triggers: [{ kind: 'immediate' }] });
      type Detail = { task: { status: string }; runs: Array<{ status: string; turn_id: string | null }> };
      const get = () => socket.call<Detail>('task/get', { workspace_id: ws, task_id: 'cli-agent' });
      let turnId: string | null = null;
      for (let i = 0; i < 400 && turnId === null; i++) {
        const run = (await get()).runs[0];
        if (run?.status === 'running') turnId = run.turn_id;
        else await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(turnId).not.toBeNull();
      const cancelled = await cairn(['--json', 'tasks', 'cancel', 'cli-agent'], home);
      expect(cancelled).toMatchObject({ code: 0 });
      // The gateway hears of it at the run's next heartbeat (its lease is gone) and cancels the turn.
      let turnStatus = 'running';
      for (let i = 0; i < 400 && turnStatus === 'running'; i++) {
        turnStatus = (await socket.call<{ turn: { status: string } }>('turn/get', { workspace_id: ws, turn_id: turnId })).turn.status;
        if (turnStatus === 'running') await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(turnStatus).toBe('cancelled');
      const detail = await get();
      expect(detail.task.status).toBe('cancelled');
      expect(detail.runs.map((r) => r.status)).toEqual(['cancelled']);
    } finally {
      await socket.close();
    }
  }, 60_000);

  itBuilt('answers an unknown task with not_found (exit 1) and a bad option with one usage line (exit 2)', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-tasks-'));
    const home = join(root, 'home');
    const missing = await cairn(['--json', 'tasks', 'show', 'task-nope'], home);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'not_found' } });
    expect((await cairn(['tasks', 'cancel', 'task-nope'], home)).code).toBe(1);
    const bad = await cairn(['tasks', 'list', '--status', 'sleeping'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect((await cairn(['tasks', 'list', '--limit', '0'], home)).code).toBe(2);
    expect((await cairn(['--json', 'tasks', 'list'], home)).stdout.trim()).toBe('[]');
  }, 60_000);
});
