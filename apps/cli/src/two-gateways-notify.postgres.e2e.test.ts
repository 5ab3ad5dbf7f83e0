// Two built `cairn serve` processes on one PostgreSQL database, with the poll off: what a
// client subscribed on gateway A receives of the turns run through gateway B can only have
// come by LISTEN/NOTIFY (and the resync after a lost LISTEN connection), read from the journal.
import { afterEach, describe, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcSocket, type RpcNotification } from '@cairn/gateway/testing';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { postgresBinDir } from '@cairn/tooling/postgres/server';
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

function psql(url: string, sql: string): string {
  return execFileSync(join(postgresBinDir(), 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' }).trim();
}

const seqOf = (n: RpcNotification) => n.params['seq'] as number;
const summary = (n: RpcNotification) => `${seqOf(n)} ${n.method} ${String(n.params['turn_id'] ?? '')}`;

describe('notifications across two gateways on one PostgreSQL', () => {
  itBuilt('a client on A receives the turns run through B (built-in and turn/event/append), in seq order, without gap or duplicate, across a lost LISTEN connection', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-notify-'));
    const { url } = await createTestDatabase('gw_notify');
    const masterKey = randomBytes(32).toString('base64');
    // notify_poll_ms = 0: no poll, so NOTIFY (or the resync after a reconnect) is the only way A hears of B's commits.
    const settings = '[agent]\nbuiltin_delta_interval_ms = 2\n[limits]\nnotify_poll_ms = 0\n';
    const env = (i: number) => ({ CAIRN_HOME: prepareHome(join(root, `gw-${i}`), settings), CAIRN_DATABASE_URL: url, CAIRN_MASTER_KEY: masterKey, CAIRN_LOG_LEVEL: 'warn' });
    gateways.push(...(await Promise.all([serveBuilt(env(0)), serveBuilt(env(1))])));
    const [gwA, gwB] = gateways as [BuiltGateway, BuiltGateway];
    const token = await issueOperatorToken({ home: join(root, 'issuer'), databaseUrl: url, masterKey });

    const a = await RpcSocket.open(gwA.rpcUrl, token);
    const b = await RpcSocket.open(gwB.rpcUrl, token);
    sockets.push(a, b);
    const ws = (await a.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
    const thread = (await a.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'watched on A' })).thread.thread_id;
    const completedOnA = () => a.notifications.filter((n) => n.method === 'turn/completed').length;

    const builtinTurn = async (text: string) => (await b.call<{ turn: { turn_id: string }; seq: number }>('turn/start', { workspace_id: ws, thread_id: thread, input: [{ type: 'text', text }] }));
    const first = await builtinTurn('first, through B');
    await a.waitFor(() => completedOnA() === 1, 20_000);

    // Every listener loses its connection (both gateways'): they reconnect and re-read what they watch.
    const listening = () => Number(psql(url, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "cairn_journal"'`));
    expect(listening()).toBe(2);
    psql(url, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "cairn_journal"'`);

    await builtinTurn('second, through B');
    const external = 'turn_external_b';
    const events = [
      { type: 'turn.started', input: [{ type: 'text', text: 'an external runtime on B' }] },
      { type: 'item.started', item_id: 'm1', item_type: 'agent_message' },
      ...Array.from({ length: 5 }, (_, d) => ({ type: 'item.agent_message.delta', item_id: 'm1', delta: `part ${d} ` })),
      { type: 'item.completed', item_id: 'm1', status: 'completed' },
      { type: 'turn.completed' },
    ];
    const appended = await b.call<{ results: Array<{ seq: number | null; outcome: string }> }>('turn/event/append', {
      workspace_id: ws,
      events: events.map((event, k) => ({ thread_id: thread, turn_id: external, idempotency_key: `ext:${k}`, event })),
    });
    expect(appended.results.every((r) => r.outcome === 'applied')).toBe(true);
    await builtinTurn('third, through B');
    await a.waitFor(() => completedOnA() === 4, 20_000);
    for (let i = 0; i < 100 && listening() !== 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(listening()).toBe(2);

    // The reference: the same thread's notifications replayed from B's journal.
    const reference = await RpcSocket.open(gwB.rpcUrl, token);
    sockets.push(reference);
    await reference.call('sync/resume', { workspace_id: ws, after_seq: 0, thread_ids: [thread] });
    const live = a.notifications.filter((n) => seqOf(n) >= first.seq);
    expect(live[0]?.method).toBe('turn/started');
    expect(live.map(summary)).toEqual(reference.notifications.filter((n) => seqOf(n) >= first.seq).map(summary));
    const seqs = a.notifications.map(seqOf);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    const appendedSeqs = appended.results.map((r) => r.seq);
    expect(live.filter((n) => n.params['turn_id'] === external).map(seqOf)).toEqual(appendedSeqs);
    expect(live.filter((n) => n.method === 'item/agent_message/delta' && n.params['turn_id'] === external).map((n) => n.params['delta'])).toEqual(
      Array.from({ length: 5 }, (_, d) => `part ${d} `),
    );
  }, 90_000);
});
