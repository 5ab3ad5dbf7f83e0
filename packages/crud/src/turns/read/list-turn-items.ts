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
  return store.read((q) => {
    requireTurn(q, p.workspace_id, p.turn_id);
    const rows = q.all<ItemRow>(ITEMS, [p.turn_id, after, limit + 1]);
    const toItem = (row: ItemRow): TurnItem => (p.include_attempts ? withAttempts(q, row) : toTurnItem(row));
    return toPage(rows, limit, toItem, (row) => [String(row.ordinal), row.item_id], filter);
  });
}

function withAttempts(q: ReadContext, row: ItemRow): TurnItem {
  return { ...toTurnItem(row), attempts: q.all<AttemptRow>(ATTEMPTS, [row.turn_id, row.item_id]).map(toAttempt) };
}
