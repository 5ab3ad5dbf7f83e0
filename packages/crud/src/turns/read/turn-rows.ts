import {
  CairnError,
  type AttemptStatus,
  type SandboxPolicy,
  type TimelineEntry,
  type Turn,
  type TurnInputPart,
  type TurnItem,
  type TurnItemAttempt,
  type TurnItemStatus,
  type TurnItemType,
  type TurnStatus,
  type TurnStatusChange,
} from '@cairn/protocol';
import type { ReadContext } from '../../store/store-context.js';

export interface TurnRow {
  turn_id: string;
  workspace_id: string;
  thread_id: string;
  thread_seq: number;
  status: string;
  sandbox_policy: string | null;
  model: string | null;
  error: string | null;
  usage: string | null;
  item_count: number;
  last_seq: number;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
}
export const TURN_COLUMNS =
  'turn_id, workspace_id, thread_id, thread_seq, status, sandbox_policy, model, error, usage, item_count, last_seq, started_at, updated_at, completed_at';

interface InputRow {
  kind: string;
  text: string | null;
  attachment_id: string | null;
  name: string | null;
  mime_type: string | null;
}
const INPUTS = 'SELECT kind, text, attachment_id, name, mime_type FROM turn_input WHERE turn_id = ? ORDER BY ordinal';
const TURN = `SELECT ${TURN_COLUMNS} FROM turn WHERE turn_id = ?`;

export interface ItemRow {
  turn_id: string;
  item_id: string;
  thread_id: string;
  workspace_id: string;
  ordinal: number;
  item_type: string;
  status: string;
  attempt: number;
  text: string | null;
  payload: string | null;
  error: string | null;
  reason: string | null;
  started_at: string;
  updated_at: string;
  completed_at: string | null;
  timed_out_at: string | null;
  retry_due_at: string | null;
}
export const ITEM_COLUMNS =
  'turn_id, item_id, thread_id, workspace_id, ordinal, item_type, status, attempt, text, payload, error, reason, ' +
  'started_at, updated_at, completed_at, timed_out_at, retry_due_at';

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** The turn if it belongs to `workspaceId`; a turn of another workspace answers exactly like a missing one. */
export async function requireTurn(q: ReadContext, workspaceId: string, turnId: string): Promise<TurnRow> {
  const row = await q.get<TurnRow>(TURN, [turnId]);
  if (!row || row.workspace_id !== workspaceId) {
    throw new CairnError('not_found', 'turn not found', { details: { workspace_id: workspaceId, turn_id: turnId } });
  }
  return row;
}

export async function toTurn(q: ReadContext, row: TurnRow): Promise<Turn> {
  const input = (await q.all<InputRow>(INPUTS, [row.turn_id])).map(toInputPart);
  return {
    turn_id: row.turn_id,
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    thread_seq: row.thread_seq,
    status: row.status as TurnStatus,
    input,
    sandbox_policy: parse<SandboxPolicy>(row.sandbox_policy),
    model: row.model,
    error: parse(row.error),
    usage: parse(row.usage),
    item_count: row.item_count,
    last_seq: row.last_seq,
    started_at: row.started_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
  };
}

function toInputPart(row: InputRow): TurnInputPart {
  if (row.kind === 'text') return { type: 'text', text: row.text ?? '' };
  const part: TurnInputPart = { type: 'attachment', attachment_id: row.attachment_id ?? '' };
  if (row.name !== null) part.name = row.name;
  if (row.mime_type !== null) part.mime_type = row.mime_type;
  return part;
}

export function toTurnItem(row: ItemRow): TurnItem {
  return {
    turn_id: row.turn_id,
    item_id: row.item_id,
    thread_id: row.thread_id,
    workspace_id: row.workspace_id,
    ordinal: row.ordinal,
    item_type: row.item_type as TurnItemType,
    status: row.status as TurnItemStatus,
    attempt: row.attempt,
    text: row.text,
    payload: parse(row.payload),
    error: parse(row.error),
    reason: row.reason,
    started_at: row.started_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
    timed_out_at: row.timed_out_at,
    retry_due_at: row.retry_due_at,
  };
}

export interface AttemptRow {
  turn_id: string;
  item_id: string;
  attempt: number;
  status: string;
  started_at: string;
  ended_at: string | null;
  reason: string | null;
}
export const ATTEMPT_COLUMNS = 'turn_id, item_id, attempt, status, started_at, ended_at, reason';

export function toAttempt(row: AttemptRow): TurnItemAttempt {
  return { ...row, status: row.status as AttemptStatus };
}

export interface TimelineRow {
  turn_id: string;
  seq: number;
  workspace_seq: number;
  type: string;
  item_id: string | null;
  attempt: number | null;
  status: string | null;
  detail: string | null;
  at: string;
}
export const TIMELINE_COLUMNS = 'turn_id, seq, workspace_seq, type, item_id, attempt, status, detail, at';

export function toTimelineEntry(row: TimelineRow): TimelineEntry {
  return { ...row, detail: parse(row.detail) };
}

export interface StatusChangeRow {
  turn_id: string;
  seq: number;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  changed_at: string;
}

export function toStatusChange(row: StatusChangeRow): TurnStatusChange {
  return {
    turn_id: row.turn_id,
    seq: row.seq,
    from_status: row.from_status as TurnStatus | null,
    to_status: row.to_status as TurnStatus,
    reason: row.reason,
    at: row.changed_at,
  };
}
