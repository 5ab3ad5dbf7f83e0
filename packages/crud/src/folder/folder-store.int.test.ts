import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { LIMITS } from '@cairn/protocol';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import { expectCode } from '../testing/expect-error.js';
import type { CrudStore } from '../store/crud-store.js';

describe('store.folders', () => {
  let temp: TempStore;
  let store: CrudStore;
  beforeEach(async () => {
    temp = await openTempStore({ clock: steppingClock() });
    store = temp.store;
    await store.workspaces.create({ workspace_id: 'w', name: 'W' });
    await store.workspaces.create({ workspace_id: 'other', name: 'Other' });
  });
  afterEach(async () => temp.cleanup());

  /** a > b > c, plus d at the root. */
  async function tree(): Promise<void> {
    await store.folders.create({ workspace_id: 'w', folder_id: 'a', name: 'A' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'b', parent_folder_id: 'a', name: 'B' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'c', parent_folder_id: 'b', name: 'C' });
    await store.folders.create({ workspace_id: 'w', folder_id: 'd', name: 'D' });
  }

  describe('create', () => {
    it('creates at the root or under a parent, with a generated or client id', async () => {
      const root = await store.folders.create({ workspace_id: 'w', name: 'Root level' });
      expect(root).toEqual({
        folder_id: expect.stringMatching(/^fld_/),
        workspace_id: 'w',
        parent_folder_id: null,
        name: 'Root level',
        created_at: expect.any(String),
        updated_at: root.created_at,
      });
      const child = await store.folders.create({ workspace_id: 'w', folder_id: 'kid', parent_folder_id: root.folder_id, name: 'Kid' });
      expect(child.parent_folder_id).toBe(root.folder_id);
      expect(await store.folders.get({ workspace_id: 'w', folder_id: 'kid' })).toEqual(child);
    });

    it('refuses a taken id, a foreign or unknown parent, an unknown workspace and bad names', async () => {
      await store.folders.create({ workspace_id: 'other', folder_id: 'theirs', name: 'T' });
      await expectCode(store.folders.create({ workspace_id: 'w', folder_id: 'theirs', name: 'Mine' }), 'conflict');
      await expectCode(store.folders.create({ workspace_id: 'w', parent_folder_id: 'theirs', name: 'X' }), 'not_found');
      await expectCode(store.folders.create({ workspace_id: 'w', parent_folder_id: 'nope', name: 'X' }), 'not_found');
      await expectCode(store.folders.create({ workspace_id: 'nope', name: 'X' }), 'not_found');
      await expectCode(store.folders.create({ workspace_id: 'w', name: '' }), 'invalid_params');
      await expectCode(store.folders.create({ workspace_id: 'w', name: 'x'.repeat(LIMITS.nameLength + 1) }), 'invalid_params');
      await expectCode(store.folders.get({ workspace_id: 'w', folder_id: 'theirs' }), 'not_found');
    });
  });

  describe('move', () => {
    it('re-parents a folder with its subtree, and to the root', async () => {
      await tree();
      const moved = await store.folders.move({ workspace_id: 'w', folder_id: 'b', parent_folder_id: 'd' });
      expect(moved.parent_folder_id).toBe('d');
      expect((await store.folders.get({ workspace_id: 'w', folder_id: 'c' })).parent_folder_id).toBe('b');
      expect((await store.folders.move({ workspace_id: 'w', folder_id: 'b', parent_folder_id: null })).parent_folder_id).toBeNull();
    });

    it('refuses a cycle (under itself or a descendant) with invariant_violation', async () => {
      await tree();
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'a', parent_folder_id: 'a' }), 'invariant_violation');
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'a', parent_folder_id: 'b' }), 'invariant_violation');
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'a', parent_folder_id: 'c' }), 'invariant_violation');
      expect((await store.folders.get({ workspace_id: 'w', folder_id: 'a' })).parent_folder_id).toBeNull();
      // Moving down into a sibling branch is fine.
      expect((await store.folders.move({ workspace_id: 'w', folder_id: 'd', parent_folder_id: 'c' })).parent_folder_id).toBe('c');
    });

    it('refuses foreign and unknown folders with not_found', async () => {
      await tree();
      await store.folders.create({ workspace_id: 'other', folder_id: 'theirs', name: 'T' });
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'a', parent_folder_id: 'theirs' }), 'not_found');
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'theirs', parent_folder_id: null }), 'not_found');
      await expectCode(store.folders.move({ workspace_id: 'w', folder_id: 'nope', parent_folder_id: null }), 'not_found');
    });
  });

  describe('delete', () => {
    it('moves threads and direct subfolders up to the parent and deletes only that folder', async () => {
      await tree();
      await store.threads.start({ workspace_id: 'w', thread_id: 'in-b', folder_id: 'b' });
      await store.threads.start({ workspace_id: 'w', thread_id: 'in-c', folder_id: 'c' });
      const result = await store.folders.delete({ workspace_id: 'w', folder_id: 'b' });
      expect(result).toEqual({ folder_id: 'b', reparented_to: 'a', moved_threads: 1, moved_folders: 1 });
      await expectCode(store.folders.get({ workspace_id: 'w', folder_id: 'b' }), 'not_found');
      expect((await store.folders.get({ workspace_id: 'w', folder_id: 'c' })).parent_folder_id).toBe('a');
      expect((await store.threads.get({ workspace_id: 'w', thread_id: 'in-b' })).folder_id).toBe('a');
      expect((await store.threads.get({ workspace_id: 'w', thread_id: 'in-c' })).folder_id).toBe('c');
    });

    it('deleting a root folder moves its contents to the root', async () => {
      await tree();
      await store.threads.start({ workspace_id: 'w', thread_id: 'in-a', folder_id: 'a' });
      expect(await store.folders.delete({ workspace_id: 'w', folder_id: 'a' })).toEqual({
        folder_id: 'a',
        reparented_to: null,
        moved_threads: 1,
        moved_folders: 1,
      });
      expect((await store.threads.get({ workspace_id: 'w', thread_id: 'in-a' })).folder_id).toBeNull();
      expect((await store.folders.get({ workspace_id: 'w', folder_id: 'b' })).parent_folder_id).toBeNull();
    });

    it('refuses foreign and unknown folders with not_found', async () => {
      await store.folders.create({ workspace_id: 'other', folder_id: 'theirs', name: 'T' });
      await expectCode(store.folders.delete({ workspace_id: 'w', folder_id: 'theirs' }), 'not_found');
      await expectCode(store.folders.delete({ workspace_id: 'w', folder_id: 'nope' }), 'not_found');
      expect((await store.folders.get({ workspace_id: 'other', folder_id: 'theirs' })).name).toBe('T');
    });
  });

  it('the database refuses a thread in another workspace\'s folder even if crud were bypassed', async () => {
    await store.folders.create({ workspace_id: 'other', folder_id: 'theirs', name: 'T' });
    await store.threads.start({ workspace_id: 'w', thread_id: 'mine' });
    await expectCode(
      store.context.write((ctx) => ctx.run('UPDATE thread SET folder_id = ? WHERE thread_id = ?', ['theirs', 'mine'])),
      'conflict',
    );
  });
});
