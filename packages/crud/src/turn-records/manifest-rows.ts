import type { ManifestSkill, ManifestTool, TurnPromptManifest } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface ManifestRow {
  turn_id: string;
  workspace_id: string;
  thread_id: string;
  prompt_id: string;
  prompt_version: string;
  prompt_sha256: string;
  skills: string;
  tools: string;
  manifest_sha256: string;
  recorded_at: string;
  event_position: number;
}

const COLUMNS =
  'turn_id, workspace_id, thread_id, prompt_id, prompt_version, prompt_sha256, skills, tools, manifest_sha256, recorded_at, event_position';

export function findManifest(q: ReadContext, turnId: string): Promise<ManifestRow | undefined> {
  return q.get<ManifestRow>(`SELECT ${COLUMNS} FROM turn_prompt_manifest WHERE turn_id = ?`, [turnId]);
}

export async function insertManifest(ctx: WriteContext, row: ManifestRow): Promise<void> {
  await ctx.run(`INSERT INTO turn_prompt_manifest (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.turn_id,
    row.workspace_id,
    row.thread_id,
    row.prompt_id,
    row.prompt_version,
    row.prompt_sha256,
    row.skills,
    row.tools,
    row.manifest_sha256,
    row.recorded_at,
    row.event_position,
  ]);
}

export function toPromptManifest(row: ManifestRow): TurnPromptManifest {
  return {
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    prompt: { prompt_id: row.prompt_id, version: row.prompt_version, sha256: row.prompt_sha256 },
    skills: JSON.parse(row.skills) as ManifestSkill[],
    tools: JSON.parse(row.tools) as ManifestTool[],
    manifest_sha256: row.manifest_sha256,
    recorded_at: row.recorded_at,
    event_position: row.event_position,
  };
}
