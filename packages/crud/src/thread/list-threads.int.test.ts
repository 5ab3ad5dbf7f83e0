import { afterEach, describe, expect, it } from '@jest/globals';
import type { Thread } from '@cairn/protocol';
import { openTempStore, type TempStore } from '../testing/temp-store.js';
import { manualClock, type ManualClock } from '../testing/manual-clock.js';
import { expectCode } from '../testing/expect-error.js';
import { touchThreadActivity } from './touch-thread-activity.js';

const T0 = Date.parse('2025-01-01T00:00:00.000Z');

describe('store.threads.list', () => {
  let temp: TempStore;
  let clock: ManualClock;
  afterEach(async () => temp.cleanup());

  async function setup(count: number): Promise<Thread[]> {
    clock = manualClock(T0);
    temp = await openTempStore({ clock });
    await temp.store.workspaces.create({ workspace_id: 'w', name: 'W' });
    const made: Thread[] = [];
    for (let i = 0; i < count; i++) {
      clock.tick();
      made.push((await temp.store.threads.start({ workspace_id: 'w', thread_id: `t${String(i).padStart(3, '0')}` })).thread);
    }
    return made;
  }

  async function drain(params: Parameters<TempStore['store']['threads']['list']>[0], between?: () => Promise<unknown>): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const [page] = await Promise.all([temp.store.threads.list({ ...params, ...(cursor ? { cursor } : {}) }), between?.()]);
      ids.push(...page.items.map((t) => t.thread_id));
      if (page.next_cursor === null) return ids;
      cursor = page.next_cursor;
    }
  }

  it('orders newest activity first with a default page of 50', async () => {
    const made = await setup(55);
    const page = await temp.store.threads.list({ workspace_id: 'w' });
    expect(page.items).toHaveLength(50);
    expect(page.items[0]!.thread_id).toBe(made[54]!.thread_id);
    expect(page.next_cursor).not.toBeNull();
  });

  it('pages through everything exactly once while new threads are inserted concurrently', async () => {
    const made = await setup(30);
    let n = 0;
    // Runs at the same time as each page read: new threads (newest activity) land ahead of the cursor.
    const insert = () =>
      Promise.all(Array.from({ length: 3 }, () => temp.store.threads.start({ workspace_id: 'w', thread_id: `new-${n++}` })));
    const ids = await drain({ workspace_id: 'w', limit: 7 }, insert);
    const expected = [...made].reverse().map((t) => t.thread_id);
    // Every original thread exactly once and in order; concurrent inserts may or may not show up on the first page only.
    expect(ids.filter((id) => !id.startsWith('new-'))).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('shows a thread inserted behind the cursor once, and skips nothing', async () => {
    const made = await setup(20);
    let inserted = false;
    const insertOld = async () => {
      if (inserted) return;
      inserted = true;
      // A thread whose activity sorts between existing ones, below the first page.
      clock.set(T0 + 5 * 1000 + 500);
      await temp.store.threads.start({ workspace_id: 'w', thread_id: 'late-but-old' });
    };
    const ids = await drain({ workspace_id: 'w', limit: 4 }, insertOld);
    expect(ids.filter((id) => id !== 'late-but-old')).toEqual([...made].reverse().map((t) => t.thread_id));
    expect(ids.filter((id) => id === 'late-but-old')).toHaveLength(1);
  });

  it('breaks timestamp ties by thread id so equal activity never duplicates or skips', async () => {
    clock = manualClock(T0);
    temp = await openTempStore({ clock: () => new Date(T0) });
    await temp.store.workspaces.create({ workspace_id: 'w', name: 'W' });
    for (let i = 0; i < 10; i++) await temp.store.threads.start({ workspace_id: 'w', thread_id: `same-${i}` });
    const ids = await drain({ workspace_id: 'w', limit: 3 });
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `same-${9 - i}`));
  });

  it('filters by folder (one folder, or the root with null) and by status', async () => {
    const made = await setup(6);
    const { store } = temp;
    const folder = await store.folders.create({ workspace_id: 'w', folder_id: 'f1', name: 'F1' });
    await store.threads.move({ workspace_id: 'w', thread_id: made[1]!.thread_id, folder_id: folder.folder_id });
    await store.threads.move({ workspace_id: 'w', thread_id: made[3]!.thread_id, folder_id: folder.folder_id });
    await store.threads.setStatus({ workspace_id: 'w', thread_id: made[3]!.thread_id, status: 'archived' });
    await store.threads.setStatus({ workspace_id: 'w', thread_id: made[4]!.thread_id, status: 'archived' });

    expect(await drain({ workspace_id: 'w', folder_id: 'f1', limit: 1 })).toEqual(['t003', 't001']);
    expect(await drain({ workspace_id: 'w', folder_id: null, limit: 2 })).toEqual(['t005', 't004', 't002', 't000']);
    expect(await drain({ workspace_id: 'w', status: 'archived' })).toEqual(['t004', 't003']);
    expect(await drain({ workspace_id: 'w', status: 'active', folder_id: 'f1' })).toEqual(['t001']);
    expect(await drain({ workspace_id: 'w', status: 'active', folder_id: null, limit: 1 })).toEqual(['t005', 't002', 't000']);
  });

  it('refuses a cursor issued for another filter, an unknown folder, an unknown workspace and bad limits', async () => {
    await setup(5);
    const { store } = temp;
    const page = await store.threads.list({ workspace_id: 'w', limit: 2 });
    await expectCode(store.threads.list({ workspace_id: 'w', status: 'active', cursor: page.next_cursor! }), 'invalid_params');
    await expectCode(store.threads.list({ workspace_id: 'w', folder_id: 'nope' }), 'not_found');
    await expectCode(store.threads.list({ workspace_id: 'nope' }), 'not_found');
    await expectCode(store.threads.list({ workspace_id: 'w', limit: 0 }), 'invalid_params');
    await expectCode(store.threads.list({ workspace_id: 'w', limit: 501 }), 'invalid_params');
    await expectCode(store.threads.list({ workspace_id: 'w', cursor: 'eyJ2IjoxfQ' }), 'invalid_params');
    expect((await store.threads.list({ workspace_id: 'w', limit: 500 })).items).toHaveLength(5);
  });

  it('touchThreadActivity moves a thread to the top, and never backwards', async () => {
    const made = await setup(3);
    const { store } = temp;
    const later = new Date(T0 + 3600_000).toISOString();
    const moved = await store.context.write((ctx) => touchThreadActivity(ctx, made[0]!.thread_id, later));
    expect(moved).toBe(true);
    expect((await store.threads.list({ workspace_id: 'w' })).items.map((t) => t.thread_id)).toEqual(['t000', 't002', 't001']);
    const back = await store.context.write((ctx) => touchThreadActivity(ctx, made[0]!.thread_id, new Date(T0).toISOString()));
    expect(back).toBe(false);
    expect((await store.threads.get({ workspace_id: 'w', thread_id: 't000' })).last_activity_at).toBe(later);
  });
});
