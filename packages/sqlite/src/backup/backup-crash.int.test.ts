import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { assertStraceUsable, collapseRuns, forEachBounded, isSharedMemoryStep, listKillPoints, runKilledAt, type KillPoint } from '@cairn/tooling/kill-points';
import type { DataSource } from 'typeorm';
import { backupDatabase } from './backup-database.js';
import { checkDatabaseFile } from '../integrity/check-integrity.js';
import { listTempFiles, removeLeftoverTempFiles } from '../files/temp-files.js';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from '../write/write-coordinator.js';

const CHILD = join(import.meta.dirname, '..', 'testing', 'fixtures', 'backup-once.ts');
const ROWS = 400; // ~45 pages: long enough that a kill lands mid-copy
const BUDGET_MS = 60_000;
const FINAL_NAME = /^gateway-\d{8}T\d{6}\.\d{3}Z\.db$/;

describe('a backup killed at each file-system step', () => {
  let root: string;
  let source: string;
  let reader: DataSource;
  beforeAll(async () => {
    assertStraceUsable();
    root = mkdtempSync(join(tmpdir(), 'cairn-backup-crash-'));
    source = join(root, 'home', 'gateway.db');
    const ds = await openSqliteDatabase({ path: source });
    const writes = new SqliteWriteCoordinator(ds);
    await writes.write((ctx) => {
      ctx.exec('CREATE TABLE seq (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
      for (let i = 0; i < ROWS; i++) ctx.run('INSERT INTO seq (payload) VALUES (randomblob(400))');
    });
    await writes.close();
    await ds.destroy();
    reader = await openSqliteDatabase({ path: source, readonly: true });
  });
  afterAll(async () => {
    await reader?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  it(
    'never leaves a torn file under a final backup name; the next run cleans up and backs up',
    async () => {
      const started = Date.now();
      const listed = await listKillPoints(CHILD, (attempt) => [source, join(root, `count-${attempt}`)], { within: [root] });
      expect(listed.run.stdout).toContain('backed-up ');
      const points = collapseRuns(listed.points.filter((p) => !isSharedMemoryStep(p)));
      expect(points.length).toBeGreaterThan(10);
      const steps = new Set(points.map((p) => p.syscall));
      for (const syscall of ['pwrite64', 'fsync', 'link', 'unlink']) expect(steps).toContain(syscall);

      const failures: string[] = [];
      const outcomes = { killed: 0, completed: 0, tornFinal: 0, leftovers: 0 };
      const ran = await forEachBounded(points, 2, started + BUDGET_MS, async (point: KillPoint, index) => {
        const dir = join(root, `kill-${index}`);
        const killed = await runKilledAt(CHILD, [source, dir], point);
        if (killed.signal === 'SIGKILL') outcomes.killed++;
        else outcomes.completed++;
        // Whatever carries a final name must be a whole, valid copy of every row.
        for (const name of finalNames(dir)) {
          const check = await checkDatabaseFile(join(dir, name), 'full');
          const rows = check.ok ? rowCount(join(dir, name)) : -1;
          if (!check.ok || rows !== ROWS) {
            outcomes.tornFinal++;
            failures.push(`killed at ${point.syscall}#${point.occurrence} (${point.call}): ${name} is ${check.ok ? `${rows} rows` : check.problems.join('; ')}`);
          }
        }
        for (const name of readdirOrEmpty(dir).filter((n) => /^gateway-.*\.db-(journal|wal|shm)$/.test(n))) {
          failures.push(`killed at ${point.syscall}#${point.occurrence}: ${name} beside a final name`);
        }
        outcomes.leftovers += listTempFiles(dir).length;
        // The next run (as the child would start: sweep, then back up) removes what the killed one left and succeeds.
        removeLeftoverTempFiles(dir);
        const again = await backupDatabase(reader, { dir, now: () => new Date(Date.now() + 3_600_000) });
        if (!FINAL_NAME.test(again.path.slice(dir.length + 1))) failures.push(`unexpected backup name ${again.path}`);
        const left = readdirOrEmpty(dir).filter((name) => !FINAL_NAME.test(name));
        if (left.length > 0) failures.push(`after a kill at ${point.syscall}#${point.occurrence} and a new backup, ${left.join(', ')} remain`);
      });
      if (process.env.CAIRN_TEST_VERBOSE) console.log({ steps: listed.points.length, points: points.length, ran, ...outcomes, ms: Date.now() - started });
      expect(failures).toEqual([]);
      expect(ran).toBe(points.length);
      expect(outcomes.killed).toBeGreaterThan(points.length / 2);
    },
    BUDGET_MS + 30_000,
  );
});

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const finalNames = (dir: string): string[] => readdirOrEmpty(dir).filter((name) => FINAL_NAME.test(name));

function rowCount(path: string): number {
  // A copy next to its own name, so opening it cannot roll anything back in the original.
  const probe = `${path}.probe`;
  cpSync(path, probe);
  const db = new Database(probe, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM seq').get() as { n: number }).n;
  } catch {
    return -1; // an empty file is a valid, empty database: quick_check says ok, but nothing is in it
  } finally {
    db.close();
    rmSync(probe, { force: true });
  }
}
