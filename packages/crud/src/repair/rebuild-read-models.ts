import type { WriteContext } from '@cairn/sqlite';
import type { Projector } from '../journal/projector.js';
import { readJournalAfter } from '../journal/read-journal-after.js';

export interface RebuildReport {
  /** Journal events replayed (all of them, in position order). */
  events: number;
  /** How many times each outcome came back, over every projector. */
  outcomes: Record<string, number>;
  /** Events a projector refused on replay: the journal and the projector's rules disagree. At most 100 listed. */
  violations: Array<{ position: number; projector: string; type: string; reason: string }>;
  tables: string[];
}

/** A projector that wants a different instance for replay (the TurnProjector leaves thread rows alone). */
export interface RebuildAware {
  forRebuild(): Projector;
}

const BATCH = 2_000;
const MAX_LISTED = 100;

/**
 * Empties every projector's tables (later projectors first, each one's children first) and
 * replays the whole journal through them, in one write transaction: readers see the old read
 * models until COMMIT and the rebuilt ones after, never a half-built state. A violation on
 * replay does not stop the rebuild: it is reported (the event is skipped by that projector).
 */
export function rebuildReadModels(ctx: WriteContext, projectors: readonly Projector[]): RebuildReport {
  const replaying = projectors.map((p) => (isRebuildAware(p) ? p.forRebuild() : p));
  const tables: string[] = [];
  for (const projector of [...replaying].reverse()) {
    for (const table of projector.tables) {
      ctx.run(`DELETE FROM "${table.replaceAll('"', '""')}"`);
      tables.push(table);
    }
  }
  const report: RebuildReport = { events: 0, outcomes: {}, violations: [], tables };
  for (let after = 0; ; ) {
    const events = readJournalAfter(ctx, after, BATCH);
    for (const event of events) {
      report.events++;
      for (const projector of replaying) {
        if (!projector.handles(event.type)) continue;
        const result = projector.apply(ctx, event);
        report.outcomes[result.outcome] = (report.outcomes[result.outcome] ?? 0) + 1;
        if (result.outcome === 'invariant_violation' && report.violations.length < MAX_LISTED) {
          report.violations.push({ position: event.position, projector: projector.name, type: event.type, reason: result.reason });
        }
      }
      after = event.position;
    }
    if (events.length < BATCH) return report;
  }
}

function isRebuildAware(projector: Projector): projector is Projector & RebuildAware {
  return typeof (projector as Partial<RebuildAware>).forRebuild === 'function';
}
