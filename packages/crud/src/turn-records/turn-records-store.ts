import type {
  Attachment,
  AttachmentRefParams,
  BindMcpParams,
  BindMcpResult,
  BindSkillParams,
  BindSkillResult,
  ClaimRecoveryJobParams,
  CompleteRecoveryJobParams,
  FailRecoveryJobParams,
  ListTurnAttachmentsParams,
  MarkAttachmentFailedParams,
  MarkAttachmentReadyParams,
  PageResult,
  PruneLlmContextParams,
  PruneLlmContextResult,
  RecordPromptManifestParams,
  RecordPromptManifestResult,
  RecoveryJob,
  RecoveryJobRefParams,
  RegisterAttachmentParams,
  RegisterAttachmentResult,
  ReleaseRecoveryJobParams,
  RetainLlmContextParams,
  RetainLlmContextResult,
  TurnBindings,
  TurnLlmContext,
  TurnPromptManifest,
  TurnRecordRefParams,
} from '@cairn/protocol';
import type { TurnRecordsDeps } from './append-record-event.js';
import {
  getAttachment,
  listTurnAttachments,
  markAttachmentFailed,
  markAttachmentReady,
  registerAttachment,
} from './attachments.js';
import { bindMcp, bindSkill, listTurnBindings } from './bind-turn.js';
import { claimRecoveryJob } from './claim-recovery-job.js';
import { pruneLlmContext } from './prune-llm-context.js';
import { getRecoveryJob, listTurnRecoveryJobs } from './read-recovery-jobs.js';
import { rearmExpiredRecoveryClaims, type RearmClaimsReport } from './rearm-recovery-claims.js';
import { getPromptManifest, recordPromptManifest } from './record-prompt-manifest.js';
import { getLlmContext, retainLlmContext } from './retain-llm-context.js';
import { completeRecoveryJob, failRecoveryJob, releaseRecoveryJob } from './settle-recovery-job.js';

/**
 * `store.turnRecords`: what a turn used (prompt manifest, skill and MCP bindings), its
 * retained LLM context, its recovery jobs, and the attachments its input references. Each
 * operation lives in its own file; this class only routes.
 */
export class TurnRecordsStore {
  readonly #deps: TurnRecordsDeps;

  constructor(deps: TurnRecordsDeps) {
    this.#deps = deps;
  }

  recordPromptManifest(params: RecordPromptManifestParams): Promise<RecordPromptManifestResult> {
    return recordPromptManifest(this.#deps, params);
  }

  getPromptManifest(params: TurnRecordRefParams): Promise<TurnPromptManifest> {
    return getPromptManifest(this.#deps, params);
  }

  bindSkill(params: BindSkillParams): Promise<BindSkillResult> {
    return bindSkill(this.#deps, params);
  }

  bindMcp(params: BindMcpParams): Promise<BindMcpResult> {
    return bindMcp(this.#deps, params);
  }

  listBindings(params: TurnRecordRefParams): Promise<TurnBindings> {
    return listTurnBindings(this.#deps, params);
  }

  retainLlmContext(params: RetainLlmContextParams): Promise<RetainLlmContextResult> {
    return retainLlmContext(this.#deps, params);
  }

  getLlmContext(params: TurnRecordRefParams): Promise<TurnLlmContext> {
    return getLlmContext(this.#deps, params);
  }

  /** Low-priority maintenance: call again while `more`. */
  pruneLlmContext(params?: PruneLlmContextParams): Promise<PruneLlmContextResult> {
    return pruneLlmContext(this.#deps, params);
  }

  claimRecoveryJob(params: ClaimRecoveryJobParams): Promise<RecoveryJob | null> {
    return claimRecoveryJob(this.#deps, params);
  }

  completeRecoveryJob(params: CompleteRecoveryJobParams): Promise<RecoveryJob> {
    return completeRecoveryJob(this.#deps, params);
  }

  failRecoveryJob(params: FailRecoveryJobParams): Promise<RecoveryJob> {
    return failRecoveryJob(this.#deps, params);
  }

  releaseRecoveryJob(params: ReleaseRecoveryJobParams): Promise<RecoveryJob> {
    return releaseRecoveryJob(this.#deps, params);
  }

  getRecoveryJob(params: RecoveryJobRefParams): Promise<RecoveryJob> {
    return getRecoveryJob(this.#deps, params);
  }

  listRecoveryJobs(params: TurnRecordRefParams): Promise<RecoveryJob[]> {
    return listTurnRecoveryJobs(this.#deps, params);
  }

  /** Startup repair: expired claims back to `pending`. */
  rearmExpiredRecoveryClaims(options?: { now?: string; batch?: number }): Promise<RearmClaimsReport> {
    return rearmExpiredRecoveryClaims(this.#deps, options);
  }

  registerAttachment(params: RegisterAttachmentParams): Promise<RegisterAttachmentResult> {
    return registerAttachment(this.#deps, params);
  }

  markAttachmentReady(params: MarkAttachmentReadyParams): Promise<Attachment> {
    return markAttachmentReady(this.#deps, params);
  }

  markAttachmentFailed(params: MarkAttachmentFailedParams): Promise<Attachment> {
    return markAttachmentFailed(this.#deps, params);
  }

  getAttachment(params: AttachmentRefParams): Promise<Attachment> {
    return getAttachment(this.#deps, params);
  }

  listTurnAttachments(params: ListTurnAttachmentsParams): Promise<PageResult<Attachment>> {
    return listTurnAttachments(this.#deps, params);
  }
}
