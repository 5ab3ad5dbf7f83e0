import { TURN_RECORD_EVENT_TYPES } from '@cairn/protocol';
import { violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { decideMcpBinding, decidePromptManifest, decideSkillBinding } from './project-records.js';
import { TURN_END_TYPES, decideTurnEnd } from './project-turn-end.js';

type Handler = (ctx: WriteContext, event: PendingEvent) => Promise<Decision>;

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  [TURN_RECORD_EVENT_TYPES.promptManifestRecorded, decidePromptManifest],
  [TURN_RECORD_EVENT_TYPES.skillBound, decideSkillBinding],
  [TURN_RECORD_EVENT_TYPES.mcpBound, decideMcpBinding],
  ...TURN_END_TYPES.map((type) => [type, decideTurnEnd] as const),
]);

/**
 * Projects the turn records, on the turn stream: prompt manifests and skill/MCP bindings
 * (from their own `turn.*` events), and the turn-end stamp on retained LLM context. Every
 * outcome is named: a replay is `noop_already_started` (the record exists with the same
 * content) or `noop_already_terminal` (the turn already stamped), never a second row.
 *
 * `turn_llm_context` is not among `tables`: its body is stored once, there, and the journal
 * holds only its hash and size (`turn.llm_context.retained`, which no projector handles: a
 * fact the journal keeps), so a rebuild must not empty it.
 */
export class TurnRecordsProjector implements Projector {
  readonly name = 'turn-records';
  readonly canHandle: readonly string[] = [...HANDLERS.keys()];
  readonly tables = ['turn_prompt_manifest', 'turn_skill_binding', 'turn_mcp_binding'] as const;

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    const handler = HANDLERS.get(event.type);
    return handler ? handler(ctx, event) : violation(`turn-records does not handle ${event.type}`);
  }
}
