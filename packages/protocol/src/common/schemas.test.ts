import { describe, expect, it } from '@jest/globals';
import { checkValue } from './check-value.js';
import { ThreadListParams, ThreadStartParams } from '../thread/thread-methods.js';
import { ThreadTree } from '../thread/thread-tree.js';
import { DEFAULT_SANDBOX_POLICY, SandboxPolicy } from '../thread/sandbox-policy.js';
import { WorkspaceCreateParams } from '../workspace/workspace-methods.js';
import { LIMITS } from './limits.js';
import type { Thread } from '../thread/thread.js';

const thread = (id: string, folder: string | null): Thread => ({
  thread_id: id,
  workspace_id: 'w1',
  folder_id: folder,
  title: null,
  summary: null,
  summary_updated_at: null,
  status: 'active',
  sandbox_policy: DEFAULT_SANDBOX_POLICY,
  forked_from_thread_id: null,
  forked_from_turn_id: null,
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
  last_activity_at: '2024-01-01T00:00:00.000Z',
});

describe('checkValue', () => {
  it('accepts good params and names the bad field otherwise', () => {
    expect(checkValue(WorkspaceCreateParams, { name: 'Main' })).toEqual({ ok: true, value: { name: 'Main' } });
    const bad = checkValue(WorkspaceCreateParams, { name: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]?.path).toBe('/name');
  });

  it('refuses blank names, bad ids and over-long strings', () => {
    expect(checkValue(WorkspaceCreateParams, { name: '   ' }).ok).toBe(false);
    expect(checkValue(WorkspaceCreateParams, { name: 'x'.repeat(LIMITS.nameLength + 1) }).ok).toBe(false);
    expect(checkValue(WorkspaceCreateParams, { name: 'ok', workspace_id: 'a/b' }).ok).toBe(false);
    expect(checkValue(WorkspaceCreateParams, { name: 'ok', workspace_id: 'x'.repeat(LIMITS.idLength + 1) }).ok).toBe(false);
    expect(checkValue(ThreadStartParams, { workspace_id: 'w', title: '' }).ok).toBe(false);
  });

  it('bounds the page limit to 1..500', () => {
    expect(checkValue(ThreadListParams, { workspace_id: 'w', limit: 500 }).ok).toBe(true);
    expect(checkValue(ThreadListParams, { workspace_id: 'w', limit: 0 }).ok).toBe(false);
    expect(checkValue(ThreadListParams, { workspace_id: 'w', limit: 501 }).ok).toBe(false);
    expect(checkValue(ThreadListParams, { workspace_id: 'w', limit: 2.5 }).ok).toBe(false);
    expect(checkValue(ThreadListParams, { workspace_id: 'w', cursor: 'not base64!' }).ok).toBe(false);
  });

  it('accepts the default sandbox policy and refuses unknown modes', () => {
    expect(checkValue(SandboxPolicy, DEFAULT_SANDBOX_POLICY).ok).toBe(true);
    expect(checkValue(SandboxPolicy, { ...DEFAULT_SANDBOX_POLICY, mode: 'yolo' }).ok).toBe(false);
  });

  it('validates a nested (cyclic) thread tree', () => {
    const folder = (id: string, parent: string | null) => ({
      folder_id: id,
      workspace_id: 'w1',
      parent_folder_id: parent,
      name: id,
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
    });
    const tree = {
      workspace_id: 'w1',
      truncated: false,
      threads: [thread('t0', null)],
      folders: [{ folder: folder('a', null), threads: [], folders: [{ folder: folder('b', 'a'), folders: [], threads: [thread('t1', 'b')] }] }],
    };
    expect(checkValue(ThreadTree, tree).ok).toBe(true);
    const broken = structuredClone(tree);
    (broken.folders[0]!.folders[0]!.threads[0] as { status: string }).status = 'deleted';
    expect(checkValue(ThreadTree, broken).ok).toBe(false);
  });
});
