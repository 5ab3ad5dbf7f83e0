import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runTs } from '@cairn/tooling/child';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query } from '../testing/fixtures/sql.js';
import type { MigrationReport } from './run-migrations.js';

const CHILD = join(import.meta.dirname, '../testing/fixtures/migration-race-child.ts');

async function waitFor(files: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!files.every((f) => existsSync(f))) {
    if (Date.now() > deadline) throw new Error(`children not ready: ${files.filter((f) => !existsSync(f)).join(', ')}`);
    await sleep(5);
  }
}

describe.each(BACKENDS)('runMigrations across OS processes on $name', (backend) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await backend.create();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('two processes racing on a fresh database apply every migration exactly once', async () => {
    const ready = [join(db.dir, 'ready-a'), join(db.dir, 'ready-b')];
    const go = join(db.dir, 'go');
    const children = ready.map((readyFile) => runTs(CHILD, [backend.name, db.location, readyFile, go]));
    // Both children have opened the database and are polling for the same start signal.
    await waitFor(ready, 25_000);
    writeFileSync(go, '');
    const results = await Promise.all(children);
    for (const r of results) expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code: 0, signal: null, stderr: "" });

    const reports = results.map((r) => JSON.parse(r.stdout.trim()) as MigrationReport);
    const appliedVersions = reports.flatMap((r) => r.applied.map((a) => a.version)).sort((a, b) => a - b);
    expect(appliedVersions).toEqual([1, 2, 3, 4, 5]);
    for (const report of reports) expect(report.toVersion).toBe(5);

    const ds = await db.open();
    const counts = async (sql: string) => (await query<Array<{ version: number; n: number | string }>>(ds, sql)).map((r) => ({ version: r.version, n: Number(r.n) }));
    expect(await counts(`SELECT version, count(*) AS n FROM schema_migration WHERE service = 'race' GROUP BY version ORDER BY version`)).toEqual(
      [1, 2, 3, 4, 5].map((version) => ({ version, n: 1 })),
    );
    expect(await counts('SELECT version, count(*) AS n FROM race_log GROUP BY version ORDER BY version')).toEqual([1, 2, 3, 4, 5].map((version) => ({ version, n: 1 })));
  }, 60_000);
});
