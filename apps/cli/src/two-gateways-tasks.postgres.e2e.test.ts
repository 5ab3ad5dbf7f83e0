// Two built `cairn serve` processes on one PostgreSQL database, both running the task
// scheduler: one-shot tasks due at the same instant and an interval task fire exactly once per
// due instant, whichever gateway claims them.
import { afterEach, describe, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcSocket } from '@cairn/gateway/testing';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { itBuilt } from './testing/built-cli.js';
import { issueOperatorToken, prepareHome, serveBuilt, type BuiltGateway } from './testing/gateway-children.js';

let root: string;
const gateways: BuiltGateway[] = [];
const sockets: RpcSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  rmSync(root, { recursive: true, force: true });
});

const ONE_SHOTS = 24;

interface Run {
  run_id: string;
  trigger_id: string;
  scheduled_for: string;
  attempt: number;
  status: string;
}

describe('two gateways with the scheduler on one PostgreSQL', () => {
  itBuilt('fire each due trigger instant exactly once', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-tasks-'));
    const { url } = await createTestDatabase('gw_tasks_two');
    const masterKey = randomBytes(32).toString('base64');
    const settings = '[tasks]\npoll_ms = 20\nlease_ms = 5000\nheartbeat_ms = 1000\nclaim_batch = 4\nreconciler_interval_ms = 1000\n';
    const env = (i: number) => ({ CAIRN_HOME: prepareHome(join(root, `gw-${i}`), settings), CAIRN_DATABASE_URL: url, CAIRN_MASTER_KEY: masterKey, CAIRN_LOG_LEVEL: 'warn' });
    // Both gateways on one database: migrate it with the first before the second starts.
    gateways.push(await serveBuilt(env(0)));
    gateways.push(await serveBuilt(env(1)));
    const token = await issueOperatorToken({ home: join(root, 'issuer'), databaseUrl: url, masterKey });
    const a = await RpcSocket.open(gateways[0]!.rpcUrl, token);
    const b = await RpcSocket.open(gateways[1]!.rpcUrl, token);
    sockets.push(a, b);
    const ws = (await a.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;

    const at = new Date(Date.now() + 1500).toISOString();
    const noop = { executor_kind: 'system', executor_config: { action: 'noop' } };
    for (let i = 0; i < ONE_SHOTS; i++) {
      // Created through both gateways, all due at the same instant.
      await (i % 2 === 0 ? a : b).call('task/create', { workspace_id: ws, task_id: `once-${i}`, title: `once ${i}`, ...noop, triggers: [{ kind: 'scheduled_at', at }] });
    }
    const start = Date.now();
    await a.call('task/create', { workspace_id: ws, task_id: 'every-second', title: 'every second', ...noop, triggers: [{ kind: 'interval', every_ms: 1000 }] });

    const deadline = Date.now() + 30_000;
    const detail = (id: string) => a.call<{ task: { status: string }; runs: Run[] }>('task/get', { workspace_id: ws, task_id: id });
    for (;;) {
      const states = await Promise.all(Array.from({ length: ONE_SHOTS }, (_, i) => detail(`once-${i}`)));
      if (states.every((s) => s.task.status === 'completed')) break;
      if (Date.now() > deadline) throw new Error(`not all one-shot tasks completed: ${states.map((s) => s.task.status).join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Let the interval task fire a few times.
    while (Date.now() - start < 4500) await new Promise((resolve) => setTimeout(resolve, 100));
    await b.call('task/pause', { workspace_id: ws, task_id: 'every-second' });

    for (let i = 0; i < ONE_SHOTS; i++) {
      const { runs } = await detail(`once-${i}`);
      expect([`once-${i}`, runs.map((r) => [r.attempt, r.status])]).toEqual([`once-${i}`, [[1, 'succeeded']]]);
      const events = await a.call<{ events: Array<{ event_type: string }> }>('task/events', { workspace_id: ws, task_id: `once-${i}` });
      expect(events.events.filter((e) => e.event_type === 'task.trigger.fired')).toHaveLength(1);
    }
    const interval = await detail('every-second');
    const instants = interval.runs.filter((r) => r.attempt === 1).map((r) => r.scheduled_for);
    expect(instants.length).toBeGreaterThanOrEqual(3);
    expect(new Set(instants).size).toBe(instants.length);

  }, 90_000);
});
