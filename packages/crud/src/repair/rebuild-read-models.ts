import type { WriteContext } from '../port/types.js';
import type { EventLog, Projector } from '../event-log/types.js';
import { readJournalAfter } from '../journal/read-journal-after.js';
import type { JournalEvent } from '../journal/types.js';

export interface RebuildReport {
  /** Journal events replayed (all of them, in position order). */
  events: number;
  /** How many times each outcome came back, over every projector. */
  outcomes: Record<string, number>;
  /** Events a projector refused on replay: the journal and the projector's rules disagree. At most 100 listed. */
  violations: Array<{ position: number; projector: string; type: string; reason: string }>;
  tables: string[];
}

const BATCH = 2_000;
const MAX_LISTED = 100;

/**
 * Empties every projector's tables (later projectors first, each one's children first) and
 * replays the whole journal through the same projectors the event log appends through
 * (their `forRebuild` instance where they have one), in one write transaction: readers see
 * the old read models until COMMIT and the rebuilt ones after, never a half-built state. As
 * on append, every projector of an event decides first, then the applied ones write. A
 * violation on replay does not stop the rebuild: it is reported (that projector skips the
 * event). Events the retention policy archived (`options.archived`, in position order: see
 * `readArchivedEvents`) are replayed too, merged with the live journal by position, so the read
 * models come out as they were before retention.
 */
export async function rebuildReadModels(
  ctx: WriteContext,
  log: Pick<EventLog, 'projectors' | 'projectorsFor'>,
  options: { archived?: readonly JournalEvent[] } = {},
): Promise<RebuildReport> {
  const replaying = new Map<Projector, Projector>(log.projectors.map((p) => [p, p.forRebuild?.() ?? p]));
  const tables: string[] = [];
  for (const projector of [...log.projectors].reverse()) {
    for (const table of projector.tables) {
      await ctx.run(`DELETE FROM "${table.replaceAll('"', '""')}"`);
      tables.push(table);
    }
  }
  const report: RebuildReport = { events: 0, outcomes: {}, violations: [], tables };
  const archived = options.archived ?? [];
  let next = 0;
  const one = (event: JournalEvent): Promise<void> => {
    report.events++;
    return replay(ctx, event, log.projectorsFor(event.streamType, event.type), replaying, report);
  };
  for (let after = 0; ; ) {
    const events = await readJournalAfter(ctx, after, BATCH);
    for (const event of events) {
      while (next < archived.length && archived[next]!.position < event.position) await one(archived[next++]!);
      await one(event);
      after = event.position;
    }
    if (events.length < BATCH) break;
  }
  while (next < archived.length) await one(archived[next++]!);
  return report;
}

async function replay(ctx: WriteContext, event: JournalEvent, projectors: readonly Projector[], replaying: Map<Projector, Projector>, report: RebuildReport): Promise<void> {
  const writes: Array<(placed: JournalEvent) => Promise<void>> = [];
  for (const registered of projectors) {
    const projector = replaying.get(registered) ?? registered;
    const decision = await projector.decide(ctx, event);
    report.outcomes[decision.outcome] = (report.outcomes[decision.outcome] ?? 0) + 1;
    if (decision.outcome === 'applied') writes.push(decision.write);
    else if (decision.outcome === 'invariant_violation' && report.violations.length < MAX_LISTED) {
      report.violations.push({ position: event.position, projector: projector.name, type: event.type, reason: decision.reason });
    }
  }
  for (const write of writes) await write(event);
}
