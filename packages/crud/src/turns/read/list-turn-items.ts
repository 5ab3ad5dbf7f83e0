import { LIMITS, TurnItemsParams, type PageResult, type TurnItem } from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import { decodeCursor, toPage } from '../../pagination/cursor.js';
import type { ReadContext, StoreContext } from '../../store/store-context.js';
import { ATTEMPT_COLUMNS, ITEM_COLUMNS, requireTurn, toAttempt, toTurnItem, type AttemptRow, type ItemRow } from './turn-rows.js';

const ITEMS = `SELECT ${ITEM_COLUMNS} FROM turn_item WHERE turn_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?`;
const ATTEMPTS = `SELECT ${ATTEMPT_COLUMNS} FROM turn_item_attempt WHERE turn_id = ? AND item_id = ? ORDER BY attempt`;

/** `turn/items`: in start order, keyset-paginated on the ordinal; attempts on request. */
export async function listTurnItems(store: StoreContext, params: TurnItemsParams): Promise<PageResult<TurnItem>> {
  const p = parseParams(TurnItemsParams, params, 'turn/items');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = `turn-items:${p.workspace_id}:${p.turn_id}`;
  const after = p.cursor === undefined ? 0 : Number(decodeCursor(p.cursor, filter)[0]);
  return store.read(async (q) => {
    await requireTurn(q, p.workspace_id, p.turn_id);
    const rows = await q.all<ItemRow>(ITEMS, [p.turn_id, after, limit + 1]);
    const page = toPage(rows, limit, toTurnItem, (row) => [String(row.ordinal), row.item_id], filter);
    if (p.include_attempts) page.items = await withAttempts(q, page.items);
    return page;
  });
}

/** The items of a page, each with its attempts (one indexed read per item, in order). */
async function withAttempts(q: ReadContext, items: TurnItem[]): Promise<TurnItem[]> {
  const out: TurnItem[] = [];
  for (const item of items) out.push({ ...item, attempts: (await q.all<AttemptRow>(ATTEMPTS, [item.turn_id, item.item_id])).map(toAttempt) });
  return out;
}
