import { afterEach, describe, expect, it } from '@jest/globals';
import { THREAD_TREE_MAX_THREADS, ThreadTree as ThreadTreeSchema, checkValue } from '@cairn/protocol';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import { expectCode } from '../testing/expect-error.js';

describe('store.threads.tree', () => {
  let temp: TempStore;
  afterEach(async () => temp.cleanup());

  it('nests folders (by name) and threads (newest first) and matches the protocol schema', async () => {
    temp = await openTempStore({ clock: steppingClock() });
    const { store } = temp;
    await store.workspaces.create({ workspace_id: 'w', name: 'W' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'z', name: 'Zeta' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'a', name: 'Alpha' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'a2', parent_folder_id: 'a', name: 'Inner' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'root-1' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'in-a-1', folder_id: 'a' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'in-a-2', folder_id: 'a' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'in-a2', folder_id: 'a2' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'archived', folder_id: 'z' });
    await store.threads.setStatus({ workspace_id: 'w', thread_id: 'archived', status: 'archived' });
    // Another workspace's rows never show.
    await store.workspaces.create({ workspace_id: 'x', name: 'X' });
    await store.folders.create({ workspace_id: 'x', folder_id: 'xf', name: 'Aardvark' });
    await store.threads.start({ workspace_id: 'x', thread_id: 'x-thread' });

    const tree = await store.threads.tree({ workspace_id: 'w' });
    expect(checkValue(ThreadTreeSchema, tree).ok).toBe(true);
    const shape = (t: typeof tree) => ({
      threads: t.threads.map((x) => x.thread_id),
      folders: t.folders.map(function walk(n): unknown {
        return { id: n.folder.folder_id, threads: n.threads.map((x) => x.thread_id), folders: n.folders.map(walk) };
      }),
    });
    expect(tree.truncated).toBe(false);
    expect(shape(tree)).toEqual({
      threads: ['root-1'],
      folders: [
        { id: 'a', threads: ['in-a-2', 'in-a-1'], folders: [{ id: 'a2', threads: ['in-a2'], folders: [] }] },
        { id: 'z', threads: ['archived'], folders: [] },
      ],
    });
    const active = await store.threads.tree({ workspace_id: 'w', status: 'active' });
    expect(shape(active).folders).toContainEqual({ id: 'z', threads: [], folders: [] });
    await expectCode(store.threads.tree({ workspace_id: 'nope' }), 'not_found');
  });

  it(`includes at most ${THREAD_TREE_MAX_THREADS} threads and says it truncated`, async () => {
    temp = await openTempStore({ clock: steppingClock() });
    const { store } = temp;
    await store.workspaces.create({ workspace_id: 'w', name: 'W' });
    await Promise.all(
      Array.from({ length: THREAD_TREE_MAX_THREADS + 1 }, (_, i) => store.threads.start({ workspace_id: 'w', thread_id: `t${i}` })),
    );
    const tree = await store.threads.tree({ workspace_id: 'w' });
    expect(tree.truncated).toBe(true);
    expect(tree.threads).toHaveLength(THREAD_TREE_MAX_THREADS);
  });
});
