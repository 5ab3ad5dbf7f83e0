import type { TurnDeps } from '../turns/turn-deps.js';
import { rebuildReadModels, type RebuildReport } from './rebuild-read-models.js';

/** Drops the read models of every turn-stream projector and re-projects them from the journal, in one transaction. */
export function rebuildTurnReadModels(deps: TurnDeps): Promise<RebuildReport> {
  return deps.context.write((ctx) => rebuildReadModels(ctx, deps.projectors()));
}
