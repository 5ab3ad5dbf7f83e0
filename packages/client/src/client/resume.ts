import type { SyncResumeParams } from '@cairn/protocol';
import { hasRpcErrorCode, isCairnRpcError, type CairnRpcError } from '../errors/client-errors.js';
import type { ClientSession } from './client-session.js';
import { RESUME_ERROR, SNAPSHOT } from './listeners.js';

/** `ok`: resumed (or the gateway refused it and the app was told); `lost`: no answer, drop the socket and reconnect. */
export type ResumeOutcome = 'ok' | 'lost';

/** A snapshot resume whose retention point moves on again before it lands is retried this often, then reported. */
const SNAPSHOT_ATTEMPTS = 3;

/**
 * Resumes one workspace on a freshly opened socket. The gateway replays what was missed as
 * notifications before its answer; the session's dedupe drops what had already arrived. When
 * the cursor is older than retention (`snapshot_required`), the client re-subscribes from
 * the head first and only then tells the app to reload: reloading after the subscription is
 * back means nothing committed between the reload and the subscription can be missed.
 */
export async function resumeWorkspace(session: ClientSession, plan: SyncResumeParams): Promise<ResumeOutcome> {
  try {
    await session.sendNow('sync/resume', plan);
    return 'ok';
  } catch (error) {
    if (hasRpcErrorCode(error, 'snapshot_required')) return resumeFromHead(session, plan, error);
    return report(session, plan.workspace_id, error);
  }
}

async function resumeFromHead(session: ClientSession, plan: SyncResumeParams, first: CairnRpcError): Promise<ResumeOutcome> {
  const workspaceId = plan.workspace_id;
  let refusal = first;
  for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
    const retentionSeq = numberOf(refusal.details?.retention_seq);
    // A gateway that names its head lets the client skip the replay; otherwise replay from
    // the retention point with delivery suppressed (the app reloads that state anyway).
    const headSeq = numberOf(refusal.details?.head_seq);
    const afterSeq = headSeq ?? retentionSeq ?? 0;
    session.suppressed.add(workspaceId);
    try {
      const result = await session.sendNow('sync/resume', { ...plan, after_seq: afterSeq });
      session.sync.reset(workspaceId, result.head_seq);
      session.suppressed.delete(workspaceId);
      session.listeners.emit(SNAPSHOT, workspaceId, retentionSeq, result.head_seq);
      return 'ok';
    } catch (error) {
      session.suppressed.delete(workspaceId);
      if (!hasRpcErrorCode(error, 'snapshot_required')) return report(session, workspaceId, error);
      refusal = error;
    }
  }
  return report(session, workspaceId, refusal);
}

function report(session: ClientSession, workspaceId: string, error: unknown): ResumeOutcome {
  if (!isCairnRpcError(error)) return 'lost';
  session.listeners.emit(RESUME_ERROR, workspaceId, error);
  return 'ok';
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
