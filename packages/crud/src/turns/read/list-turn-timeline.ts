import { LIMITS, TurnTimelineParams, type PageResult, type TimelineEntry } from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import { decodeCursor, toPage } from '../../pagination/cursor.js';
import type { StoreContext } from '../../store/store-context.js';
import { TIMELINE_COLUMNS, requireTurn, toTimelineEntry, type TimelineRow } from './turn-rows.js';

const TIMELINE = `SELECT ${TIMELINE_COLUMNS} FROM turn_timeline_entry WHERE turn_id = ? AND seq > ? ORDER BY seq LIMIT ?`;

/** `turn/timeline`: in stream order, keyset-paginated on the stream sequence. */
export async function listTurnTimeline(store: StoreContext, params: TurnTimelineParams): Promise<PageResult<TimelineEntry>> {
  const p = parseParams(TurnTimelineParams, params, 'turn/timeline');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = `turn-timeline:${p.workspace_id}:${p.turn_id}`;
  const after = p.cursor === undefined ? 0 : Number(decodeCursor(p.cursor, filter)[0]);
  return store.read(async (q) => {
    await requireTurn(q, p.workspace_id, p.turn_id);
    const rows = await q.all<TimelineRow>(TIMELINE, [p.turn_id, after, limit + 1]);
    return toPage(rows, limit, toTimelineEntry, (row) => [String(row.seq), row.turn_id], filter);
  });
}
