import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCairnClient, isCairnRpcError, type CairnClient } from '@cairn/client';
import type { AnyNotification, TaskCreateParams } from '@cairn/protocol';
import { scanForValues } from '@cairn/keystore/testing';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { RpcSocket, type TestGateway } from '@cairn/gateway/testing';
import { agentRunIds } from '../tasks/agent-executor.js';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../tasks/webhook.js';
import { checkedCall, expectNotificationValid, gatewayAt, tempRoot, waitUntil } from './testing/e2e-support.js';

// task/* end to end through @cairn/client against a real gateway, once on SQLite and once on
// PostgreSQL: the scheduler runs system, agent and webhook tasks; deliveries reach a thread and
// a webhook on 127.0.0.1; bad input is a typed error with nothing written; another workspace's
// ids are not_found; task notifications come live and again through sync/resume.

const TASK_SETTINGS = { poll_ms: 50, lease_ms: 2000, heartbeat_ms: 200, reconciler_interval_ms: 500, webhook_timeout_ms: 2000 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCairnRpcError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an error');
}

describe.each(['sqlite', 'postgres'] as const)('tasks over the gateway on %s', (backend) => {
  const dirs = tempRoot(`cairn-tasks-${backend}-`);
  let gateway: TestGateway;
  let client: CairnClient;
  const seen: AnyNotification[] = [];
  let ws: string;
  let other: string;
  let server: Server;
  let hookUrl: string;
  const hooks: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let hookStatus = (_n: number) => 200;

  beforeAll(async () => {
    const env = backend === 'postgres' ? { env: { databaseUrl: (await createTestDatabase('gw_tasks')).url } } : {};
    gateway = await gatewayAt(dirs.home('home'), { agent: { builtin_delta_interval_ms: 0 }, tasks: TASK_SETTINGS }, env);
    client = createCairnClient({ url: gateway.rpcUrl, token: gateway.operatorToken, reconnect: { maxAttempts: 3 } });
    client.onAny((n) => seen.push(n));
    ws = (await client.call('workspace/default', {})).workspace.workspace_id;
    other = (await client.call('workspace/create', { name: 'other' })).workspace.workspace_id;
    // Task notifications carry no thread: this connection follows the whole workspace.
    await client.call('sync/resume', { workspace_id: ws, after_seq: (await gateway.services.hub.head(ws)) });
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(hookStatus(hooks.length)).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    dirs.cleanup();
  }, 60_000);

  const ofTask = (taskId: string) => seen.filter((n) => (n.params as { task_id?: string }).task_id === taskId);
  const create = (params: Omit<TaskCreateParams, 'workspace_id'> & { workspace_id?: string }) => checkedCall(client, 'task/create', { workspace_id: ws, ...params });
  const waitForStatus = (taskId: string, status: string, workspaceId = ws) =>
    waitUntil(async () => (await client.call('task/get', { workspace_id: workspaceId, task_id: taskId })).task.status === status, `task ${taskId} ${status}`);

  it('runs an immediate system task: created, run started and completed, task completed, each notification valid and in seq order', async () => {
    const detail = await create({ task_id: `noop-${backend}`, title: 'heartbeat', executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'immediate' }] });
    expect(detail.task).toMatchObject({ task_id: `noop-${backend}`, workspace_id: ws, executor_kind: 'system' });
    await waitForStatus(detail.task.task_id, 'completed');
    const got = await checkedCall(client, 'task/get', { workspace_id: ws, task_id: detail.task.task_id });
    expect(got.runs).toHaveLength(1);
    expect(got.runs[0]).toMatchObject({ status: 'succeeded', attempt: 1, result: { action: 'noop' } });
    expect(got.task.completed_at).not.toBeNull();

    await waitUntil(() => ofTask(detail.task.task_id).some((n) => n.method === 'task/run/completed'), 'task/run/completed');
    const mine = ofTask(detail.task.task_id);
    for (const n of mine) expectNotificationValid(n);
    const methods = mine.map((n) => n.method);
    expect(methods[0]).toBe('task/created');
    expect(methods).toContain('task/run/started');
    expect(methods.indexOf('task/run/started')).toBeLessThan(methods.indexOf('task/run/completed'));
    const seqs = mine.map((n) => n.params.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const events = await checkedCall(client, 'task/events', { workspace_id: ws, task_id: detail.task.task_id });
    expect(events.events.map((e) => e.event_type)).toEqual(expect.arrayContaining(['task.created', 'task.run.started', 'task.run.succeeded']));
    const listed = await checkedCall(client, 'task/list', { workspace_id: ws });
    expect(listed.items.map((t) => t.task_id)).toContain(detail.task.task_id);
  });

  it('replays the task notifications through sync/resume, the same ones in the same order', async () => {
    const taskId = `noop-${backend}`;
    const live = ofTask(taskId).map((n) => `${n.params.seq} ${n.method}`);
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    try {
      await socket.call('sync/resume', { workspace_id: ws, after_seq: 0 });
      const replayed = socket.notifications.filter((n) => n.params['task_id'] === taskId).map((n) => `${String(n.params['seq'])} ${n.method}`);
      expect(replayed).toEqual(live);
    } finally {
      await socket.close();
    }
  });

  it('pauses, resumes, reschedules and cancels a cron task; its agenda lists the upcoming firings', async () => {
    const detail = await create({ title: 'nightly', executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'cron', expression: '0 3 * * *', time_zone: 'Europe/Berlin' }] });
    const taskId = detail.task.task_id;
    expect(detail.triggers[0]?.next_fire_at).not.toBeNull();
    const agenda = await checkedCall(client, 'task/agenda', { workspace_id: ws, to: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    expect(agenda.entries.filter((e) => e.task_id === taskId).length).toBeGreaterThanOrEqual(2);
    expect((await checkedCall(client, 'task/pause', { workspace_id: ws, task_id: taskId })).task.status).toBe('paused');
    expect(await codeOf(client.call('task/pause', { workspace_id: ws, task_id: taskId }))).toBe('conflict');
    expect((await checkedCall(client, 'task/resume', { workspace_id: ws, task_id: taskId })).task.status).toBe('scheduled');
    const moved = await checkedCall(client, 'task/reschedule', { workspace_id: ws, task_id: taskId, triggers: [{ kind: 'cron', expression: '30 4 * * 1', time_zone: 'America/New_York' }] });
    expect(moved.triggers.some((t) => t.spec.kind === 'cron' && t.spec.expression === '30 4 * * 1' && t.status === 'active')).toBe(true);
    expect((await checkedCall(client, 'task/cancel', { workspace_id: ws, task_id: taskId, reason: 'not needed' })).task.status).toBe('cancelled');
    expect(await codeOf(client.call('task/cancel', { workspace_id: ws, task_id: taskId }))).toBe('conflict');
    await waitUntil(() => ofTask(taskId).filter((n) => n.method === 'task/updated').length >= 4, 'task/updated for pause, resume, reschedule, cancel');
    const changes = ofTask(taskId).filter((n) => n.method === 'task/updated').map((n) => (n.params as { change?: string }).change);
    expect(changes).toEqual(expect.arrayContaining(['task.paused', 'task.resumed', 'task.rescheduled', 'task.cancelled']));
  });

  it('lists a task tree, parents before children', async () => {
    const root = await create({ title: 'root', executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'manual' }] });
    const child = await create({ title: 'child', parent_task_id: root.task.task_id, executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'manual' }] });
    const tree = await checkedCall(client, 'task/tree', { workspace_id: ws, task_id: root.task.task_id });
    expect(tree.tasks.map((t) => t.task_id)).toEqual([root.task.task_id, child.task.task_id]);
    expect(child.task).toMatchObject({ parent_task_id: root.task.task_id, root_task_id: root.task.task_id });
  });

  it('refuses bad input with a typed error and writes nothing', async () => {
    const base = { title: 'bad', executor_kind: 'system' as const, executor_config: { action: 'noop' } };
    const before = (await client.call('task/list', { workspace_id: ws, limit: 200 })).items.length;
    const foreignThread = (await client.call('thread/start', { workspace_id: other, title: 'elsewhere' })).thread.thread_id;
    const foreignTask = (await client.call('task/create', { workspace_id: other, ...base, triggers: [{ kind: 'manual' }] })).task.task_id;
    const cases: Array<[string, Omit<TaskCreateParams, 'workspace_id'>, string]> = [
      ['invalid cron', { ...base, task_id: 'bad-cron', triggers: [{ kind: 'cron', expression: 'every tuesday', time_zone: 'UTC' }] }, 'invalid_params'],
      ['unknown time zone', { ...base, task_id: 'bad-zone', triggers: [{ kind: 'cron', expression: '0 3 * * *', time_zone: 'Mars/Olympus_Mons' }] }, 'invalid_params'],
      ['a dependency on itself (a cycle)', { ...base, task_id: 'bad-cycle', triggers: [{ kind: 'dependency', condition: 'all_succeeded', task_ids: ['bad-cycle'] }] }, 'invalid_params'],
      ["a dependency on another workspace's task", { ...base, task_id: 'bad-dep', triggers: [{ kind: 'dependency', condition: 'all_succeeded', task_ids: [foreignTask] }] }, 'not_found'],
      ["a delivery to another workspace's thread", { ...base, task_id: 'bad-delivery', triggers: [{ kind: 'immediate' }], deliveries: [{ kind: 'thread', thread_id: foreignThread }] }, 'not_found'],
      ['an unknown executor kind', { ...base, task_id: 'bad-kind', executor_kind: 'shell' as never, triggers: [{ kind: 'immediate' }] }, 'invalid_params'],
    ];
    for (const [what, params, code] of cases) {
      expect([what, await codeOf(client.call('task/create', { workspace_id: ws, ...params }))]).toEqual([what, code]);
      expect([what, await codeOf(client.call('task/get', { workspace_id: ws, task_id: params.task_id! }))]).toEqual([what, 'not_found']);
    }
    expect((await client.call('task/list', { workspace_id: ws, limit: 200 })).items.length).toBe(before);
  });

  it("answers not_found for another workspace's task, and forbidden_workspace beyond a token's scope", async () => {
    const foreign = (await client.call('task/create', { workspace_id: other, title: 'theirs', executor_kind: 'system', executor_config: { action: 'noop' }, triggers: [{ kind: 'manual' }] })).task.task_id;
    for (const method of ['task/get', 'task/events', 'task/tree', 'task/cancel', 'task/pause', 'task/deliveries'] as const) {
      expect([method, await codeOf(client.call(method, { workspace_id: ws, task_id: foreign } as never))]).toEqual([method, 'not_found']);
    }
    const scoped = createCairnClient({ url: gateway.rpcUrl, token: await gateway.scopedToken([ws]), reconnect: { maxAttempts: 1 } });
    try {
      expect(await codeOf(scoped.call('task/get', { workspace_id: other, task_id: foreign }))).toBe('forbidden_workspace');
      expect(await codeOf(scoped.call('task/create', { workspace_id: other, title: 'x', executor_kind: 'system', triggers: [{ kind: 'manual' }] }))).toBe('forbidden_workspace');
      expect((await scoped.call('task/list', { workspace_id: ws })).items.every((t) => t.workspace_id === ws)).toBe(true);
    } finally {
      await scoped.close();
    }
    expect((await client.call('task/get', { workspace_id: other, task_id: foreign })).task.status).not.toBe('cancelled');
  });

  it('runs an agent task: a subagent thread forked from the owner thread, a built-in turn, the result delivered to the owner thread', async () => {
    const owner = (await client.call('thread/start', { workspace_id: ws, title: 'asks for a report' })).thread.thread_id;
    const detail = await create({
      title: 'weekly report',
      executor_kind: 'agent',
      agent: { instructions: 'write the weekly report', model: 'builtin' },
      owner_thread_id: owner,
      triggers: [{ kind: 'immediate' }],
      deliveries: [{ kind: 'owner_thread' }],
    });
    const taskId = detail.task.task_id;
    await waitForStatus(taskId, 'completed');
    const { runs } = await client.call('task/get', { workspace_id: ws, task_id: taskId });
    const run = runs[0]!;
    const ids = agentRunIds(run.run_id);
    expect(run).toMatchObject({ status: 'succeeded', thread_id: ids.threadId, turn_id: ids.turnId });
    const { thread, lineage } = await client.call('thread/get', { workspace_id: ws, thread_id: ids.threadId, include_lineage: true });
    expect(thread.forked_from_thread_id).toBe(owner);
    expect(lineage?.map((t) => t.thread_id)).toContain(owner);
    const { turn } = await client.call('turn/get', { workspace_id: ws, turn_id: ids.turnId });
    expect(turn).toMatchObject({ status: 'completed', input: [{ type: 'text', text: 'write the weekly report' }] });
    await waitUntil(async () => (await client.call('task/deliveries', { workspace_id: ws, task_id: taskId })).items.some((d) => d.delivery.status === 'delivered'), 'owner-thread delivery');
    await waitUntil(() => ofTask(taskId).some((n) => n.method === 'task/delivery/delivered'), 'task/delivery/delivered');
    const delivered = ofTask(taskId).find((n) => n.method === 'task/delivery/delivered')!;
    expectNotificationValid(delivered);
    expect((delivered.params as { thread_id?: string }).thread_id).toBe(owner);
  });

  it('delivers a run outcome to a webhook on 127.0.0.1, signed with the keystore secret, retrying after a 5xx', async () => {
    await client.call('secret/set', { service: 'webhook', id: `hook-${backend}`, value: 'whsec-e2e-signing-value' });
    hooks.length = 0;
    hookStatus = (n) => (n === 1 ? 503 : 200);
    const detail = await create({
      title: 'notify ci',
      executor_kind: 'system',
      executor_config: { action: 'noop' },
      triggers: [{ kind: 'immediate' }],
      deliveries: [{ kind: 'webhook', url: hookUrl, secret_ref: `secret://webhook/hook-${backend}` }],
      delivery_policy: { max_attempts: 3, initial_backoff_ms: 50, max_backoff_ms: 100 },
    });
    const taskId = detail.task.task_id;
    await waitUntil(async () => (await client.call('task/deliveries', { workspace_id: ws, task_id: taskId })).items[0]?.delivery.status === 'delivered', 'webhook delivered');
    const { items } = await checkedCall(client, 'task/deliveries', { workspace_id: ws, task_id: taskId });
    expect(items[0]!.attempts.map((a) => [a.outcome, a.response_status])).toEqual([
      ['failed', 503],
      ['delivered', 200],
    ]);
    expect(hooks).toHaveLength(2);
    for (const hit of hooks) {
      const body = JSON.parse(hit.body) as { task_id: string; delivery_id: string };
      expect(body).toMatchObject({ task_id: taskId, delivery_id: items[0]!.delivery.delivery_id });
      const t = Number(/^t=(\d+),/.exec(String(hit.headers[WEBHOOK_SIGNATURE_HEADER]))![1]);
      expect(hit.headers[WEBHOOK_SIGNATURE_HEADER]).toBe(signWebhook('whsec-e2e-signing-value', t, hit.body));
    }
    // The value is in no delivery row, attempt or event.
    expect(JSON.stringify(items)).not.toContain('whsec-e2e-signing-value');
    expect(JSON.stringify(await client.call('task/events', { workspace_id: ws, task_id: taskId }))).not.toContain('whsec-e2e-signing-value');
    // On SQLite, no file of the home holds it in any encoding (keystore.db holds it encrypted).
    if (backend === 'sqlite') expect(scanForValues(dirs.home('home'), [{ label: 'webhook secret', value: 'whsec-e2e-signing-value' }])).toEqual([]);
  });

  it('counts the runs and delivery attempts of its scheduler in /metrics', async () => {
    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${gateway.operatorToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('cairn_task_runs_total{kind="system",outcome="succeeded"}')).toBeGreaterThanOrEqual(2);
    expect(value('cairn_task_runs_total{kind="agent",outcome="succeeded"}')).toBe(1);
    expect(value('cairn_task_deliveries_total{kind="webhook",outcome="failed"}')).toBe(1);
    expect(value('cairn_task_deliveries_total{kind="webhook",outcome="delivered"}')).toBe(1);
    expect(value('cairn_task_deliveries_total{kind="owner_thread",outcome="delivered"}')).toBe(1);
    expect(value('cairn_task_runs_executing')).toBe(0);
  });
});
