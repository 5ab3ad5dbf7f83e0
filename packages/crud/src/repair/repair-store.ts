import { readArchivedEvents } from '../journal/retention/read-archive.js';
import type { TurnDeps } from '../turns/turn-deps.js';
import { repairTasks, type TaskRepairReport } from '../tasks/repair-tasks.js';
import { rebuildReadModels, type RebuildReport } from './rebuild-read-models.js';
import { repairTurns, type RepairOptions, type RepairReport } from './repair-turns.js';

/** `store.repair`: startup repair of read-model invariants, and rebuilds from the journal. */
export class RepairStore {
  readonly #deps: TurnDeps;
  readonly #archiveDir: string | undefined;

  /** `archiveDir`: where retention put the journal's oldest events; a rebuild replays them first. */
  constructor(deps: TurnDeps, archiveDir?: string) {
    this.#deps = deps;
    this.#archiveDir = archiveDir;
  }

  /** Detects and fixes turn read-model damage; `{ detected, repaired, remaining }` per kind. */
  turns(options: RepairOptions = {}): Promise<RepairReport> {
    return repairTurns(this.#deps, options);
  }

  /**
   * Detects and fixes task read-model damage: a terminal task or run without completion
   * time (a journaled `task.repaired`), a running run whose lease expired (recovered per its
   * retry policy); `{ detected, repaired, remaining }` per kind.
   */
  tasks(options: { now?: string; batch?: number } = {}): Promise<TaskRepairReport> {
    return repairTasks(this.#deps, options);
  }

  /** Empties the read models of every registered projector and replays the archive and the journal into them, in one transaction. */
  rebuild(): Promise<RebuildReport> {
    const archiveDir = this.#archiveDir;
    return this.#deps.context.write(async (ctx) => {
      // Every workspace's read models at once: no append may run meanwhile, anywhere.
      await ctx.dialect.lockAllWorkspaces(ctx);
      return rebuildReadModels(ctx, this.#deps.events, { archived: archiveDir === undefined ? [] : await readArchivedEvents(ctx, archiveDir) });
    });
  }
}
