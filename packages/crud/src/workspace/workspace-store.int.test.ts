import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LIMITS } from '@cairn/protocol';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import { expectCode } from '../testing/expect-error.js';
import type { CrudStore } from '../store/crud-store.js';

describe('store.workspaces', () => {
  let temp: TempStore;
  let store: CrudStore;
  beforeAll(async () => {
    temp = await openTempStore({ clock: steppingClock() });
    store = temp.store;
  });
  afterAll(async () => temp.cleanup());

  it('creates with a generated id and reads it back', async () => {
    const ws = await store.workspaces.create({ name: 'Research' });
    expect(ws).toEqual({
      workspace_id: expect.stringMatching(/^ws_/),
      name: 'Research',
      is_default: false,
      created_at: expect.stringMatching(/Z$/),
      updated_at: ws.created_at,
    });
    expect(await store.workspaces.get({ workspace_id: ws.workspace_id })).toEqual(ws);
  });

  it('creates with a client-chosen id, and refuses the same id twice with conflict', async () => {
    const ws = await store.workspaces.create({ workspace_id: 'client-ws-1', name: 'Mine' });
    expect(ws.workspace_id).toBe('client-ws-1');
    await expectCode(store.workspaces.create({ workspace_id: 'client-ws-1', name: 'Again' }), 'conflict');
  });

  it('answers not_found for an unknown id', async () => {
    await expectCode(store.workspaces.get({ workspace_id: 'nope' }), 'not_found');
  });

  it('refuses bad input with invalid_params', async () => {
    await expectCode(store.workspaces.create({ name: '' }), 'invalid_params');
    await expectCode(store.workspaces.create({ name: '  \t ' }), 'invalid_params');
    await expectCode(store.workspaces.create({ name: 'x'.repeat(LIMITS.nameLength + 1) }), 'invalid_params');
    await expectCode(store.workspaces.create({ workspace_id: '../etc', name: 'ok' }), 'invalid_params');
    await expectCode(store.workspaces.create({ name: 'ok', extra: 1 } as never), 'invalid_params');
    await expectCode(store.workspaces.get({} as never), 'invalid_params');
    await expectCode(store.workspaces.list({ limit: 0 }), 'invalid_params');
    await expectCode(store.workspaces.list({ limit: 501 }), 'invalid_params');
    await expectCode(store.workspaces.list({ cursor: 'garbage' }), 'invalid_params');
    const error = await expectCode(store.workspaces.create({ name: '' }), 'invalid_params');
    expect(error.details).toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ path: '/name' })]) });
  });

  it('lists oldest first across pages', async () => {
    const { store: s, cleanup } = await openTempStore({ clock: steppingClock() });
    try {
      const made = [];
      for (let i = 0; i < 7; i++) made.push(await s.workspaces.create({ name: `w${i}` }));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.workspaces.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((w) => w.workspace_id));
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(made.map((w) => w.workspace_id));
      expect((await s.workspaces.list()).items).toHaveLength(7);
    } finally {
      await cleanup();
    }
  });

  describe('ensureDefault (workspace/default)', () => {
    it('creates the default once and returns it afterwards', async () => {
      const first = await store.workspaces.ensureDefault();
      expect(first).toMatchObject({ name: 'Default', is_default: true });
      expect(await store.workspaces.ensureDefault()).toEqual(first);
    });

    it('racing itself (20 at once) yields exactly one workspace', async () => {
      const { store: s, cleanup } = await openTempStore();
      try {
        const results = await Promise.all(Array.from({ length: 20 }, () => s.workspaces.ensureDefault()));
        expect(new Set(results.map((w) => w.workspace_id)).size).toBe(1);
        const all = await s.workspaces.list({ limit: 500 });
        expect(all.items.filter((w) => w.is_default)).toHaveLength(1);
        expect(all.items).toHaveLength(1);
      } finally {
        await cleanup();
      }
    });

    it('two stores on one file (two writers) still agree on one default', async () => {
      const { store: a, reopen, cleanup } = await openTempStore();
      const b = await reopen();
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).workspaces.ensureDefault()),
        );
        expect(new Set(results.map((w) => w.workspace_id)).size).toBe(1);
      } finally {
        await b.close();
        await cleanup();
      }
    });

    it('the database itself refuses a second default', async () => {
      const ws = await store.workspaces.create({ name: 'Pretender' });
      await expectCode(
        store.context.write((ctx) => ctx.run('UPDATE workspace SET default_slot = ? WHERE workspace_id = ?', ['default', ws.workspace_id])),
        'conflict',
      );
    });
  });
});
