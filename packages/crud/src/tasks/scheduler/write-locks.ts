import { CairnError, type WriteLock } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { appendTaskEvent } from '../task-events.js';
import { LOCK_COLUMNS, findRun, findTask, rowLock, toLock, type Row } from '../task-rows.js';
import { addMs } from '../task-status.js';
import type { AcquireLockInput, AcquireLockResult, ReleaseLockInput, ReleaseLocksResult, TaskDeps } from '../task-types.js';

/*
 * Write locks. Every decision about a workspace's locks runs under that workspace's write
 * lock (the event log's), so two schedulers never both see a path free. A lock is an event
 * on its holder run's task stream (`task.lock.acquired` / `queued` / `released`), so the
 * journal says who held what when, and a rebuild restores the rows.
 */

/** Two locks conflict when either is the workspace's, or one path is the other or inside it. */
export function locksConflict(a: Pick<WriteLock, 'scope' | 'path'>, b: Pick<WriteLock, 'scope' | 'path'>): boolean {
  if (a.scope === 'workspace' || b.scope === 'workspace') return true;
  const x = trimSlash(a.path);
  const y = trimSlash(b.path);
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

async function workspaceLocks(ctx: WriteContext, workspaceId: string): Promise<WriteLock[]> {
  const rows = await ctx.all<Row>(`SELECT ${LOCK_COLUMNS} FROM task_write_lock WHERE workspace_id = ? ORDER BY status, queued_at, lock_id${rowLock(ctx)}`, [workspaceId]);
  return rows.map(toLock);
}

const live = (lock: WriteLock, nowMs: number) => lock.status === 'held' && lock.expires_at !== null && Date.parse(lock.expires_at) > nowMs;

function checkInput(input: AcquireLockInput): void {
  const bad = (message: string) => new CairnError('invalid_params', `acquireLock: ${message}`, { details: { reason: 'invalid_lock' } });
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) throw bad('now must be a Date');
  if (!Number.isInteger(input.ttl_ms) || input.ttl_ms < 1) throw bad('ttl_ms must be a positive integer');
  if (input.scope === 'path' && (typeof input.path !== 'string' || input.path.length === 0 || input.path.length > 4096)) throw bad('a path lock needs a path');
  if (input.scope !== 'path' && input.scope !== 'workspace') throw bad('scope is workspace or path');
  if (input.conflict !== 'queue' && input.conflict !== 'reject') throw bad('conflict is queue or reject');
}

export async function acquireLock(deps: TaskDeps, input: AcquireLockInput): Promise<AcquireLockResult> {
  checkInput(input);
  const now = input.now.toISOString();
  const nowMs = input.now.getTime();
  const path = input.scope === 'workspace' ? '' : input.path!;
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, input.workspace_id);
    const run = await findRun(ctx, input.holder);
    if (!run || run.workspace_id !== input.workspace_id) {
      throw new CairnError('not_found', `no task run ${input.holder} in workspace ${input.workspace_id}`, { details: { run_id: input.holder } });
    }
    if (!['queued', 'starting', 'running'].includes(run.status)) {
      throw new CairnError('conflict', `run ${run.run_id} is ${run.status}: an ended run takes no lock`, { details: { reason: 'run_ended', run_id: run.run_id } });
    }
    const locks = await workspaceLocks(ctx, input.workspace_id);
    const mine = locks.find((l) => l.holder_run_id === input.holder && l.scope === input.scope && l.path === path);
    const blockers = locks.filter((l) => l.holder_run_id !== input.holder && live(l, nowMs) && locksConflict(l, { scope: input.scope, path }));
    if (mine && (mine.status === 'queued' || live(mine, nowMs))) {
      return mine.status === 'held' ? { acquired: true, lock: mine } : { acquired: false, lock: mine, queued_behind: blockers };
    }
    if (blockers.length > 0 && input.conflict === 'reject') {
      throw new CairnError('conflict', `the ${input.scope} lock${path ? ` on ${path}` : ''} is held by another run`, {
        details: { reason: 'lock_held', holders: blockers.map((l) => ({ lock_id: l.lock_id, holder_run_id: l.holder_run_id, expires_at: l.expires_at })) },
      });
    }
    const held = blockers.length === 0;
    const lock: WriteLock = {
      lock_id: mine?.lock_id ?? deps.context.newId('lck'),
      workspace_id: input.workspace_id,
      scope: input.scope,
      path,
      holder_run_id: input.holder,
      task_id: run.task_id,
      status: held ? 'held' : 'queued',
      acquired_at: held ? now : null,
      expires_at: held ? addMs(now, input.ttl_ms) : null,
      ttl_ms: input.ttl_ms,
      queued_at: now,
    };
    const task = (await findTask(ctx, run.task_id))!;
    await appendTaskEvent(ctx, deps, held ? 'task.lock.acquired' : 'task.lock.queued', { task: { ...task, updated_at: now }, locks: [lock] }, { now });
    return held ? { acquired: true, lock } : { acquired: false, lock, queued_behind: blockers };
  });
}

