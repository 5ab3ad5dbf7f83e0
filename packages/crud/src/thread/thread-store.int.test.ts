import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_SANDBOX_POLICY, LIMITS, Thread as ThreadSchema, ThreadFolder as FolderSchema, checkValue, type SandboxPolicy } from '@cairn/protocol';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import { expectCode } from '../testing/expect-error.js';
import type { CrudStore } from '../store/crud-store.js';

describe('store.threads', () => {
  let temp: TempStore;
  let store: CrudStore;
  let ws: string;
  let other: string;
  beforeAll(async () => {
    temp = await openTempStore({ clock: steppingClock() });
    store = temp.store;
    ws = (await store.workspaces.create({ workspace_id: 'ws-a', name: 'A' })).workspace_id;
    other = (await store.workspaces.create({ workspace_id: 'ws-b', name: 'B' })).workspace_id;
  });
  afterAll(async () => temp.cleanup());

  describe('start', () => {
    it('creates a thread with a client id and defaults', async () => {
      const { thread, created } = await store.threads.start({ workspace_id: ws, thread_id: 'thr-1' });
      expect(created).toBe(true);
      expect(thread).toEqual({
        thread_id: 'thr-1',
        workspace_id: ws,
        folder_id: null,
        title: null,
        summary: null,
        summary_updated_at: null,
        status: 'active',
        sandbox_policy: DEFAULT_SANDBOX_POLICY,
        forked_from_thread_id: null,
        forked_from_turn_id: null,
        created_at: expect.any(String),
        updated_at: thread.created_at,
        last_activity_at: thread.created_at,
      });
      expect(await store.threads.get({ workspace_id: ws, thread_id: 'thr-1' })).toEqual(thread);
    });

    it('generates an id when none is given, and stores title, folder and policy', async () => {
      const folder = await store.folders.create({ workspace_id: ws, name: 'F' });
      const policy: SandboxPolicy = { mode: 'read_only', writable_roots: ['/tmp/x'], network_access: true };
      const { thread } = await store.threads.start({ workspace_id: ws, title: 'Hello', folder_id: folder.folder_id, sandbox_policy: policy });
      expect(thread).toMatchObject({ thread_id: expect.stringMatching(/^thr_/), title: 'Hello', folder_id: folder.folder_id, sandbox_policy: policy });
      // Records are exactly the wire DTOs.
      expect(checkValue(ThreadSchema, thread)).toEqual({ ok: true, value: thread });
      expect(checkValue(FolderSchema, folder)).toEqual({ ok: true, value: folder });
    });

    it('re-opens an existing thread of the same workspace unchanged', async () => {
      const { thread: first } = await store.threads.start({ workspace_id: ws, thread_id: 'thr-reopen', title: 'Original' });
      const again = await store.threads.start({ workspace_id: ws, thread_id: 'thr-reopen', title: 'Ignored' });
      expect(again).toEqual({ thread: first, created: false });
    });

    it('re-opening an archived thread makes it active again', async () => {
      await store.threads.start({ workspace_id: ws, thread_id: 'thr-archived' });
      await store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-archived', status: 'archived' });
      const { thread, created } = await store.threads.start({ workspace_id: ws, thread_id: 'thr-archived' });
      expect(created).toBe(false);
      expect(thread.status).toBe('active');
    });

    it('an id held by another workspace is a conflict that does not name that workspace', async () => {
      await store.threads.start({ workspace_id: other, thread_id: 'thr-taken' });
      const error = await expectCode(store.threads.start({ workspace_id: ws, thread_id: 'thr-taken' }), 'conflict');
      expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain(other);
    });

    it('refuses an unknown workspace, a foreign or unknown folder, and bad input', async () => {
      await expectCode(store.threads.start({ workspace_id: 'ws-none', thread_id: 'thr-x' }), 'not_found');
      const foreign = await store.folders.create({ workspace_id: other, name: 'Theirs' });
      await expectCode(store.threads.start({ workspace_id: ws, folder_id: foreign.folder_id }), 'not_found');
      await expectCode(store.threads.start({ workspace_id: ws, folder_id: 'fld-none' }), 'not_found');
      await expectCode(store.threads.start({ workspace_id: ws, title: '' }), 'invalid_params');
      await expectCode(store.threads.start({ workspace_id: ws, title: 'x'.repeat(LIMITS.titleLength + 1) }), 'invalid_params');
      await expectCode(store.threads.start({ workspace_id: ws, thread_id: 'has space' }), 'invalid_params');
      await expectCode(
        store.threads.start({ workspace_id: ws, sandbox_policy: { mode: 'yolo', writable_roots: [], network_access: false } as never }),
        'invalid_params',
      );
    });
  });

  describe('get', () => {
    it('answers not_found for unknown ids and for threads of another workspace alike', async () => {
      const unknown = await expectCode(store.threads.get({ workspace_id: ws, thread_id: 'thr-none' }), 'not_found');
      const foreign = await expectCode(store.threads.get({ workspace_id: ws, thread_id: 'thr-taken' }), 'not_found');
      expect(foreign.message).toBe(unknown.message);
      expect(JSON.stringify(foreign.details)).not.toContain(other);
    });
  });

  describe('move', () => {
    it('moves into a folder of the same workspace and back to the root', async () => {
      const folder = await store.folders.create({ workspace_id: ws, name: 'Target' });
      await store.threads.start({ workspace_id: ws, thread_id: 'thr-move' });
      const moved = await store.threads.move({ workspace_id: ws, thread_id: 'thr-move', folder_id: folder.folder_id });
      expect(moved.folder_id).toBe(folder.folder_id);
      expect(moved.updated_at > moved.created_at).toBe(true);
      expect(moved.last_activity_at).toBe(moved.created_at);
      expect((await store.threads.move({ workspace_id: ws, thread_id: 'thr-move', folder_id: null })).folder_id).toBeNull();
    });

    it('refuses a folder of another workspace, unknown folders and foreign threads with not_found', async () => {
      const foreign = await store.folders.create({ workspace_id: other, name: 'Foreign' });
      await expectCode(store.threads.move({ workspace_id: ws, thread_id: 'thr-move', folder_id: foreign.folder_id }), 'not_found');
      await expectCode(store.threads.move({ workspace_id: ws, thread_id: 'thr-move', folder_id: 'fld-none' }), 'not_found');
      await expectCode(store.threads.move({ workspace_id: ws, thread_id: 'thr-taken', folder_id: null }), 'not_found');
      expect((await store.threads.get({ workspace_id: ws, thread_id: 'thr-move' })).folder_id).toBeNull();
    });
  });

  describe('fork and lineage', () => {
    it('copies title, policy and folder, records lineage, and walks the ancestor chain', async () => {
      const folder = await store.folders.create({ workspace_id: ws, name: 'Forks' });
      const policy: SandboxPolicy = { mode: 'full_access', writable_roots: [], network_access: true };
      await store.threads.start({ workspace_id: ws, thread_id: 'root-thr', title: 'Root', folder_id: folder.folder_id, sandbox_policy: policy });
      await store.threads.updateSummary({ workspace_id: ws, thread_id: 'root-thr', summary: 'about root' });
      const child = await store.threads.fork({ workspace_id: ws, from_thread_id: 'root-thr', thread_id: 'child-thr', from_turn_id: 'turn-7' });
      expect(child).toMatchObject({
        thread_id: 'child-thr',
        title: 'Root',
        folder_id: folder.folder_id,
        sandbox_policy: policy,
        summary: null,
        status: 'active',
        forked_from_thread_id: 'root-thr',
        forked_from_turn_id: 'turn-7',
      });
      const grandchild = await store.threads.fork({ workspace_id: ws, from_thread_id: 'child-thr', title: 'Grand', folder_id: null });
      expect(grandchild).toMatchObject({ title: 'Grand', folder_id: null, forked_from_thread_id: 'child-thr', forked_from_turn_id: null });
      const lineage = await store.threads.lineage({ workspace_id: ws, thread_id: grandchild.thread_id });
      expect(lineage.map((t) => t.thread_id)).toEqual(['child-thr', 'root-thr']);
      expect(await store.threads.lineage({ workspace_id: ws, thread_id: 'root-thr' })).toEqual([]);
    });

    it('refuses a taken id (conflict), a foreign source or folder (not_found)', async () => {
      await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'root-thr', thread_id: 'thr-taken' }), 'conflict');
      await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'root-thr', thread_id: 'thr-1' }), 'conflict');
      await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'thr-taken' }), 'not_found');
      const foreign = await store.folders.create({ workspace_id: other, name: 'Nope' });
      await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'root-thr', folder_id: foreign.folder_id }), 'not_found');
      await expectCode(store.threads.lineage({ workspace_id: other, thread_id: 'root-thr' }), 'not_found');
    });
  });

  describe('summary, sandbox policy, status', () => {
    it('sets and clears the summary, stamping summary_updated_at', async () => {
      await store.threads.start({ workspace_id: ws, thread_id: 'thr-sum' });
      const set = await store.threads.updateSummary({ workspace_id: ws, thread_id: 'thr-sum', summary: 'We fixed the parser.' });
      expect(set.summary).toBe('We fixed the parser.');
      expect(set.summary_updated_at).toBe(set.updated_at);
      expect(set.last_activity_at).toBe(set.created_at);
      const cleared = await store.threads.updateSummary({ workspace_id: ws, thread_id: 'thr-sum', summary: null });
      expect(cleared).toMatchObject({ summary: null, summary_updated_at: null });
      await expectCode(
        store.threads.updateSummary({ workspace_id: ws, thread_id: 'thr-sum', summary: 'x'.repeat(LIMITS.summaryLength + 1) }),
        'invalid_params',
      );
      await expectCode(store.threads.updateSummary({ workspace_id: other, thread_id: 'thr-sum', summary: 'x' }), 'not_found');
    });

    it('sets the sandbox policy', async () => {
      const policy: SandboxPolicy = { mode: 'workspace_write', writable_roots: ['/a', '/b'], network_access: true };
      const updated = await store.threads.setSandboxPolicy({ workspace_id: ws, thread_id: 'thr-sum', sandbox_policy: policy });
      expect(updated.sandbox_policy).toEqual(policy);
      expect((await store.threads.get({ workspace_id: ws, thread_id: 'thr-sum' })).sandbox_policy).toEqual(policy);
      await expectCode(
        store.threads.setSandboxPolicy({ workspace_id: ws, thread_id: 'thr-sum', sandbox_policy: { mode: 'read_only' } as never }),
        'invalid_params',
      );
    });

    it('archives and re-activates', async () => {
      expect((await store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-sum', status: 'archived' })).status).toBe('archived');
      expect((await store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-sum', status: 'active' })).status).toBe('active');
      await expectCode(store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-sum', status: 'deleted' as never }), 'invalid_params');
    });
  });
});
