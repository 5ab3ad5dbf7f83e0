import type {
  BindMcpParams,
  BindMcpResult,
  BindSkillParams,
  BindSkillResult,
  PruneLlmContextParams,
  PruneLlmContextResult,
  RecordPromptManifestParams,
  RecordPromptManifestResult,
  RetainLlmContextParams,
  RetainLlmContextResult,
  TurnBindings,
  TurnLlmContext,
  TurnPromptManifest,
  TurnRecordRefParams,
} from '@cairn/protocol';
import { bindMcp, bindSkill, listTurnBindings } from './bind-turn.js';
import { pruneLlmContext } from './prune-llm-context.js';
import { getPromptManifest, recordPromptManifest } from './record-prompt-manifest.js';
import { getLlmContext, retainLlmContext } from './retain-llm-context.js';
import type { TurnRecordsDeps } from './turn-records-deps.js';

/**
 * `store.turnRecords`: what a turn used (prompt manifest, skill and MCP bindings) and its
 * retained LLM context. Each operation lives in its own file; this class only routes. The
 * recovery work queue is `store.recoveryJobs`, the attachment registry `store.attachments`.
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
}
