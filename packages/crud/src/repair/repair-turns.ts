import type { TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import { appendTurnEvents } from '../turns/append-turn-events.js';
import type { TurnDeps } from '../turns/turn-deps.js';
import { REPAIR_KINDS, findDamage, type Finding, type RepairKind } from './repair-findings.js';

export interface RepairCount {
  detected: number;
  repaired: number;
  remaining: number;
}
export type RepairReport = Record<RepairKind, RepairCount>;

export interface RepairOptions {
  /** ISO-8601 "now" for deadlines; default the store clock. */
  now?: string;
  /** Findings repaired per kind per transaction. Default 500. */
  batch?: number;
  /** Transactions per kind at most, so one pass is bounded. Default 100. */
  maxRounds?: number;
}

export const REPAIR_REASON = 'repaired_after_crash';

/**
 * Startup repair of the turn read models. Each fix is a journaled event through the normal
 * append path (an `item.completed` or turn-end event carrying `repair: { kind }` and reason
 * `repaired_after_crash`), so the journal tells what was repaired and when, and a rebuild from
 * the journal reproduces the repaired state. Keys are derived from the damage and the turn's
 * `last_seq`, so a repair interrupted by another crash and run again never applies twice.
 */
export async function repairTurns(deps: TurnDeps, options: RepairOptions = {}): Promise<RepairReport> {
  const batch = Math.max(1, options.batch ?? 500);
  const maxRounds = Math.max(1, options.maxRounds ?? 100);
  const now = options.now ?? deps.context.now();
  const nowMs = Date.parse(now);
  const report = {} as RepairReport;
  for (const kind of REPAIR_KINDS) {
    const count: RepairCount = { detected: 0, repaired: 0, remaining: 0 };
    report[kind] = count;
    for (let round = 0; round < maxRounds; round++) {
      const { detected, repaired } = await deps.context.write((ctx) => repairRound(ctx, deps, kind, batch, nowMs));
      if (round === 0) count.detected = detected;
      count.repaired += repaired;
      if (detected < batch || repaired === 0) break;
    }
  }
  // Counted after every kind ran: closing an item may settle (or reveal) another kind's damage.
  for (const kind of REPAIR_KINDS) {
    report[kind].remaining = await deps.context.read(async (q) => (await findDamage(q, kind, batch, nowMs)).length);
  }
  return report;
}

async function repairRound(ctx: WriteContext, deps: TurnDeps, kind: RepairKind, batch: number, nowMs: number): Promise<{ detected: number; repaired: number }> {
  const findings = await findDamage(ctx, kind, batch, nowMs);
  let repaired = 0;
  // Each append takes its workspace's lock and holds it to COMMIT: in workspace order, so two
  // repairs (two gateways starting at once) take them in the same order and never deadlock.
  // What a finding says is only a hint: the projectors decide again under the lock (a repair
  // event for damage someone else repaired meanwhile is a no-op, and its key makes it one).
  const ordered = [...findings].sort((a, b) => (a.workspace_id < b.workspace_id ? -1 : a.workspace_id > b.workspace_id ? 1 : 0));
  for (const finding of ordered) {
    // One event per append: findings span workspaces, and a batch holds one workspace's events.
    const [result] = await appendTurnEvents(ctx, deps.events, finding.workspace_id, [
      {
        threadId: finding.thread_id,
        turnId: finding.turn_id,
        idempotencyKey: `repair:${kind}:${finding.turn_id}:${finding.item_id ?? '-'}:${finding.last_seq}`,
        event: repairEvent(finding),
      },
    ]);
    if (result!.outcome === 'applied') repaired++;
  }
  return { detected: findings.length, repaired };
}

function repairEvent(f: Finding): TurnEventPayload {
  const repair = { kind: f.kind };
  const error = { code: REPAIR_REASON, message: `repaired at startup: ${f.kind.replaceAll('_', ' ')}` };
  switch (f.kind) {
    case 'terminal_tool_payload_in_progress':
      return { type: 'item.completed', item_id: f.item_id!, status: f.turn_status === 'cancelled' ? 'cancelled' : 'failed', reason: REPAIR_REASON, error, repair };
    case 'timed_out_tool_payload_in_progress':
      return { type: 'item.completed', item_id: f.item_id!, status: 'failed', reason: REPAIR_REASON, error: { ...error, code: 'timed_out' }, repair };
    case 'terminal_turn_running_attempt': {
      const status = f.item_status === 'completed' || f.item_status === 'cancelled' ? f.item_status : 'failed';
      return { type: 'item.completed', item_id: f.item_id!, status, reason: REPAIR_REASON, repair };
    }
    case 'terminal_turn_without_completion_time':
      if (f.turn_status === 'failed') return { type: 'turn.failed', error, repair };
      if (f.turn_status === 'cancelled') return { type: 'turn.cancelled', reason: REPAIR_REASON, repair };
      return { type: 'turn.completed', repair };
  }
}
