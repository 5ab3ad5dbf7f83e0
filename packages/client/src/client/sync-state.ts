import { LIMITS, type SyncResumeParams } from '@cairn/protocol';

/** The threads of a workspace this client is subscribed to; `all`: every thread (a resume without `thread_ids`). */
type Subscription = Set<string> | 'all';

/**
 * What the client must remember to resume after a reconnect: per workspace, the highest
 * `seq` it delivered and the threads it subscribed. Delivery goes through `accept`, so a
 * notification the gateway sends twice (a replay overlapping what arrived before the drop)
 * reaches handlers once.
 */
export class SyncState {
  private readonly seqs = new Map<string, number>();
  private readonly subscriptions = new Map<string, Subscription>();

  lastSeq(workspaceId: string): number | undefined {
    return this.seqs.get(workspaceId);
  }

  /** True when `seq` is new for the workspace (and records it); false for a duplicate. */
  accept(workspaceId: string, seq: number): boolean {
    const last = this.seqs.get(workspaceId);
    if (last !== undefined && seq <= last) return false;
    this.seqs.set(workspaceId, seq);
    return true;
  }

  /** Moves the cursor forward (never back): `head_seq` of a resume counts events that map to no notification. */
  advance(workspaceId: string, seq: number): void {
    const last = this.seqs.get(workspaceId);
    if (last === undefined || seq > last) this.seqs.set(workspaceId, seq);
  }

  /** After a snapshot reload the cursor is the head, whatever was seen before. */
  reset(workspaceId: string, seq: number): void {
    this.seqs.set(workspaceId, seq);
  }

  subscribeThread(workspaceId: string, threadId: string): void {
    const current = this.subscriptions.get(workspaceId);
    if (current === 'all') return;
    if (current) current.add(threadId);
    else this.subscriptions.set(workspaceId, new Set([threadId]));
  }

  unsubscribeThread(workspaceId: string, threadId: string): void {
    const current = this.subscriptions.get(workspaceId);
    if (current instanceof Set) current.delete(threadId);
  }

  /** What a `sync/resume` answered: its `thread_ids` are now the subscription (null: all). */
  resumed(workspaceId: string, threadIds: readonly string[] | null, headSeq: number): void {
    this.subscriptions.set(workspaceId, threadIds === null ? 'all' : new Set(threadIds));
    this.advance(workspaceId, headSeq);
  }

  /**
   * One `sync/resume` per subscribed workspace. A workspace never seen in a notification
   * resumes from 0 (every retained event), because nothing says where its stream stood. More
   * threads than one resume may name subscribe the whole workspace: a superset, never a gap.
   */
  resumePlans(): SyncResumeParams[] {
    const plans: SyncResumeParams[] = [];
    for (const [workspaceId, subscription] of this.subscriptions) {
      if (subscription !== 'all' && subscription.size === 0) continue;
      const plan: SyncResumeParams = { workspace_id: workspaceId, after_seq: this.seqs.get(workspaceId) ?? 0 };
      if (subscription !== 'all' && subscription.size <= LIMITS.sync.threadsPerResume) plan.thread_ids = [...subscription];
      plans.push(plan);
    }
    return plans;
  }
}
