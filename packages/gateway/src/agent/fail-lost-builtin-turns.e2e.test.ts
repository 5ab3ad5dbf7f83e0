import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrudStore } from '@cairn/crud';
import { startTestGateway, type TestGateway } from '../testing/gateway-fixture.js';

let root: string;
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

const started = { type: 'turn.started', input: [{ type: 'text', text: 'hi' }] } as const;

async function seed(store: CrudStore, ws: string) {
  await store.threads.start({ workspace_id: ws, thread_id: 'thr-1' });
  const append = (turn_id: string, idempotency_key: string, event: Record<string, unknown>) =>
    store.turns.appendEvent({ workspace_id: ws, thread_id: 'thr-1', turn_id, idempotency_key, event: event as never });
  // What a gateway killed mid-turn leaves: a turn/start that the built-in runtime had not stepped yet,
  await append('turn-only-started', 'client:1', started);
  // one it had stepped (its keys are `builtin:<turn>:<step>`),
  await append('turn-builtin', 'client:2', started);
  await append('turn-builtin', 'builtin:turn-builtin:0', { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' });
  // a turn an external runtime reports into (keys of its own), and one that ended.
  await append('turn-external', 'ext:0', started);
  await append('turn-external', 'ext:1', { type: 'item.started', item_id: 'm', item_type: 'agent_message' });
  await append('turn-done', 'done:0', started);
  await append('turn-done', 'done:1', { type: 'turn.completed' });
}

async function statuses(store: CrudStore, ws: string) {
  const out: Record<string, string> = {};
  for (const turn_id of ['turn-only-started', 'turn-builtin', 'turn-external', 'turn-done']) {
    const { turn } = await store.turns.get({ workspace_id: ws, turn_id });
    out[turn_id] = turn.status === 'failed' ? `failed:${turn.error?.code}` : turn.status;
  }
  return out;
}

describe('startup recovery of built-in turns a dead gateway left running', () => {
  it('fails the built-in runtime\'s running turns with runtime_lost, once, and leaves external and ended turns alone', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-lost-turns-'));
    const home = join(root, 'home');
    gateway = await startTestGateway(home, { settings: { agent: { runtime: 'external' } } });
    const ws = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
    await seed(gateway.runtime.store, ws);
    await gateway.close();

    // With an external runtime, the gateway runs no turn itself: nothing is its to fail.
    gateway = await startTestGateway(home, { settings: { agent: { runtime: 'external' } } });
    expect(gateway.runtime.recovery.lostBuiltinTurns).toEqual({ detected: 0, repaired: 0, remaining: 0 });
    expect(await statuses(gateway.runtime.store, ws)).toMatchObject({ 'turn-only-started': 'running', 'turn-builtin': 'running' });
    await gateway.close();

    gateway = await startTestGateway(home);
    expect(gateway.runtime.recovery.lostBuiltinTurns).toEqual({ detected: 2, repaired: 2, remaining: 0 });
    expect(await statuses(gateway.runtime.store, ws)).toEqual({
      'turn-only-started': 'failed:runtime_lost',
      'turn-builtin': 'failed:runtime_lost',
      'turn-external': 'running',
      'turn-done': 'completed',
    });
    await gateway.close();

    gateway = await startTestGateway(home);
    expect(gateway.runtime.recovery.lostBuiltinTurns).toEqual({ detected: 0, repaired: 0, remaining: 0 });
  });
});
