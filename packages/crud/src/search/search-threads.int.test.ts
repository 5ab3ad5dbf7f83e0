import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import { THREAD, WS, openTurnFixture, text, type TurnFixture } from '../turns/testing/turn-fixture.js';

describe('thread/search (FTS5 SearchIndex)', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
    await fx.store.threads.start({ workspace_id: WS, thread_id: 't2' });
    await fx.store.workspaces.create({ workspace_id: 'w2', name: 'Other' });
    await fx.store.threads.start({ workspace_id: 'w2', thread_id: 'tx' });
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('finds turn inputs and finished items of the workspace only, best match first, with a snippet', async () => {
    await fx.append('u1', text('Please rotate the database credentials'));
    await fx.append('u1', { type: 'item.started', item_id: 'c1', item_type: 'command', payload: { command: 'vault rotate database' } });
    await fx.append('u1', { type: 'item.started', item_id: 'm1', item_type: 'agent_message' });
    await fx.append('u1', { type: 'item.agent_message.delta', item_id: 'm1', delta: 'Rotating the database password now' });
    expect((await fx.searchStore.threads({ workspace_id: WS, query: 'rotating' })).items).toEqual([]); // not finished yet
    await fx.append('u1', { type: 'item.completed', item_id: 'c1', status: 'completed' });
    await fx.append('u1', { type: 'item.completed', item_id: 'm1', status: 'completed' });
    await fx.append('u2', text('database database database migration'), { threadId: 't2' });
    await fx.append('ux', text('database in another workspace'), { threadId: 'tx', workspaceId: 'w2' });

    const hits = await fx.searchStore.threads({ workspace_id: WS, query: 'database' });
    expect(hits.items.map((h) => [h.turn_id, h.item_id, h.kind])).toEqual(
      expect.arrayContaining([
        ['u1', null, 'input'],
        ['u1', 'c1', 'item'],
        ['u1', 'm1', 'item'],
        ['u2', null, 'input'],
      ]),
    );
    expect(hits.items).toHaveLength(4);
    expect(hits.items[0]!.turn_id).toBe('u2');
    expect(hits.items.find((h) => h.item_id === 'm1')!.snippet).toContain('[database]');
    expect((await fx.searchStore.threads({ workspace_id: WS, query: 'databa' })).items).toHaveLength(4);
    expect((await fx.searchStore.threads({ workspace_id: WS, query: 'database', thread_id: 't2' })).items.map((h) => h.turn_id)).toEqual(['u2']);
    expect((await fx.searchStore.threads({ workspace_id: 'w2', query: 'database' })).items.map((h) => h.turn_id)).toEqual(['ux']);
    expect((await fx.searchStore.threads({ workspace_id: WS, query: '"NEAR(' })).items).toEqual([]);
  });

  it('pages with a cursor bound to the query', async () => {
    for (let i = 0; i < 5; i++) await fx.append(`u${i}`, text(`needle number ${i}`));
    const seen: string[] = [];
    let cursor: string | undefined;
    let first: string | undefined;
    do {
      const page = await fx.searchStore.threads({ workspace_id: WS, query: 'needle', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((h) => h.turn_id));
      cursor = page.next_cursor ?? undefined;
      first ??= cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
    await expectCode(fx.searchStore.threads({ workspace_id: WS, query: 'other', cursor: first! }), 'invalid_params');
    await expectCode(fx.searchStore.threads({ workspace_id: WS, query: 'x', thread_id: 'tx' }), 'not_found');
    await expectCode(fx.searchStore.threads({ workspace_id: WS, query: '   ' }), 'invalid_params');
  });

  it('is emptied and refilled by a rebuild', async () => {
    await fx.append('u1', text('findable words'));
    const before = await fx.rows('turn_search');
    await fx.repair.rebuild();
    expect(await fx.rows('turn_search')).toEqual(before);
    expect((await fx.searchStore.threads({ workspace_id: WS, query: 'findable' })).items).toHaveLength(1);
    expect(THREAD).toBe('t1');
  });
});
