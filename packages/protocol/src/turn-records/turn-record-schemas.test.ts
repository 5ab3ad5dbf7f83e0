import { describe, expect, it } from '@jest/globals';
import { checkValue } from '../common/check-value.js';
import { RegisterAttachmentParams } from './attachment.js';
import { RetainLlmContextParams } from './llm-context.js';
import { RecordPromptManifestParams } from './prompt-manifest.js';
import { ClaimRecoveryJobParams, FailRecoveryJobParams } from './recovery-job.js';
import { BindMcpParams } from './turn-bindings.js';
import { TURN_RECORD_EVENT_TYPES, TurnRecordEventPayload } from './turn-record-events.js';
import { LIMITS } from '../common/limits.js';
import { ClaimRecoveryJobRequest, CompleteRecoveryJobRequest, FailRecoveryJobRequest, turnRecordMethods } from './turn-record-methods.js';

const SHA = 'a'.repeat(64);
const ref = { workspace_id: 'w', thread_id: 't', turn_id: 'u' };
const manifest = { prompt: { prompt_id: 'p', version: '1', sha256: SHA }, skills: [], tools: [{ name: 'x', origin: 'builtin', origin_id: null, schema_sha256: null }] };

describe('turn record schemas', () => {
  it('accepts well-formed params and refuses the usual mistakes', () => {
    expect(checkValue(RecordPromptManifestParams, { ...ref, manifest }).ok).toBe(true);
    expect(checkValue(RecordPromptManifestParams, { ...ref, manifest: { ...manifest, prompt: { ...manifest.prompt, sha256: SHA.toUpperCase() } } }).ok).toBe(false);
    expect(checkValue(RecordPromptManifestParams, { ...ref, manifest: { ...manifest, tools: [{ name: 'x', origin: 'plugin', origin_id: null, schema_sha256: null }] } }).ok).toBe(false);
    expect(checkValue(BindMcpParams, { ...ref, binding: { server_id: 's', server_version: null, tool_names: ['a'], policy: { any: { nested: true } } } }).ok).toBe(true);
    expect(checkValue(BindMcpParams, { ...ref, binding: { server_id: 's', server_version: null, tool_names: ['a', 'a'], policy: {} } }).ok).toBe(false);
    expect(checkValue(RetainLlmContextParams, { ...ref, revision: 1, context: { messages: [{ role: 'user', content: 'x' }], tool_state: null } }).ok).toBe(true);
    expect(checkValue(RetainLlmContextParams, { ...ref, revision: 1.5, context: { messages: [] } }).ok).toBe(false);
    expect(checkValue(ClaimRecoveryJobParams, { worker_id: 'gw-1:pid-42', lease_ms: 30_000 }).ok).toBe(true);
    expect(checkValue(ClaimRecoveryJobParams, { worker_id: 'gw-1', lease_ms: LIMITS.turnRecords.leaseMaxMs + 1 }).ok).toBe(false);
    const failure = { provider: 'p', model: null, http_status: 429, error_class: 'rate_limited', retry_after_ms: 1000, message: null };
    expect(checkValue(FailRecoveryJobParams, { job_id: 'rj_1', worker_id: 'w', failure }).ok).toBe(true);
    expect(checkValue(FailRecoveryJobParams, { job_id: 'rj_1', worker_id: 'w', failure: { ...failure, http_status: 700 } }).ok).toBe(false);
    const attachment = { ...ref, file_name: 'notes (final).md', media_type: 'text/markdown; charset=utf-8', size_bytes: 0, sha256: SHA };
    expect(checkValue(RegisterAttachmentParams, attachment).ok).toBe(true);
    for (const file_name of ['a/b', 'a\\b', '', 'x'.repeat(256), 'tab\there']) {
      expect(checkValue(RegisterAttachmentParams, { ...attachment, file_name }).ok).toBe(false);
    }
  });

  it('event payloads carry their type literal and only identity for LLM context', () => {
    expect(Object.values(TURN_RECORD_EVENT_TYPES)).toEqual(['turn.prompt_manifest.recorded', 'turn.skill.bound', 'turn.mcp.bound', 'turn.llm_context.retained']);
    // The name map covers the union exactly: a payload added to one and not the other fails here.
    expect(Object.values(TURN_RECORD_EVENT_TYPES)).toEqual(TurnRecordEventPayload.anyOf.map((payload) => payload.properties.type.const));
    const retained = { type: 'turn.llm_context.retained', turn_id: 'u', thread_id: 't', revision: 2, sha256: SHA, size_bytes: 10, message_count: 1 };
    expect(checkValue(TurnRecordEventPayload, retained).ok).toBe(true);
    expect(checkValue(TurnRecordEventPayload, { ...retained, context: { messages: [] } }).ok).toBe(false);
    expect(checkValue(TurnRecordEventPayload, { type: 'turn.prompt_manifest.recorded', turn_id: 'u', thread_id: 't', manifest, manifest_sha256: SHA }).ok).toBe(true);
  });

  it('wire forms of the recovery-job operations take no client clock and name the workspace when settling', () => {
    const failure = { provider: null, model: null, http_status: 503, error_class: 'overloaded', retry_after_ms: null, message: null };
    expect(checkValue(ClaimRecoveryJobRequest, { worker_id: 'w', lease_ms: 1000 }).ok).toBe(true);
    expect(checkValue(ClaimRecoveryJobRequest, { worker_id: 'w', lease_ms: 1000, workspace_id: 'ws' }).ok).toBe(true);
    expect(checkValue(ClaimRecoveryJobRequest, { worker_id: 'w', lease_ms: 1000, now: '2030-01-01T00:00:00.000Z' }).ok).toBe(false);
    expect(checkValue(CompleteRecoveryJobRequest, { workspace_id: 'ws', job_id: 'rj_1', worker_id: 'w' }).ok).toBe(true);
    expect(checkValue(CompleteRecoveryJobRequest, { job_id: 'rj_1', worker_id: 'w' }).ok).toBe(false);
    expect(checkValue(CompleteRecoveryJobRequest, { workspace_id: 'ws', job_id: 'rj_1', worker_id: 'w', now: '2030-01-01T00:00:00.000Z' }).ok).toBe(false);
    expect(checkValue(FailRecoveryJobRequest, { workspace_id: 'ws', job_id: 'rj_1', worker_id: 'w', failure }).ok).toBe(true);
  });

  it('registers every turn record operation under turn/records/*, reusing the store params where they fit', () => {
    expect(Object.keys(turnRecordMethods).sort()).toEqual([
      'turn/records/attachment/get',
      'turn/records/attachment/list',
      'turn/records/attachment/mark_failed',
      'turn/records/attachment/mark_ready',
      'turn/records/attachment/register',
      'turn/records/bindings/list',
      'turn/records/llm_context/get',
      'turn/records/llm_context/retain',
      'turn/records/mcp/bind',
      'turn/records/prompt_manifest/get',
      'turn/records/prompt_manifest/record',
      'turn/records/recovery_job/claim',
      'turn/records/recovery_job/complete',
      'turn/records/recovery_job/fail',
      'turn/records/recovery_job/get',
      'turn/records/recovery_job/list',
      'turn/records/recovery_job/release',
      'turn/records/skill/bind',
    ]);
    expect(turnRecordMethods['turn/records/prompt_manifest/record'].params).toBe(RecordPromptManifestParams);
    expect(turnRecordMethods['turn/records/attachment/register'].params).toBe(RegisterAttachmentParams);
  });
});
