import {
  CairnError,
  RecordPromptManifestParams,
  TURN_RECORD_EVENT_TYPES,
  TurnRecordRefParams,
  type PromptManifestInput,
  type PromptManifestRecordedPayload,
  type RecordPromptManifestResult,
  type TurnPromptManifest,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendRecordEvent, type TurnRecordsDeps } from './turn-records-deps.js';
import { findManifest, toPromptManifest } from './manifest-rows.js';
import { sealJson } from './record-values.js';
import { requireTurn, requireTurnInWorkspace } from './turn-ref.js';

/**
 * Records which prompt, skills and tools a turn used: a `turn.prompt_manifest.recorded` event
 * and its row, in one transaction. One manifest per turn: the same manifest again answers
 * the stored one (`recorded: false`); a different one is a `conflict`.
 */
export async function recordPromptManifest(deps: TurnRecordsDeps, params: RecordPromptManifestParams): Promise<RecordPromptManifestResult> {
  const p = parseParams(RecordPromptManifestParams, params, 'turnRecords.recordPromptManifest');
  const sealed = sealJson<PromptManifestInput>(deps.events.journal.redact, p.manifest);
  const type = TURN_RECORD_EVENT_TYPES.promptManifestRecorded;
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireTurn(ctx, p.workspace_id, p.thread_id, p.turn_id);
    const existing = await findManifest(ctx, p.turn_id);
    if (existing) {
      if (existing.manifest_sha256 === sealed.sha256) return { manifest: toPromptManifest(existing), recorded: false };
      throw new CairnError('conflict', 'the turn already has a different prompt manifest', { details: { turn_id: p.turn_id } });
    }
    const payload: PromptManifestRecordedPayload = { type, turn_id: p.turn_id, thread_id: p.thread_id, manifest: sealed.value, manifest_sha256: sealed.sha256 };
    await appendRecordEvent(ctx, deps.events, p.workspace_id, p.turn_id, payload);
    return { manifest: toPromptManifest((await findManifest(ctx, p.turn_id))!), recorded: true };
  });
}

/** The turn's manifest; `not_found` for an unknown turn, a turn of another workspace, or none recorded. */
export async function getPromptManifest(deps: TurnRecordsDeps, params: TurnRecordRefParams): Promise<TurnPromptManifest> {
  const p = parseParams(TurnRecordRefParams, params, 'turnRecords.getPromptManifest');
  return deps.context.read(async (q) => {
    await requireTurnInWorkspace(q, p.workspace_id, p.turn_id);
    const row = await findManifest(q, p.turn_id);
    if (!row) throw new CairnError('not_found', 'the turn has no prompt manifest', { details: { turn_id: p.turn_id } });
    return toPromptManifest(row);
  });
}