/**
 * Inside a write job holding the workspace's lock: removes `holder`'s locks (one, or all),
 * then promotes the workspace's queued requests, oldest first, that no longer conflict with
 * a live held lock.
 */
export async function releaseHolderLocks(ctx: WriteContext, deps: TaskDeps, holder: string, now: string, lockId?: string): Promise<ReleaseLocksResult> {
  const rows = await ctx.all<Row>(`SELECT ${LOCK_COLUMNS} FROM task_write_lock WHERE holder_run_id = ? ORDER BY lock_id`, [holder]);
  const released = rows.map(toLock).filter((l) => lockId === undefined || l.lock_id === lockId);
  if (released.length === 0) return { released: [], promoted: [] };
  const task = (await findTask(ctx, released[0]!.task_id))!;
  await appendTaskEvent(ctx, deps, 'task.lock.released', { task: { ...task, updated_at: now }, released_lock_ids: released.map((l) => l.lock_id) }, { now });
  const promoted = await promoteQueued(ctx, deps, released[0]!.workspace_id, now);
  return { released, promoted };
}

async function promoteQueued(ctx: WriteContext, deps: TaskDeps, workspaceId: string, now: string): Promise<WriteLock[]> {
  const nowMs = Date.parse(now);
  const locks = await workspaceLocks(ctx, workspaceId);
  const held = locks.filter((l) => live(l, nowMs));
  const promoted: WriteLock[] = [];
  for (const lock of locks.filter((l) => l.status === 'queued').sort((a, b) => (a.queued_at < b.queued_at ? -1 : a.queued_at > b.queued_at ? 1 : 0))) {
    if (held.some((h) => h.holder_run_id !== lock.holder_run_id && locksConflict(h, lock))) continue;
    const now2: WriteLock = { ...lock, status: 'held', acquired_at: now, expires_at: addMs(now, lock.ttl_ms) };
    const task = (await findTask(ctx, lock.task_id))!;
    await appendTaskEvent(ctx, deps, 'task.lock.acquired', { task: { ...task, updated_at: now }, locks: [now2] }, { now });
    held.push(now2);
    promoted.push(now2);
  }
  return promoted;
}

export async function releaseLock(deps: TaskDeps, input: ReleaseLockInput): Promise<ReleaseLocksResult> {
  if (typeof input.holder !== 'string' || !(input.now instanceof Date)) throw new CairnError('invalid_params', 'releaseLock: holder and now are required');
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const first = await ctx.get<{ workspace_id: string }>('SELECT workspace_id FROM task_write_lock WHERE holder_run_id = ? LIMIT 1', [input.holder]);
    if (!first) return { released: [], promoted: [] };
    await ctx.dialect.lockWorkspace(ctx, first.workspace_id);
    return releaseHolderLocks(ctx, deps, input.holder, now, input.lock_id);
  });
}

/** Releases held locks whose time ran out (`idx_task_write_lock_expires`), workspace by workspace in id order, promoting what waited. */
export async function releaseExpiredLocks(deps: TaskDeps, input: { now: Date }): Promise<ReleaseLocksResult> {
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const expired = await ctx.all<{ lock_id: string; workspace_id: string; holder_run_id: string }>(
      'SELECT lock_id, workspace_id, holder_run_id FROM task_write_lock WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, lock_id LIMIT 500',
      [now],
    );
    const out: ReleaseLocksResult = { released: [], promoted: [] };
    const workspaces = [...new Set(expired.map((e) => e.workspace_id))].sort();
    for (const workspaceId of workspaces) {
      await ctx.dialect.lockWorkspace(ctx, workspaceId);
      for (const e of expired.filter((x) => x.workspace_id === workspaceId)) {
        // Re-read under the lock: another scheduler may have released or renewed it.
        const still = await ctx.get<{ lock_id: string }>('SELECT lock_id FROM task_write_lock WHERE lock_id = ? AND expires_at IS NOT NULL AND expires_at <= ?', [e.lock_id, now]);
        if (!still) continue;
        const result = await releaseHolderLocks(ctx, deps, e.holder_run_id, now, e.lock_id);
        out.released.push(...result.released);
        out.promoted.push(...result.promoted);
      }
    }
    return out;
  });
}
