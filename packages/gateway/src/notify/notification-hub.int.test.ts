import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startTestGateway, type TestGateway } from '@cairn/gateway/testing';
import { principalOf } from '../auth/principal.js';
import { Session } from '../session/session.js';
import { NotificationHub } from './notification-hub.js';

let root: string;
let gateway: TestGateway;
let server: WebSocketServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-hub-'));
  gateway = await startTestGateway(join(root, 'home'), { settings: { agent: { runtime: 'external' } } });
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A real socket pair on loopback: the hub sends on the server side, the test reads the client side. */
async function socketPair(): Promise<{ serverSide: WebSocket; received: Array<{ method: string; params: { seq: number } }>; close: () => void }> {
  const serverSide = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const address = server.address() as { port: number };
  const client = new WebSocket(`ws://127.0.0.1:${address.port}`);
  const received: Array<{ method: string; params: { seq: number } }> = [];
  client.on('message', (data) => received.push(JSON.parse(String(data)) as { method: string; params: { seq: number } }));
  await new Promise((resolve) => client.once('open', resolve));
  return { serverSide: await serverSide, received, close: () => client.close() };
}

describe('NotificationHub read-ahead', () => {
  it('delivers a backlog far larger than its read-ahead, in order, each event once, whatever the page alignment', async () => {
    const { store } = gateway.runtime;
    const { workspace_id: ws } = await store.workspaces.ensureDefault();
    await store.threads.start({ workspace_id: ws, thread_id: 'hub-thread' });
    const token = (await store.tokens.get({ token_id: (await store.tokens.list({})).items[0]!.token_id })) ;
    // Pages of 3 and a read-ahead of 7: neither divides the other, so slices of the feed end short.
    const hub = new NotificationHub({ store, redactor: gateway.runtime.redactor, log: gateway.app.log, pageSize: 3, cacheEvents: 7 });
    const pair = await socketPair();
    const session = new Session(pair.serverSide, principalOf(token), 1 << 24);
    const head = await hub.head(ws);
    await hub.subscribe(session, ws, ['hub-thread'], head);
    hub.wakeFromElsewhere(ws); // the feed exists before the backlog arrives
    await hub.drain();
    let n = 0;
    const events = [
      { type: 'turn.started', input: [{ type: 'text', text: 'backlog' }] },
      { type: 'item.started', item_id: 'm', item_type: 'agent_message' },
      ...Array.from({ length: 60 }, (_, i) => ({ type: 'item.agent_message.delta', item_id: 'm', delta: `d${i} ` })),
      { type: 'item.completed', item_id: 'm', status: 'completed' },
      { type: 'turn.completed' },
    ];
    await store.turns.appendEvents({
      workspace_id: ws,
      events: events.map((event) => ({ thread_id: 'hub-thread', turn_id: 'hub-turn', idempotency_key: `hub-${++n}`, event: event as never })),
    });
    hub.wakeFromElsewhere(ws);
    const deadline = Date.now() + 10_000;
    while (pair.received.length < events.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pair.received.map((m) => m.params.seq)).toEqual(Array.from({ length: events.length }, (_, i) => head + 1 + i));
    expect(pair.received.at(-1)?.method).toBe('turn/completed');
    hub.detach(session);
    hub.close();
    pair.close();
  });
});
