import { CairnError, LIMITS } from '@cairn/protocol';

/**
 * Keyset cursor: base64url of `{"v":1,"f":<filter>,"k":[<sort key>, <id>]}`. The key is the
 * last row handed out, so the next page starts strictly after it: rows inserted meanwhile
 * land before or after that point and never shift it (no duplicate, no skip, unlike OFFSET).
 * `f` binds the cursor to the query it came from; replaying it against another filter or
 * workspace is `invalid_params` rather than a silently wrong page.
 */
export type CursorKey = readonly [sortKey: string, id: string];

interface CursorBody {
  v: 1;
  f: string;
  k: [string, string];
}

export function encodeCursor(filter: string, key: CursorKey): string {
  const body: CursorBody = { v: 1, f: filter, k: [key[0], key[1]] };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, filter: string): CursorKey {
  const invalid = () => new CairnError('invalid_params', 'cursor is not valid for this query', { details: { cursor: 'invalid' } });
  if (cursor.length > LIMITS.cursorLength) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const b = body as Partial<CursorBody> | null;
  if (!b || b.v !== 1 || b.f !== filter || !Array.isArray(b.k) || b.k.length !== 2) throw invalid();
  const [sortKey, id] = b.k;
  if (typeof sortKey !== 'string' || typeof id !== 'string') throw invalid();
  return [sortKey, id];
}

/** Cuts a `limit + 1` fetch down to one page and makes the cursor of the last row kept. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  keyOf: (row: Row) => CursorKey,
  filter: string,
): { items: Item[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(toItem), next_cursor: more && last !== undefined ? encodeCursor(filter, keyOf(last)) : null };
}
