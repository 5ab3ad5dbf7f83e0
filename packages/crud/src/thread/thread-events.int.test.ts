import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NOTIFICATION_OF_EVENT, type Thread } from '@cairn/protocol';
import { readStream } from '../journal/read-stream.js';
import { readWorkspaceAfter } from '../journal/read-workspace-after.js';
import { verifyJournal } from '../journal/verify-journal.js';
import { workspaceHead } from '../journal/workspace-head.js';
import type { JournalEvent } from '../journal/types.js';
import { expectCode } from '../testing/expect-error.js';
import { readTableRows } from '../testing/table-rows.js';
import { openTempStore, steppingClock, type TempStore } from '../testing/temp-store.js';
import type { CrudStore } from '../store/crud-store.js';

describe('thread lifecycle in the journal', () => {
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

  const head = (workspaceId = ws): Promise<number> => store.context.read((q) => workspaceHead(q, workspaceId));
  const after = (seq: number, workspaceId = ws): Promise<JournalEvent[]> => store.context.read((q) => readWorkspaceAfter(q, workspaceId, seq, 100));

  /** Runs `op`, and expects it to have journaled exactly one event of `type` carrying `thread`, at the next seq. */
  async function expectOneEvent<T>(op: () => Promise<T>, type: 'thread.started' | 'thread.updated', threadOf: (result: T) => Thread): Promise<T> {
    const before = await head();
    const result = await op();
    const thread = threadOf(result);
    const events = await after(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      workspaceSeq: before + 1,
      streamType: 'thread',
      streamId: thread.thread_id,
      threadId: thread.thread_id,
      type,
      payload: { type, thread },
      recordedAt: thread.updated_at,
    });
    // The row the event describes is the row the store holds now.
    expect(await store.threads.get({ workspace_id: ws, thread_id: thread.thread_id })).toEqual(thread);
    expect(NOTIFICATION_OF_EVENT[type]).toBe(type === 'thread.started' ? 'thread/started' : 'thread/updated');
    return result;
  }

  async function expectNothing(op: () => Promise<unknown>): Promise<void> {
    const before = await head();
    await op();
    expect(await after(before)).toEqual([]);
  }

  it('thread/start journals thread.started; re-opening an active thread journals nothing; re-opening an archived one thread.updated', async () => {
    const started = await expectOneEvent(() => store.threads.start({ workspace_id: ws, thread_id: 'thr-1', title: 'One' }), 'thread.started', (r) => r.thread);
    expect(started.created).toBe(true);
    await expectNothing(() => store.threads.start({ workspace_id: ws, thread_id: 'thr-1' }));
    await expectOneEvent(() => store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-1', status: 'archived' }), 'thread.updated', (t) => t);
    await expectNothing(() => store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-1', status: 'archived' }));
    const reopened = await expectOneEvent(() => store.threads.start({ workspace_id: ws, thread_id: 'thr-1' }), 'thread.updated', (r) => r.thread);
    expect(reopened).toMatchObject({ created: false, thread: { status: 'active' } });
  });

  it('fork journals thread.started for the new thread only', async () => {
    const fork = await expectOneEvent(() => store.threads.fork({ workspace_id: ws, from_thread_id: 'thr-1', thread_id: 'thr-fork' }), 'thread.started', (t) => t);
    expect(fork.forked_from_thread_id).toBe('thr-1');
  });

  it('move, summary, sandbox policy and status each journal one thread.updated', async () => {
    const folder = await store.folders.create({ workspace_id: ws, name: 'F' });
    const moved = await expectOneEvent(() => store.threads.move({ workspace_id: ws, thread_id: 'thr-1', folder_id: folder.folder_id }), 'thread.updated', (t) => t);
    expect(moved.folder_id).toBe(folder.folder_id);
    await expectNothing(() => store.threads.move({ workspace_id: ws, thread_id: 'thr-1', folder_id: folder.folder_id }));
    const summary = await expectOneEvent(() => store.threads.updateSummary({ workspace_id: ws, thread_id: 'thr-1', summary: 'So far' }), 'thread.updated', (t) => t);
    expect(summary.summary).toBe('So far');
    const policy = { mode: 'read_only' as const, writable_roots: [], network_access: false };
    expect((await expectOneEvent(() => store.threads.setSandboxPolicy({ workspace_id: ws, thread_id: 'thr-1', sandbox_policy: policy }), 'thread.updated', (t) => t)).sandbox_policy).toEqual(policy);
    expect((await expectOneEvent(() => store.threads.setStatus({ workspace_id: ws, thread_id: 'thr-1', status: 'archived' }), 'thread.updated', (t) => t)).status).toBe('archived');
  });

  it('a folder delete journals thread.updated for each thread it moves up, in the same seq run', async () => {
    const parent = await store.folders.create({ workspace_id: ws, name: 'P' });
    const child = await store.folders.create({ workspace_id: ws, name: 'C', parent_folder_id: parent.folder_id });
    for (const id of ['thr-d1', 'thr-d2']) await store.threads.start({ workspace_id: ws, thread_id: id, folder_id: child.folder_id });
    const before = await head();
    const result = await store.folders.delete({ workspace_id: ws, folder_id: child.folder_id });
    expect(result).toMatchObject({ moved_threads: 2, reparented_to: parent.folder_id });
    const events = await after(before);
    expect(events.map((e) => [e.workspaceSeq, e.type, e.streamId])).toEqual([
      [before + 1, 'thread.updated', 'thr-d1'],
      [before + 2, 'thread.updated', 'thr-d2'],
    ]);
    for (const event of events) {
      const thread = (event.payload as { thread: Thread }).thread;
      expect(thread.folder_id).toBe(parent.folder_id);
      expect(await store.threads.get({ workspace_id: ws, thread_id: thread.thread_id })).toEqual(thread);
    }
    // A folder with no threads: nothing journaled.
    const empty = await store.folders.create({ workspace_id: ws, name: 'E' });
    await expectNothing(() => store.folders.delete({ workspace_id: ws, folder_id: empty.folder_id }));
  });

  it('a failing thread operation journals nothing and changes nothing', async () => {
    const foreign = await store.folders.create({ workspace_id: other, name: 'Theirs' });
    await store.threads.start({ workspace_id: ws, thread_id: 'thr-fail' });
    const rows = await store.context.read((q) => readTableRows(q, 'thread', 'thread_id'));
    const heads = [await head(ws), await head(other)];
    await expectCode(store.threads.move({ workspace_id: ws, thread_id: 'thr-fail', folder_id: foreign.folder_id }), 'not_found');
    await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'thr-fail', folder_id: foreign.folder_id }), 'not_found');
    await expectCode(store.threads.fork({ workspace_id: ws, from_thread_id: 'thr-fail', thread_id: 'thr-1' }), 'conflict');
    await expectCode(store.threads.start({ workspace_id: other, thread_id: 'thr-fail' }), 'conflict');
    await expectCode(store.threads.updateSummary({ workspace_id: other, thread_id: 'thr-fail', summary: 'x' }), 'not_found');
    await expectCode(store.threads.start({ workspace_id: ws, folder_id: foreign.folder_id }), 'not_found');
    expect([await head(ws), await head(other)]).toEqual(heads);
    expect(await store.context.read((q) => readTableRows(q, 'thread', 'thread_id'))).toEqual(rows);
  });

  it('keeps each thread on its own stream, verifies, and survives a rebuild', async () => {
    const stream = await store.context.read((q) => readStream(q, 'thread', 'thr-1', { limit: 100 }));
    expect(stream.map((e) => [e.streamSeq, e.type])).toEqual([
      [1, 'thread.started'],
      [2, 'thread.updated'],
      [3, 'thread.updated'],
      [4, 'thread.updated'],
      [5, 'thread.updated'],
      [6, 'thread.updated'],
      [7, 'thread.updated'],
    ]);
    expect(await store.context.read((q) => verifyJournal(q))).toMatchObject({ ok: true });
    const threads = await store.context.read((q) => readTableRows(q, 'thread', 'thread_id'));
    const report = await store.repair.rebuild();
    expect(report.violations).toEqual([]);
    expect(await store.context.read((q) => readTableRows(q, 'thread', 'thread_id'))).toEqual(threads);
  });
});
