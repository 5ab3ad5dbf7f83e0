import type { ReadContext } from '../store/store-context.js';

/** The read-model invariants startup repair restores (ARCHITECTURE.md, "Recovery"). */
export type RepairKind =
  /** An item (tool payload or message) still in progress under a turn that ended. */
  | 'terminal_tool_payload_in_progress'
  /** An item of a running turn whose attempt timed out (detected, or past its deadline) with no retry scheduled. */
  | 'timed_out_tool_payload_in_progress'
  /** An attempt still running under a turn that ended (its item already ended). */
  | 'terminal_turn_running_attempt'
  /** A turn that ended without a completion time. */
  | 'terminal_turn_without_completion_time';

export const REPAIR_KINDS: readonly RepairKind[] = [
  'terminal_tool_payload_in_progress',
  'timed_out_tool_payload_in_progress',
  'terminal_turn_running_attempt',
  'terminal_turn_without_completion_time',
];

export interface Finding {
  kind: RepairKind;
  workspace_id: string;
  thread_id: string;
  turn_id: string;
  item_id: string | null;
  turn_status: string;
  item_status: string | null;
  last_seq: number;
}

const TERMINAL = "('completed', 'failed', 'cancelled')";

// Every query starts from a status index (idx_turn_item_status, idx_turn_item_attempt_status,
// idx_turn_status_completed): the rows it looks for are the rare open ones, so a pass costs
// the size of the damage, not the size of the history. The turn is joined by primary key.
const IN_PROGRESS_AFTER_END = `SELECT i.workspace_id, i.thread_id, i.turn_id, i.item_id, t.status AS turn_status, i.status AS item_status, t.last_seq
  FROM turn_item i JOIN turn t ON t.turn_id = i.turn_id
  WHERE i.status = 'in_progress' AND t.status IN ${TERMINAL} ORDER BY i.turn_id, i.item_id LIMIT ?`;
const TIMED_OUT_OPEN = `SELECT i.workspace_id, i.thread_id, i.turn_id, i.item_id, t.status AS turn_status, i.status AS item_status, t.last_seq,
    i.timed_out_at, i.timeout_ms, a.status AS attempt_status, a.started_at AS attempt_started_at
  FROM turn_item i JOIN turn t ON t.turn_id = i.turn_id
  LEFT JOIN turn_item_attempt a ON a.turn_id = i.turn_id AND a.item_id = i.item_id AND a.attempt = i.attempt
  WHERE i.status = 'in_progress' AND (i.timed_out_at IS NOT NULL OR i.timeout_ms IS NOT NULL) AND i.retry_due_at IS NULL
    AND t.status = 'running' ORDER BY i.turn_id, i.item_id LIMIT 10000`;
const RUNNING_ATTEMPT_AFTER_END = `SELECT DISTINCT t.workspace_id, t.thread_id, a.turn_id, a.item_id, t.status AS turn_status, i.status AS item_status, t.last_seq
  FROM turn_item_attempt a JOIN turn t ON t.turn_id = a.turn_id JOIN turn_item i ON i.turn_id = a.turn_id AND i.item_id = a.item_id
  WHERE a.status = 'running' AND t.status IN ${TERMINAL} AND i.status <> 'in_progress' ORDER BY a.turn_id, a.item_id LIMIT ?`;
const ENDED_WITHOUT_TIME = `SELECT workspace_id, thread_id, turn_id, NULL AS item_id, status AS turn_status, NULL AS item_status, last_seq
  FROM turn WHERE status IN ${TERMINAL} AND completed_at IS NULL ORDER BY turn_id LIMIT ?`;

type Row = Omit<Finding, 'kind'>;
interface TimedOutRow extends Row {
  timed_out_at: string | null;
  timeout_ms: number | null;
  attempt_status: string | null;
  attempt_started_at: string | null;
}

/** At most `limit` findings of one kind, as of `nowMs` (for deadlines). */
export async function findDamage(ctx: ReadContext, kind: RepairKind, limit: number, nowMs: number): Promise<Finding[]> {
  const tag = (rows: Row[]): Finding[] => rows.map((row) => ({ ...row, kind }));
  switch (kind) {
    case 'terminal_tool_payload_in_progress':
      return tag(await ctx.all<Row>(IN_PROGRESS_AFTER_END, [limit]));
    case 'timed_out_tool_payload_in_progress':
      return tag((await ctx.all<TimedOutRow>(TIMED_OUT_OPEN)).filter((row) => isTimedOut(row, nowMs)).slice(0, limit));
    case 'terminal_turn_running_attempt':
      return tag(await ctx.all<Row>(RUNNING_ATTEMPT_AFTER_END, [limit]));
    case 'terminal_turn_without_completion_time':
      return tag(await ctx.all<Row>(ENDED_WITHOUT_TIME, [limit]));
  }
}

/** Detected by the runtime, or the running attempt is past its own deadline (the runtime died before noticing). */
function isTimedOut(row: TimedOutRow, nowMs: number): boolean {
  if (row.timed_out_at !== null) return true;
  if (row.timeout_ms === null || row.attempt_status !== 'running' || row.attempt_started_at === null) return false;
  return Date.parse(row.attempt_started_at) + row.timeout_ms <= nowMs;
}
