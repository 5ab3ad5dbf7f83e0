import { describe, expect, it } from '@jest/globals';
import { LIMITS } from '@cairn/protocol';
import { observeResult } from './observe-result.js';
import { SyncState } from './sync-state.js';

describe('SyncState', () => {
  it('accepts each seq once per workspace, independently per workspace', () => {
    const sync = new SyncState();
    expect([1, 2, 2, 1, 3].map((seq) => sync.accept('a', seq))).toEqual([true, true, false, false, true]);
    expect(sync.accept('b', 1)).toBe(true);
    expect([sync.lastSeq('a'), sync.lastSeq('b'), sync.lastSeq('c')]).toEqual([3, 1, undefined]);
  });

  it('advances but never moves back; reset sets the cursor', () => {
    const sync = new SyncState();
    sync.accept('a', 5);
    sync.advance('a', 3);
    expect(sync.lastSeq('a')).toBe(5);
    sync.advance('a', 9);
    expect(sync.lastSeq('a')).toBe(9);
    sync.reset('a', 4);
    expect(sync.lastSeq('a')).toBe(4);
  });

  it('plans one resume per subscribed workspace, from 0 when nothing was seen', () => {
    const sync = new SyncState();
    observeResult(sync, 'thread/start', { workspace_id: 'a' }, { thread: { thread_id: 't1' }, created: true });
    observeResult(sync, 'thread/start', { workspace_id: 'a' }, { thread: { thread_id: 't2' }, created: false });
    observeResult(sync, 'thread/start', { workspace_id: 'b' }, { thread: { thread_id: 't3' }, created: true });
    observeResult(sync, 'thread/unsubscribe', { workspace_id: 'b', thread_id: 't3' }, { unsubscribed: true });
    sync.accept('a', 7);
    expect(sync.resumePlans()).toEqual([{ workspace_id: 'a', after_seq: 7, thread_ids: ['t1', 't2'] }]);
  });

  it('takes a sync/resume answer as the subscription; null means every thread', () => {
    const sync = new SyncState();
    observeResult(sync, 'sync/resume', { workspace_id: 'a', after_seq: 0 }, { head_seq: 12, replayed: 0, thread_ids: null });
    observeResult(sync, 'thread/start', { workspace_id: 'a' }, { thread: { thread_id: 't1' }, created: true });
    expect(sync.resumePlans()).toEqual([{ workspace_id: 'a', after_seq: 12 }]);
  });

  it('subscribes the whole workspace when there are more threads than one resume may name', () => {
    const sync = new SyncState();
    for (let i = 0; i <= LIMITS.sync.threadsPerResume; i++) sync.subscribeThread('a', `t${i}`);
    expect(sync.resumePlans()).toEqual([{ workspace_id: 'a', after_seq: 0 }]);
  });

  it('ignores answers it cannot read', () => {
    const sync = new SyncState();
    observeResult(sync, 'thread/start', { workspace_id: 'a' }, { thread: null });
    observeResult(sync, 'thread/start', null, { thread: { thread_id: 't' } });
    expect(sync.resumePlans()).toEqual([]);
  });
});
