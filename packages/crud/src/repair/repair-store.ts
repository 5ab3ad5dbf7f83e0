import type { TurnDeps } from '../turns/turn-deps.js';
import type { RebuildReport } from './rebuild-read-models.js';
import { rebuildTurnReadModels } from './rebuild-turns.js';
import { repairTurns, type RepairOptions, type RepairReport } from './repair-turns.js';

/** `store.repair`: startup repair of read-model invariants, and rebuilds from the journal. */
export class RepairStore {
  readonly #deps: TurnDeps;

  constructor(deps: TurnDeps) {
    this.#deps = deps;
  }

  /** Detects and fixes turn read-model damage; `{ detected, repaired, remaining }` per kind. */
  turns(options: RepairOptions = {}): Promise<RepairReport> {
    return repairTurns(this.#deps, options);
  }

  /** Empties the turn-stream read models and replays the journal into them. */
  rebuild(): Promise<RebuildReport> {
    return rebuildTurnReadModels(this.#deps);
  }
}
