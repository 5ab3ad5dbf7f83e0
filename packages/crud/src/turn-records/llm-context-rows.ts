import type { LlmContextBody, TurnLlmContext, TurnLlmContextInfo } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface LlmContextInfoRow {
  turn_id: string;
  workspace_id: string;
  thread_id: string;
  revision: number;
  sha256: string;
  size_bytes: number;
  message_count: number;
  retained_at: string;
  turn_terminal_at: string | null;
  event_position: number;
}

export interface LlmContextRow extends LlmContextInfoRow {
  content: string;
}

const INFO_COLUMNS = 'turn_id, workspace_id, thread_id, revision, sha256, size_bytes, message_count, retained_at, turn_terminal_at, event_position';

export function findLlmContextInfo(q: ReadContext, turnId: string): Promise<LlmContextInfoRow | undefined> {
  return q.get<LlmContextInfoRow>(`SELECT ${INFO_COLUMNS} FROM turn_llm_context WHERE turn_id = ?`, [turnId]);
}

export function findLlmContext(q: ReadContext, turnId: string): Promise<LlmContextRow | undefined> {
  return q.get<LlmContextRow>(`SELECT ${INFO_COLUMNS}, content FROM turn_llm_context WHERE turn_id = ?`, [turnId]);
}

/** Writes the turn's one row: a first snapshot inserts, a newer revision replaces the body in place. */
export async function upsertLlmContext(ctx: WriteContext, row: LlmContextRow, exists: boolean): Promise<void> {
  if (exists) {
    await ctx.run(
      `UPDATE turn_llm_context SET revision = ?, content = ?, sha256 = ?, size_bytes = ?, message_count = ?, retained_at = ?,
         turn_terminal_at = ?, event_position = ? WHERE turn_id = ?`,
      [row.revision, row.content, row.sha256, row.size_bytes, row.message_count, row.retained_at, row.turn_terminal_at, row.event_position, row.turn_id],
    );
    return;
  }
  await ctx.run(`INSERT INTO turn_llm_context (${INFO_COLUMNS}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.turn_id,
    row.workspace_id,
    row.thread_id,
    row.revision,
    row.sha256,
    row.size_bytes,
    row.message_count,
    row.retained_at,
    row.turn_terminal_at,
    row.event_position,
    row.content,
  ]);
}

export function toLlmContextInfo(row: LlmContextInfoRow): TurnLlmContextInfo {
  return {
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    revision: row.revision,
    sha256: row.sha256,
    size_bytes: row.size_bytes,
    message_count: row.message_count,
    retained_at: row.retained_at,
    turn_terminal_at: row.turn_terminal_at,
    event_position: row.event_position,
  };
}

export function toLlmContext(row: LlmContextRow): TurnLlmContext {
  return { ...toLlmContextInfo(row), context: JSON.parse(row.content) as LlmContextBody };
}
