// A built `cairn serve` on a SQLite home, SIGKILLed while 8 clients run turns against it
// (built-in turns and external `turn/event/append` batches, each keyed). After a restart on the
// same home: startup recovery ran, `cairn verify` passes the chain, every acknowledged request
// is in the database (a retry of it with the same key answers `duplicate` with the same seq),
// no acknowledged built-in turn is left running, and each client resumes from the last seq it
// saw and ends with exactly the journal's notifications of its thread: no gap, no duplicate.
import { afterEach, describe, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcSocket, type RpcNotification } from '@cairn/gateway/testing';
import { itBuilt, runBuilt } from './testing/built-cli.js';
import { issueOperatorToken, prepareHome, serveBuilt, type BuiltGateway } from './testing/gateway-children.js';

const CLIENTS = 8;
/** The kill comes after this many acknowledged requests, or after KILL_AFTER_MS, whichever is first. */
const KILL_AFTER_ACKS = 120;
const KILL_AFTER_MS = 5000;
/** Each client's loop is bounded too (it normally ends at the kill). */
const MAX_ROUNDS = 400;

let root: string;
const gateways: BuiltGateway[] = [];
const sockets: RpcSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  rmSync(root, { recursive: true, force: true });
});

interface AckedStart {
  key: string;
  turn_id: string;
  seq: number;
  params: Record<string, unknown>;
}
interface AckedAppend {
  turn_id: string;
  seqs: Array<number | null>;
  params: Record<string, unknown>;
}

const seqOf = (n: RpcNotification) => n.params['seq'] as number;
const summary = (n: RpcNotification) => `${seqOf(n)} ${n.method} ${String(n.params['turn_id'] ?? '')}`;

function externalTurn(thread: string, turnId: string, keyPrefix: string) {
  const events = [
    { type: 'turn.started', input: [{ type: 'text', text: `external ${turnId}` }] },
    { type: 'item.started', item_id: 'm1', item_type: 'agent_message' },
    ...Array.from({ length: 4 }, (_, d) => ({ type: 'item.agent_message.delta', item_id: 'm1', delta: `part ${d} ` })),
    { type: 'item.completed', item_id: 'm1', status: 'completed' },
    { type: 'turn.completed' },
  ];
  return events.map((event, k) => ({ thread_id: thread, turn_id: turnId, idempotency_key: `${keyPrefix}:${k}`, event }));
}

