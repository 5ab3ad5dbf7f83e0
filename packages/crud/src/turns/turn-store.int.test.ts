import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload, TurnWithItems } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { THREAD, WS, openTurnFixture, text, type TurnFixture } from './testing/turn-fixture.js';

const item = (item_id: string): TurnEventPayload => ({ type: 'item.started', item_id, item_type: 'agent_message' });
const done = (item_id: string): TurnEventPayload => ({ type: 'item.completed', item_id, status: 'completed', text: `text of ${item_id}` });

describe('TurnStore', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('starts a turn (client id or generated) and answers the turn with the append result', async () => {
    const started = await fx.turns.start({ workspace_id: WS, thread_id: THREAD, turn_id: 'u1', input: [{ type: 'text', text: 'hi' }] });
    // Position and seq 1 are the thread's thread.started.
    expect(started).toMatchObject({ outcome: 'applied', duplicate: false, position: 2, seq: 2, turn: { turn_id: 'u1', status: 'running', input: [{ type: 'text', text: 'hi' }] } });
    const again = await fx.turns.start({ workspace_id: WS, thread_id: THREAD, turn_id: 'u1', input: [{ type: 'text', text: 'hi' }] });
    expect(again).toMatchObject({ outcome: 'noop_already_started', position: null, turn: started.turn });
    const generated = await fx.turns.start({ workspace_id: WS, thread_id: THREAD, input: [{ type: 'text', text: 'next' }] });
    expect(generated.turn).toMatchObject({ thread_seq: 2 });
    expect(generated.turn.turn_id).toMatch(/^turn_/);
    await expectCode(fx.turns.start({ workspace_id: WS, thread_id: 'ghost', input: [{ type: 'text', text: 'x' }] }), 'invariant_violation');
    await expectCode(fx.turns.start({ workspace_id: WS, thread_id: THREAD, input: [] } as never), 'invalid_params');
  });

  it('cancels a running turn with its open items; a second cancel or a cancel after the end is a named no-op', async () => {
    await fx.append('u1', text('a'));
    await fx.append('u1', item('i1'));
    const cancelled = await fx.turns.cancel({ workspace_id: WS, turn_id: 'u1', reason: 'user' });
    expect(cancelled).toMatchObject({ outcome: 'applied', turn: { status: 'cancelled' } });
    expect((await fx.turns.items({ workspace_id: WS, turn_id: 'u1' })).items).toMatchObject([{ status: 'cancelled', reason: 'turn_cancelled' }]);
    expect(await fx.turns.cancel({ workspace_id: WS, turn_id: 'u1' })).toMatchObject({ outcome: 'noop_duplicate_terminal', position: null });
    await fx.append('u2', text('b'));
    await fx.append('u2', { type: 'turn.completed' });
    expect(await fx.turns.cancel({ workspace_id: WS, turn_id: 'u2' })).toMatchObject({ outcome: 'noop_already_terminal', turn: { status: 'completed' } });
    await expectCode(fx.turns.cancel({ workspace_id: WS, turn_id: 'ghost' }), 'not_found');
  });

  it('reads a turn, its status history, items (with attempts) and timeline, page by page; other workspaces see nothing', async () => {
    await fx.append('u1', text('a'));
    for (const id of ['i1', 'i2', 'i3']) {
      await fx.append('u1', item(id));
      await fx.append('u1', done(id));
    }
    await fx.append('u1', { type: 'turn.completed' });
    const got = await fx.turns.get({ workspace_id: WS, turn_id: 'u1', include_status_history: true });
    expect(got.turn).toMatchObject({ status: 'completed', item_count: 3, last_seq: 8 });
    expect(got.status_history!.map((c) => c.to_status)).toEqual(['running', 'completed']);
    expect(await fx.turns.statusHistory({ workspace_id: WS, turn_id: 'u1' })).toEqual(got.status_history);

    const first = await fx.turns.items({ workspace_id: WS, turn_id: 'u1', limit: 2, include_attempts: true });
    expect(first.items.map((i) => [i.item_id, i.text, i.attempts?.length])).toEqual([
      ['i1', 'text of i1', 1],
      ['i2', 'text of i2', 1],
    ]);
    const second = await fx.turns.items({ workspace_id: WS, turn_id: 'u1', limit: 2, cursor: first.next_cursor! });
    expect(second).toMatchObject({ items: [{ item_id: 'i3' }], next_cursor: null });

    const timeline: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.turns.timeline({ workspace_id: WS, turn_id: 'u1', limit: 3, ...(cursor ? { cursor } : {}) });
      timeline.push(...page.items.map((e) => `${e.seq}:${e.type}`));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(timeline).toEqual(['1:turn.started', '2:item.started', '3:item.completed', '4:item.started', '5:item.completed', '6:item.started', '7:item.completed', '8:turn.completed']);

    await fx.store.workspaces.create({ workspace_id: 'w2', name: 'Other' });
    await expectCode(fx.turns.get({ workspace_id: 'w2', turn_id: 'u1' }), 'not_found');
    await expectCode(fx.turns.items({ workspace_id: 'w2', turn_id: 'u1' }), 'not_found');
    await expectCode(fx.turns.items({ workspace_id: WS, turn_id: 'u1', cursor: first.next_cursor!.slice(0, -4) + 'AAAA' }), 'invalid_params');
  });

  it('pages a thread history newest turn first, splitting a turn larger than a page', async () => {
    // u1: 2 items, u2: 5 items, u3: 1 item, u4: no items.
    const sizes: Array<[string, number]> = [['u1', 2], ['u2', 5], ['u3', 1], ['u4', 0]];
    for (const [turn, n] of sizes) {
      await fx.append(turn, text(turn));
      for (let i = 1; i <= n; i++) await fx.append(turn, item(`${turn}-i${i}`));
    }
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await fx.turns.history({ workspace_id: WS, thread_id: THREAD, limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((t: TurnWithItems) => `${t.turn.turn_id}[${t.items.map((i) => i.item_id.split('-')[1]).join(',')}]${t.items_truncated ? '+' : ''}`));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 10);
    expect(pages).toEqual([['u4[]', 'u3[i1]', 'u2[i1,i2]+'], ['u2[i3,i4,i5]+'], ['u1[i1,i2]']]);
    await expectCode(fx.turns.history({ workspace_id: 'nope', thread_id: THREAD }), 'not_found');
  });

  it('refuses an oversized payload before touching the database', async () => {
    await fx.append('u1', text('a'));
    const big = { type: 'item.started', item_id: 'c1', item_type: 'command', payload: { blob: 'x'.repeat(300 * 1024) } } as TurnEventPayload;
    await expectCode(fx.append('u1', big), 'payload_too_large');
  });
});
