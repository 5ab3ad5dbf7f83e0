import { itSqlite } from '../../testing/backend.js';
import { afterEach, beforeEach, describe, expect } from '@jest/globals';
import { openTempStore, type TempStore } from '../../testing/temp-store.js';
import { CLOSE_ATTEMPTS, RUNNING_ATTEMPTS } from './close-item.js';

describe('closing an item’s attempts', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
  });
  afterEach(async () => temp.cleanup());

  // With 64 turns streaming at once, a seek on the status index would walk every running
  // attempt of the gateway for each item that closes: the item's own rows are a key seek.
  // SQLite's query plans (EXPLAIN QUERY PLAN).
  itSqlite('seeks the item’s attempts by primary key, never by the status index', async () => {
    const plan = (sql: string) =>
      temp.store.context.read(async (q) => (await q.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ['s', 'e', null, 't', 'i'].slice(-(sql.split('?').length - 1)))).map((r) => r.detail).join(' | '));
    // The same statement on the bare column picks the status index: what the expression avoids.
    expect(await plan(RUNNING_ATTEMPTS.replace("status || '' =", 'status ='))).toMatch(/idx_turn_item_attempt_status/);
    for (const sql of [CLOSE_ATTEMPTS, RUNNING_ATTEMPTS]) {
      const detail = await plan(sql);
      expect(detail).toMatch(/SEARCH turn_item_attempt USING (PRIMARY KEY|INDEX sqlite_autoindex_turn_item_attempt_1) \(turn_id=\? AND item_id=\?\)/);
      expect(detail).not.toMatch(/idx_turn_item_attempt_status/);
    }
  });
});