describe('a gateway killed under load by 8 clients', () => {
  itBuilt('restarts with every acknowledged request in the journal, the chain verified, no built-in turn left running, and every client resynced without gap or duplicate', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-crash-clients-'));
    const home = prepareHome(join(root, 'home'), '[agent]\nbuiltin_delta_interval_ms = 1\n');
    const token = await issueOperatorToken({ home });
    const first = await serveBuilt({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn' });
    gateways.push(first);

    const setup = await RpcSocket.open(first.rpcUrl, token);
    sockets.push(setup);
    const ws = (await setup.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;

    const starts: AckedStart[] = [];
    const appends: AckedAppend[] = [];
    const clients: Array<{ socket: RpcSocket; thread: string }> = [];
    for (let c = 0; c < CLIENTS; c++) {
      const socket = await RpcSocket.open(first.rpcUrl, token);
      sockets.push(socket);
      const thread = (await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: `client ${c}` })).thread.thread_id;
      clients.push({ socket, thread });
    }
    const acked = () => starts.length + appends.length;

    const loop = async (c: number) => {
      const { socket, thread } = clients[c]!;
      for (let round = 0; round < MAX_ROUNDS && !socket.closed; round++) {
        if (round % 2 === 0) {
          const key = `c${c}:start:${round}`;
          // A client-chosen turn id with the key: a retry is then the same event, which the key answers.
          const params = { workspace_id: ws, thread_id: thread, turn_id: `turn_b_c${c}_${round}`, idempotency_key: key, input: [{ type: 'text', text: `client ${c} round ${round}` }] };
          const answer = await socket.request('turn/start', params).catch(() => undefined);
          if (!answer) return;
          expect(answer.error).toBeUndefined();
          const result = answer.result as { turn: { turn_id: string }; seq: number };
          starts.push({ key, turn_id: result.turn.turn_id, seq: result.seq, params });
        } else {
          const turnId = `turn_ext_c${c}_${round}`;
          const params = { workspace_id: ws, events: externalTurn(thread, turnId, `c${c}:ext:${round}`) };
          const answer = await socket.request('turn/event/append', params).catch(() => undefined);
          if (!answer) return;
          expect(answer.error).toBeUndefined();
          appends.push({ turn_id: turnId, seqs: (answer.result as { results: Array<{ seq: number | null }> }).results.map((r) => r.seq), params });
        }
      }
    };
    const loops = Promise.all(clients.map((_, c) => loop(c)));

    const startedAt = Date.now();
    while (acked() < KILL_AFTER_ACKS && Date.now() - startedAt < KILL_AFTER_MS) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    await loops;
    expect(acked()).toBeGreaterThan(CLIENTS);
    // What each client had seen of its thread when the gateway died.
    const seen = clients.map(({ socket }) => [...socket.notifications]);

    // Restart on the same home: startup recovery runs and is logged.
    const second = await serveBuilt({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'info' });
    gateways.push(second);
    const recoveryLine = JSON.parse(await second.line(/"msg":"startup recovery done"/)) as { recovery?: Record<string, unknown> };
    expect(recoveryLine?.recovery).toBeDefined();
    const lost = recoveryLine.recovery!['lostBuiltinTurns'] as { detected: number; repaired: number; remaining: number };
    // Clients start turns all the time: the kill always finds some built-in turns mid-run.
    expect(lost.detected).toBeGreaterThan(0);
    expect(lost.remaining).toBe(0);
    expect(lost.repaired).toBe(lost.detected);

    // `cairn verify` (beside the live gateway): integrity, every workspace's chain, the checkpoints.
    const verify = await runBuilt(['--json', 'verify'], { env: { CAIRN_HOME: home } });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, journal: { ok: true } });

    // Every acknowledged request is there: its retry with the same keys writes nothing and answers the first result.
    const check = await RpcSocket.open(second.rpcUrl, token);
    sockets.push(check);
    let failedLost = 0;
    for (const start of starts) {
      const again = await check.call<{ turn: { turn_id: string; status: string; error?: { code: string } | null }; seq: number; duplicate: boolean }>('turn/start', start.params);
      expect(again).toMatchObject({ duplicate: true, seq: start.seq, turn: { turn_id: start.turn_id } });
      // None is left running: it completed before the kill, or startup recovery failed it.
      expect(['completed', 'failed']).toContain(again.turn.status);
      if (again.turn.status === 'failed') {
        expect(again.turn.error?.code).toBe('runtime_lost');
        failedLost++;
      }
    }
    // A turn/start whose commit landed but whose answer the kill cut off is failed too, and no client counted it.
    expect(failedLost).toBeLessThanOrEqual(lost.repaired);
    for (const append of appends) {
      const again = await check.call<{ results: Array<{ seq: number | null; duplicate: boolean }> }>('turn/event/append', append.params);
      expect(again.results.map((r) => r.seq)).toEqual(append.seqs);
      expect(again.results.every((r) => r.duplicate)).toBe(true);
      const { turn } = await check.call<{ turn: { status: string } }>('turn/get', { workspace_id: ws, turn_id: append.turn_id });
      expect(turn.status).toBe('completed');
    }

    // Each client reconnects and resumes from the last seq it saw: what it saw plus the replay is
    // exactly its thread's notifications from the journal, and live ones follow.
    for (const [c, { thread }] of clients.entries()) {
      const before = seen[c]!;
      const socket = await RpcSocket.open(second.rpcUrl, token);
      sockets.push(socket);
      await socket.call('sync/resume', { workspace_id: ws, after_seq: before.length > 0 ? seqOf(before.at(-1)!) : 0, thread_ids: [thread] });
      const reference = await RpcSocket.open(second.rpcUrl, token);
      sockets.push(reference);
      await reference.call('sync/resume', { workspace_id: ws, after_seq: 0, thread_ids: [thread] });
      const firstSeen = before.length > 0 ? seqOf(before[0]!) : 0;
      expect([...before, ...socket.notifications].map(summary)).toEqual(reference.notifications.filter((n) => seqOf(n) >= firstSeen).map(summary));

      const live = await socket.call<{ seq: number }>('turn/start', { workspace_id: ws, thread_id: thread, input: [{ type: 'text', text: 'after the crash' }] });
      await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed' && seqOf(n) > live.seq), 20_000);
      const seqs = [...before, ...socket.notifications].map(seqOf);
      expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    }
  }, 90_000);
});
