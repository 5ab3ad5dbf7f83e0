import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { gatewayMigrations, migrateDown, runMigrations } from '@cairn/migration';
import { openJournalTestDb, type JournalTestDb } from './testing/journal-db.js';

// SQLite-only: SQLite migration 0002 on a file.
describeSqlite('gateway migration 0002 (journal)', () => {
  let db: JournalTestDb;
  beforeEach(async () => {
    db = await openJournalTestDb();
  });
  afterEach(async () => {
    await db.close();
  });

  const objects = (): string[] =>
    (db.native.prepare("SELECT type || ' ' || name AS o FROM sqlite_master WHERE tbl_name = 'journal_event' ORDER BY o").all() as Array<{ o: string }>).map(
      (r) => r.o,
    );

  it('creates the table, its unique keys and the three append-only triggers', () => {
    expect(objects()).toEqual([
      'index sqlite_autoindex_journal_event_1',
      'index sqlite_autoindex_journal_event_2',
      'index sqlite_autoindex_journal_event_3',
      'table journal_event',
      'trigger trg_journal_event_append',
      'trigger trg_journal_event_no_delete',
      'trigger trg_journal_event_no_update',
    ]);
  });

  it('goes down to v1 leaving nothing behind, and up again', async () => {
    await migrateDown(db.dataSource, gatewayMigrations, 1);
    expect(objects()).toEqual([]);
    await runMigrations(db.dataSource, gatewayMigrations);
    expect(objects()).toHaveLength(7);
  });
});
