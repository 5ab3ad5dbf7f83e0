import { Type, type Static } from 'typebox';
import { WorkspaceId } from '../common/ids.js';
import { defineMethods } from '../methods/define-methods.js';
import {
  AttachmentRefParams,
  AttachmentResult,
  ListTurnAttachmentsParams,
  ListTurnAttachmentsResult,
  MarkAttachmentFailedParams,
  MarkAttachmentReadyParams,
  RegisterAttachmentParams,
  RegisterAttachmentResult,
} from './attachment.js';
import { RetainLlmContextParams, RetainLlmContextResult, TurnLlmContext } from './llm-context.js';
import { RecordPromptManifestParams, RecordPromptManifestResult, TurnPromptManifest } from './prompt-manifest.js';
import {
  ClaimRecoveryJobParams,
  ClaimRecoveryJobResult,
  CompleteRecoveryJobParams,
  FailRecoveryJobParams,
  RecoveryJob,
  RecoveryJobRefParams,
  ReleaseRecoveryJobParams,
} from './recovery-job.js';
import { BindMcpParams, BindMcpResult, BindSkillParams, BindSkillResult, TurnBindings, TurnRecordRefParams } from './turn-bindings.js';

const strict = { additionalProperties: false } as const;

/*
 * The wire forms of the recovery-job operations differ from the store's params in two ways,
 * both about trust: they carry no `now` (the gateway's clock decides whose lease expired; a
 * client-chosen `now` could take over a live claim), and settling names the workspace, so the
 * gateway can check the token's scope, and that the job belongs to that workspace, before it
 * settles the job (the store's settle operations know the job by id alone).
 */
const { now: _claimNow, ...claimFields } = ClaimRecoveryJobParams.properties;
const { now: _completeNow, ...completeFields } = CompleteRecoveryJobParams.properties;
const { now: _failNow, ...failFields } = FailRecoveryJobParams.properties;
const { now: _releaseNow, ...releaseFields } = ReleaseRecoveryJobParams.properties;
const scope = { workspace_id: WorkspaceId };

/** Claims the due job, of one workspace if named (a token scoped to workspaces must name one). */
export const ClaimRecoveryJobRequest = Type.Object(claimFields, strict);
export const CompleteRecoveryJobRequest = Type.Object({ ...scope, ...completeFields }, strict);
export const FailRecoveryJobRequest = Type.Object({ ...scope, ...failFields }, strict);
export const ReleaseRecoveryJobRequest = Type.Object({ ...scope, ...releaseFields }, strict);

export type ClaimRecoveryJobRequest = Static<typeof ClaimRecoveryJobRequest>;
export type CompleteRecoveryJobRequest = Static<typeof CompleteRecoveryJobRequest>;
export type FailRecoveryJobRequest = Static<typeof FailRecoveryJobRequest>;
export type ReleaseRecoveryJobRequest = Static<typeof ReleaseRecoveryJobRequest>;

/** Results are objects on the wire, so a record the store returns bare is wrapped. */
export const PromptManifestResult = Type.Object({ manifest: TurnPromptManifest });
export const LlmContextResult = Type.Object({ llm_context: TurnLlmContext });
export const RecoveryJobResult = Type.Object({ job: RecoveryJob });
/** A turn's recovery jobs, oldest first: a handful per turn, so not paginated. */
export const RecoveryJobListResult = Type.Object({ jobs: Type.Array(RecoveryJob) });

export type PromptManifestResult = Static<typeof PromptManifestResult>;
export type LlmContextResult = Static<typeof LlmContextResult>;
export type RecoveryJobResult = Static<typeof RecoveryJobResult>;
export type RecoveryJobListResult = Static<typeof RecoveryJobListResult>;

/**
 * What a runtime records beside a turn's events (PROTOCOL.md, `turn/records/*`): one method
 * per operation of crud's turn-record, recovery-job and attachment stores. The maintenance
 * passes (pruning retained LLM context, re-arming expired claims) are the gateway's own work
 * and have no method.
 */
export const turnRecordMethods = defineMethods({
  'turn/records/prompt_manifest/record': { params: RecordPromptManifestParams, result: RecordPromptManifestResult },
  'turn/records/prompt_manifest/get': { params: TurnRecordRefParams, result: PromptManifestResult },
  'turn/records/skill/bind': { params: BindSkillParams, result: BindSkillResult },
  'turn/records/mcp/bind': { params: BindMcpParams, result: BindMcpResult },
  'turn/records/bindings/list': { params: TurnRecordRefParams, result: TurnBindings },
  'turn/records/llm_context/retain': { params: RetainLlmContextParams, result: RetainLlmContextResult },
  'turn/records/llm_context/get': { params: TurnRecordRefParams, result: LlmContextResult },
  'turn/records/recovery_job/claim': { params: ClaimRecoveryJobRequest, result: ClaimRecoveryJobResult },
  'turn/records/recovery_job/complete': { params: CompleteRecoveryJobRequest, result: RecoveryJobResult },
  'turn/records/recovery_job/fail': { params: FailRecoveryJobRequest, result: RecoveryJobResult },
  'turn/records/recovery_job/release': { params: ReleaseRecoveryJobRequest, result: RecoveryJobResult },
  'turn/records/recovery_job/get': { params: RecoveryJobRefParams, result: RecoveryJobResult },
  'turn/records/recovery_job/list': { params: TurnRecordRefParams, result: RecoveryJobListResult },
  'turn/records/attachment/register': { params: RegisterAttachmentParams, result: RegisterAttachmentResult },
  'turn/records/attachment/mark_ready': { params: MarkAttachmentReadyParams, result: AttachmentResult },
  'turn/records/attachment/mark_failed': { params: MarkAttachmentFailedParams, result: AttachmentResult },
  'turn/records/attachment/get': { params: AttachmentRefParams, result: AttachmentResult },
  'turn/records/attachment/list': { params: ListTurnAttachmentsParams, result: ListTurnAttachmentsResult },
});
