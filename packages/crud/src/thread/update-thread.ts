import {
  ThreadSandboxPolicySetParams,
  ThreadStatusSetParams,
  ThreadSummaryUpdateParams,
  type Thread,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { journalThread, type ThreadDeps } from './thread-events.js';
import { policyJson, requireThread, toThread } from './thread-row.js';

// Metadata edits move `updated_at`, never `last_activity_at`: renaming or summarising a thread
// must not reorder `thread/list` (which would also shift open cursors). Each change journals
// `thread.updated` in its own job; setting the status a thread already has writes nothing.

const SET_SUMMARY = 'UPDATE thread SET summary = ?, summary_updated_at = ?, updated_at = ? WHERE thread_id = ?';

/** Sets (or, with null, clears) the thread's summary and stamps `summary_updated_at`. */
export async function updateThreadSummary(deps: ThreadDeps, params: ThreadSummaryUpdateParams): Promise<Thread> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadSummaryUpdateParams, params, 'thread/summary/update');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireThread(ctx, p.workspace_id, p.thread_id);
    const now = store.now();
    const stamp = p.summary === null ? null : now;
    const summary = p.summary === null ? null : store.redactText(p.summary);
    await ctx.run(SET_SUMMARY, [summary, stamp, now, row.thread_id]);
    return journalThread(ctx, events, 'thread.updated', toThread({ ...row, summary, summary_updated_at: stamp, updated_at: now }));
  });
}

const SET_POLICY = 'UPDATE thread SET sandbox_policy = ?, updated_at = ? WHERE thread_id = ?';

export async function setThreadSandboxPolicy(deps: ThreadDeps, params: ThreadSandboxPolicySetParams): Promise<Thread> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadSandboxPolicySetParams, params, 'thread/sandbox_policy/set');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireThread(ctx, p.workspace_id, p.thread_id);
    const now = store.now();
    const json = policyJson(p.sandbox_policy);
    await ctx.run(SET_POLICY, [json, now, row.thread_id]);
    return journalThread(ctx, events, 'thread.updated', toThread({ ...row, sandbox_policy: json, updated_at: now }));
  });
}

const SET_STATUS = 'UPDATE thread SET status = ?, updated_at = ? WHERE thread_id = ?';

/** Archives or re-activates a thread. Setting the status it already has changes nothing. */
export async function setThreadStatus(deps: ThreadDeps, params: ThreadStatusSetParams): Promise<Thread> {
  const { context: store, events } = deps;
  const p = parseParams(ThreadStatusSetParams, params, 'thread/status/set');
  return store.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireThread(ctx, p.workspace_id, p.thread_id);
    if (row.status === p.status) return toThread(row);
    const now = store.now();
    await ctx.run(SET_STATUS, [p.status, now, row.thread_id]);
    return journalThread(ctx, events, 'thread.updated', toThread({ ...row, status: p.status, updated_at: now }));
  });
}
