// A task run killed mid-flight: a built `cairn serve` runs an agent task (a slow built-in turn)
// and is SIGKILLed while the run is `running`. After a restart on the same database, the
// run's lease expires, the reconciler ends it (`failed`, `lease_expired`) and its retry policy
// queues attempt 2, which runs to the end: the task completes with exactly two runs, on SQLite
// and on PostgreSQL.
import { afterEach, describe, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcSocket } from '@cairn/gateway/testing';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { itBuilt, runBuilt } from './testing/built-cli.js';
import { issueOperatorToken, prepareHome, serveBuilt, type BuiltGateway } from './testing/gateway-children.js';

let root: string;
const gateways: BuiltGateway[] = [];
const sockets: RpcSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  rmSync(root, { recursive: true, force: true });
});

// A built-in turn of about 9 deltas x 400 ms: long enough to be killed in the middle.
const SETTINGS = '[agent]\nbuiltin_delta_interval_ms = 400\n[tasks]\npoll_ms = 50\nlease_ms = 1500\nheartbeat_ms = 300\nreconciler_interval_ms = 300\n';

interface Run {
  run_id: string;
  attempt: number;
  status: string;
  thread_id: string | null;
  turn_id: string | null;
  error: { code: string } | null;
}
interface Detail {
  task: { task_id: string; status: string; run_count: number };
  runs: Run[];
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(['sqlite', 'postgres'] as const)('a task run killed mid-flight on %s', (backend) => {
  itBuilt('is recovered per its retry policy after a restart: attempt 1 failed with lease_expired, attempt 2 succeeded, the task completed', async () => {
    root = mkdtempSync(join(tmpdir(), `cairn-task-crash-${backend}-`));
    const home = prepareHome(join(root, 'home'), SETTINGS);
    let env: NodeJS.ProcessEnv = { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn' };
    let token: string;
    if (backend === 'postgres') {
      const { url } = await createTestDatabase('task_crash');
      const masterKey = randomBytes(32).toString('base64');
      env = { ...env, CAIRN_DATABASE_URL: url, CAIRN_MASTER_KEY: masterKey };
      token = await issueOperatorToken({ home: join(root, 'issuer'), databaseUrl: url, masterKey });
    } else {
      token = await issueOperatorToken({ home });
    }
    const first = await serveBuilt(env);
    gateways.push(first);
    const socket = await RpcSocket.open(first.rpcUrl, token);
    sockets.push(socket);
    const ws = (await socket.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
    await socket.call('task/create', {
      workspace_id: ws,
      task_id: 'crash-agent',
      title: 'killed mid-flight',
      executor_kind: 'agent',
      agent: { instructions: 'a long report' },
      triggers: [{ kind: 'immediate' }],
      retry: { kind: 'fixed', max_attempts: 2, delay_ms: 0 },
    });
    const get = (s: RpcSocket) => s.call<Detail>('task/get', { workspace_id: ws, task_id: 'crash-agent' });
    const running = await until('run 1 running with its turn', 20_000, async () => {
      const run = (await get(socket)).runs.find((r) => r.attempt === 1);
      return run?.status === 'running' && run.turn_id !== null ? run : undefined;
    });
    // Some of the turn is journaled, not all of it: it is mid-flight.
    const turn1 = await socket.call<{ turn: { status: string; item_count: number } }>('turn/get', { workspace_id: ws, turn_id: running.turn_id });
    expect(turn1.turn.status).toBe('running');

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    sockets.splice(0);

    const second = await serveBuilt(env);
    gateways.push(second);
    const again = await RpcSocket.open(second.rpcUrl, token);
    sockets.push(again);
    const done = await until('the task completed after recovery', 30_000, async () => {
      const detail = await get(again);
      return detail.task.status === 'completed' ? detail : undefined;
    });
    const byAttempt = [...done.runs].sort((a, b) => a.attempt - b.attempt);
    expect(byAttempt.map((r) => [r.attempt, r.status, r.error?.code ?? null])).toEqual([
      [1, 'failed', 'lease_expired'],
      [2, 'succeeded', null],
    ]);
    expect(done.task.run_count).toBe(2);
    const turn2 = await again.call<{ turn: { status: string } }>('turn/get', { workspace_id: ws, turn_id: byAttempt[1]!.turn_id });
    expect(turn2.turn.status).toBe('completed');
    if (backend === 'sqlite') {
      // The first attempt's turn was ended by startup recovery (its runtime died with the process).
      const lost = await again.call<{ turn: { status: string; error: { code: string } | null } }>('turn/get', { workspace_id: ws, turn_id: running.turn_id });
      expect(lost.turn).toMatchObject({ status: 'failed', error: { code: 'runtime_lost' } });
      await again.close();
      sockets.splice(0);
      await second.stop();
      gateways.splice(0);
      const verified = await runBuilt(['verify'], { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent' } });
      expect([verified.code, verified.stderr]).toEqual([0, '']);
    }
  }, 90_000);
});
