import { afterEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import type { HeldTextGuard } from '../journal/types.js';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';

const SECRET = 'open-sesame-77';

/**
 * A guard with the contract the keystore's implements: redacts SECRET, holds the longest tail
 * that is a proper prefix of it, "seals" by reversing behind a marker (enough to tell sealed
 * from plain here; the gateway's seals with AES-GCM).
 */
function testGuard(): HeldTextGuard & { broken: boolean } {
  const guard = {
    broken: false,
    split(text: string) {
      const redacted = text.replaceAll(SECRET, '[REDACTED]');
      let hold = 0;
      for (let k = Math.min(SECRET.length - 1, redacted.length); k > 0; k--) {
        if (redacted.endsWith(SECRET.slice(0, k))) {
          hold = k;
          break;
        }
      }
      return { release: redacted.slice(0, redacted.length - hold), hold: redacted.slice(redacted.length - hold) };
    },
    seal: (text: string) => `sealed:${[...text].reverse().join('')}`,
    open: (sealed: string) => (guard.broken || !sealed.startsWith('sealed:') ? undefined : [...sealed.slice(7)].reverse().join('')),
  };
  return guard;
}

describe('held streamed text (crud write path)', () => {
  let temp: TempStore | undefined;
  afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
  });

  async function open(guard = testGuard()) {
    temp = await openTempStore({ clock: steppingClock(), journal: { heldText: guard } });
    const { store } = temp;
    await store.workspaces.create({ workspace_id: 'w', name: 'W' });
    await store.threads.start({ workspace_id: 'w', thread_id: 't' });
    let key = 0;
    const append = (turnId: string, event: TurnEventPayload) =>
      store.turns.appendEvent({ workspace_id: 'w', thread_id: 't', turn_id: turnId, idempotency_key: `k${++key}`, event });
    const item = async (turnId: string, itemId = 'm') =>
      (await store.turns.items({ workspace_id: 'w', turn_id: turnId, limit: 10 })).items.find((i) => i.item_id === itemId)!;
    const heldColumn = (turnId: string, itemId = 'm') =>
      store.context.read(async (q) => (await q.get<{ held_sealed: string | null }>('SELECT held_sealed FROM turn_item WHERE turn_id = ? AND item_id = ?', [turnId, itemId]))!.held_sealed);
    const journaled = (turnId: string) =>
      store.context.read((q) => q.all<{ type: string; payload: string }>("SELECT type, payload FROM journal_event WHERE stream_id = ? ORDER BY position", [turnId]));
    return { store, guard, append, item, heldColumn, journaled };
  }

  async function startMessage(append: (turnId: string, event: TurnEventPayload) => Promise<unknown>, turnId: string, itemId = 'm') {
    await append(turnId, { type: 'turn.started', input: [{ type: 'text', text: 'go' }] });
    await append(turnId, { type: 'item.started', item_id: itemId, item_type: 'agent_message' });
  }

  it('journals and projects only the released text; the held tail is stored sealed, in the journal and on the item', async () => {
    const { append, item, heldColumn, journaled } = await open();
    await startMessage(append, 'u');
    await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: 'say open-ses' });
    expect((await item('u')).text).toBe('say ');
    expect(await heldColumn('u')).toBe('sealed:ses-nepo');
    const delta = JSON.parse((await journaled('u'))[2]!.payload) as Record<string, unknown>;
    expect(delta).toMatchObject({ type: 'item.agent_message.delta', delta: 'say ', held: 'sealed:ses-nepo' });
    await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: 'ame-77!' });
    expect((await item('u')).text).toBe('say [REDACTED]!');
    expect(await heldColumn('u')).toBeNull();
    expect(JSON.stringify(await journaled('u'))).not.toContain('open-ses');
  });

  it('a delta that is all held leaves the text as it was (null stays null)', async () => {
    const { append, item, heldColumn } = await open();
    await startMessage(append, 'u');
    expect((await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: 'open' })).outcome).toBe('applied');
    expect((await item('u')).text).toBeNull();
    expect(await heldColumn('u')).toBe('sealed:nepo');
  });

  it('item.completed releases the held tail; given text replaces it all', async () => {
    const { append, item, journaled } = await open();
    await startMessage(append, 'u');
    await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: 'it is open-s' });
    await append('u', { type: 'item.completed', item_id: 'm', status: 'completed' });
    expect((await item('u')).text).toBe('it is open-s');
    expect(JSON.parse((await journaled('u'))[3]!.payload)).toMatchObject({ type: 'item.completed', held_release: 'open-s' });

    await startMessage(append, 'v');
    await append('v', { type: 'item.agent_message.delta', item_id: 'm', delta: 'open-s' });
    await append('v', { type: 'item.completed', item_id: 'm', status: 'completed', text: 'final answer' });
    expect((await item('v')).text).toBe('final answer');
    expect(JSON.parse((await journaled('v'))[3]!.payload)).not.toHaveProperty('held_release');
  });

  it('turn.failed releases the held tails of every open item, item ids like `constructor` or `toString` included', async () => {
    const { append, item } = await open();
    await startMessage(append, 'u', 'constructor');
    await append('u', { type: 'item.started', item_id: 'other', item_type: 'reasoning' });
    await append('u', { type: 'item.started', item_id: 'toString', item_type: 'agent_message' });
    await append('u', { type: 'item.agent_message.delta', item_id: 'constructor', delta: 'a open-' });
    await append('u', { type: 'item.agent_message.delta', item_id: 'other', delta: 'b op' });
    await append('u', { type: 'item.agent_message.delta', item_id: 'toString', delta: 'nothing held' });
    await append('u', { type: 'turn.failed', error: { code: 'provider_error', message: 'boom' } });
    expect([(await item('u', 'constructor')).text, (await item('u', 'other')).text, (await item('u', 'toString')).text]).toEqual(['a open-', 'b op', 'nothing held']);
  });

  it('a held tail that can no longer be opened is released as [redacted], and the item still closes', async () => {
    const { append, item, guard } = await open();
    await startMessage(append, 'u');
    await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: 'x open-ses' });
    guard.broken = true;
    await append('u', { type: 'item.completed', item_id: 'm', status: 'completed' });
    expect((await item('u')).text).toBe('x [redacted]');
  });

  it('a retried delta answers its first result and holds nothing twice', async () => {
    const { store, append, item } = await open();
    await startMessage(append, 'u');
    const params = { workspace_id: 'w', thread_id: 't', turn_id: 'u', idempotency_key: 'd1', event: { type: 'item.agent_message.delta', item_id: 'm', delta: 'hi open' } } as const;
    const first = await store.turns.appendEvent(params);
    expect(await store.turns.appendEvent(params)).toEqual({ ...first, duplicate: true });
    await append('u', { type: 'item.agent_message.delta', item_id: 'm', delta: '-sesame-77' });
    expect((await item('u')).text).toBe('hi [REDACTED]');
  });

  it('holds across the events of one batch: each delta sees the tail the one before it held', async () => {
    const { store, append, item, journaled } = await open();
    await startMessage(append, 'u');
    const entry = (key: string, event: TurnEventPayload) => ({ thread_id: 't', turn_id: 'u', idempotency_key: key, event });
    const delta = (key: string, text: string) => entry(key, { type: 'item.agent_message.delta', item_id: 'm', delta: text });
    await store.turns.appendEvents({ workspace_id: 'w', events: [delta('b1', 'say open-'), delta('b2', 'ses'), delta('b3', 'ame-77 and open-s')] });
    expect((await item('u')).text).toBe('say [REDACTED] and ');
    await store.turns.appendEvents({ workspace_id: 'w', events: [delta('b4', 'es'), entry('b5', { type: 'item.completed', item_id: 'm', status: 'completed' })] });
    expect((await item('u')).text).toBe('say [REDACTED] and open-ses');
    // The journal never held the value, only sealed tails and what was released around it.
    expect(JSON.stringify(await journaled('u'))).not.toContain(SECRET);
    expect((await journaled('u')).filter((e) => e.type === 'item.agent_message.delta').map((e) => JSON.parse(e.payload).delta)).toEqual(['say ', '', '[REDACTED] and ', '']);
  });
});
