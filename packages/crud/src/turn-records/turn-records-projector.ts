import { TURN_RECORD_EVENT_TYPES } from '@cairn/protocol';
import type { ProjectionOutcome, Projector } from '../journal/projector.js';
import type { JournalEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { decideMcpBinding, decidePromptManifest, decideSkillBinding } from './project-records.js';
import { decideRecoveryClosed, decideRecoveryOpened, decideRetryScheduled } from './project-recovery.js';
import { TURN_END_TYPES, decideTurnEnd } from './project-turn-end.js';
import { violation, type Decision, type Handler } from './projection.js';

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  [TURN_RECORD_EVENT_TYPES.promptManifestRecorded, decidePromptManifest],
  [TURN_RECORD_EVENT_TYPES.skillBound, decideSkillBinding],
  [TURN_RECORD_EVENT_TYPES.mcpBound, decideMcpBinding],
  ['recovery.opened', decideRecoveryOpened],
  ['retry.scheduled', decideRetryScheduled],
  ['recovery.succeeded', decideRecoveryClosed],
  ['recovery.exhausted', decideRecoveryClosed],
  ...TURN_END_TYPES.map((type) => [type, decideTurnEnd] as const),
]);

/**
 * Projects the turn records: prompt manifests and skill/MCP bindings (from their own
 * `turn.*` events), recovery jobs (from the turn's recovery events), and the turn-end stamps
 * on retained LLM context and open jobs. Every outcome is named: a replay is
 * `noop_already_started` (the record exists with the same content) or `noop_already_terminal`
 * (the job is closed, the turn already stamped), never a second row.
 *
 * `turn_llm_context` is not among `tables`: its body is stored once, there, and the journal
 * holds only its hash and size, so a rebuild must not empty it. Claims on recovery jobs
 * (who holds one, until when) are worker state outside the journal: a rebuild re-opens the
 * jobs the journal leaves open, unclaimed.
 */
export class TurnRecordsProjector implements Projector {
  readonly name = 'turn-records';
  readonly tables = ['turn_prompt_manifest', 'turn_skill_binding', 'turn_mcp_binding', 'recovery_job'] as const;

  handles(type: string): boolean {
    return HANDLERS.has(type);
  }

  check(ctx: WriteContext, event: JournalEvent): ProjectionOutcome {
    return this.#decide(ctx, event).outcome;
  }

  apply(ctx: WriteContext, event: JournalEvent): ProjectionOutcome {
    const decision = this.#decide(ctx, event);
    if (decision.outcome.outcome === 'applied') decision.write?.();
    return decision.outcome;
  }

  #decide(ctx: WriteContext, event: JournalEvent): Decision {
    const handler = HANDLERS.get(event.type);
    return handler ? handler(ctx, event) : violation(`turn-records does not handle ${event.type}`);
  }
}
