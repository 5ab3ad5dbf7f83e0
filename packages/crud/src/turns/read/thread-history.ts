import { CairnError, LIMITS, ThreadHistoryParams, type PageResult, type TurnWithItems } from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import { decodeCursor, encodeCursor } from '../../pagination/cursor.js';
import type { StoreContext } from '../../store/store-context.js';
import { requireThread } from '../../thread/thread-row.js';
import { ITEM_COLUMNS, TURN_COLUMNS, toTurn, toTurnItem, type ItemRow, type TurnRow } from './turn-rows.js';

const TURNS = `SELECT ${TURN_COLUMNS} FROM turn WHERE thread_id = ? AND thread_seq <= ? ORDER BY thread_seq DESC LIMIT ?`;
const ITEMS = `SELECT ${ITEM_COLUMNS} FROM turn_item WHERE turn_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?`;
/** Above every thread_seq: the largest value of an `integer` column on PostgreSQL (32-bit), where a bigger parameter is refused. */
const NO_TURN_YET = 2_147_483_647;

/**
 * `thread/history`: newest turn first, each with its items in order; `limit` bounds the items
 * of a page (and the turns). The traversal is (turn newest to oldest) x (item oldest to
 * newest), and the cursor is the position in it, `[thread_seq, last item ordinal]`: a turn
 * cut by the limit continues on the next page, marked `items_truncated`. Items appended to an
 * already-paged turn after the cursor was issued are not revisited (the client has that turn
 * open and follows it by notifications).
 */
export async function readThreadHistory(store: StoreContext, params: ThreadHistoryParams): Promise<PageResult<TurnWithItems>> {
  const p = parseParams(ThreadHistoryParams, params, 'thread/history');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = `thread-history:${p.workspace_id}:${p.thread_id}`;
  let [fromSeq, afterOrdinal] = p.cursor === undefined ? [NO_TURN_YET, 0] : decodePosition(p.cursor, filter);
  return store.read(async (q) => {
    await requireThread(q, p.workspace_id, p.thread_id);
    const page: TurnWithItems[] = [];
    let budget = limit;
    // One turn more than can carry items tells whether anything follows.
    const turns = await q.all<TurnRow>(TURNS, [p.thread_id, fromSeq, limit + 1]);
    for (const turnRow of turns) {
      if (budget === 0 || page.length === limit) {
        return { items: page, next_cursor: encodeCursor(filter, [String(fromSeq), String(afterOrdinal)]) };
      }
      const rows = await q.all<ItemRow>(ITEMS, [turnRow.turn_id, afterOrdinal, budget + 1]);
      const truncated = rows.length > budget;
      const kept = truncated ? rows.slice(0, budget) : rows;
      page.push({ turn: await toTurn(q, turnRow), items: kept.map(toTurnItem), items_truncated: truncated || afterOrdinal > 0 });
      budget -= kept.length;
      if (truncated) {
        return { items: page, next_cursor: encodeCursor(filter, [String(turnRow.thread_seq), String(kept[kept.length - 1]!.ordinal)]) };
      }
      fromSeq = turnRow.thread_seq - 1;
      afterOrdinal = 0;
    }
    return { items: page, next_cursor: null };
  });
}

function decodePosition(cursor: string, filter: string): [number, number] {
  const [seq, ordinal] = decodeCursor(cursor, filter).map(Number) as [number, number];
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(ordinal) || seq < 0 || ordinal < 0) {
    throw new CairnError('invalid_params', 'cursor is not valid for this query', { details: { cursor: 'invalid' } });
  }
  return [seq, ordinal];
}
