import { describeSqlite } from '../../testing/backend.js';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUntilKilled } from '@cairn/tooling/child';
import { openCrudStore } from '../../store/open-crud-store.js';
import { makeTempDir, type TempDir } from '../../testing/temp-store.js';
import { verifyJournal } from '../verify-journal.js';
import { listSegments, workspaceArchiveDir } from './archive-segment.js';
import { readArchivedEvents } from './read-archive.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testing', 'fixtures', 'retention-crash-child.ts');
const KILLS = 12;
const BUDGET_MS = 120_000;

/** Starts the child, waits for its first commit, SIGKILLs it after a random delay; returns the newest seq it saw committed. */
async function runAndKill(path: string, run: number): Promise<{ committed: number; signal: NodeJS.Signals | null; stderr: string }> {
  let committed = 0;
  const { signal, stderr } = await runUntilKilled(CHILD, [path, String(run)], {
    onLine: (line) => {
      if (line.startsWith('S ')) committed = Math.max(committed, Number(line.slice(2)));
    },
    ready: () => committed > 0,
    maxDelayMs: 400,
  });
  return { committed, signal, stderr };
}

// SQLite-only: SIGKILL of a child on a SQLite file; the PostgreSQL crash test is postgres-crash.int.test.ts.
describeSqlite('retention survives SIGKILL at random moments', () => {
  let temp: TempDir;
  beforeAll(async () => {
    temp = makeTempDir('cairn-retention-crash-');
    const store = await openCrudStore({ path: temp.path });
    await store.workspaces.create({ workspace_id: 'w1', name: 'Crash' });
    await store.close();
  });
  afterAll(() => temp.remove());

  it(`leaves every event live or in a complete segment, never neither nor half, across ${KILLS} kills`, async () => {
    const started = Date.now();
    let kills = 0;
    let acknowledged = 0;
    let archivedMax = 0;
    for (let run = 0; kills < KILLS && Date.now() - started < BUDGET_MS; run++) {
      const result = await runAndKill(temp.path, run);
      expect({ run, signal: result.signal, stderr: result.signal === 'SIGKILL' ? '' : result.stderr }).toEqual({ run, signal: 'SIGKILL', stderr: '' });
      kills++;
      acknowledged = Math.max(acknowledged, result.committed);
      // Reopen as the gateway does after a crash: recovery completes or removes what the run left.
      const store = await openCrudStore({ path: temp.path });
      try {
        const archiveDir = store.retention.archiveDir;
        const point = (await store.retention.point('w1'))?.workspaceSeq ?? 0;
        const live = await store.context.read(async (q) => (await q.all<{ s: number }>("SELECT workspace_seq AS s FROM journal_event WHERE workspace_id = 'w1' ORDER BY workspace_seq")).map((r) => r.s));
        const archived = await store.context.read(async (q) => (await readArchivedEvents(q, archiveDir)).map((e) => e.workspaceSeq));
        // Each event exactly once: the archive is 1..point, the live journal point+1..head, nothing acknowledged is missing.
        expect(archived).toEqual(Array.from({ length: point }, (_, i) => i + 1));
        expect(live[0]).toBe(point + 1);
        expect(live).toEqual(Array.from({ length: live.length }, (_, i) => point + 1 + i));
        expect(live[live.length - 1]).toBeGreaterThanOrEqual(acknowledged);
        // No segment beyond the point (completed or removed at open), no temp file left.
        expect(listSegments(archiveDir, 'w1').filter((f) => f.lastSeq > point)).toEqual([]);
        expect(readdirSync(workspaceArchiveDir(archiveDir, 'w1')).filter((n) => !n.endsWith('.jsonl.gz'))).toEqual([]);
        expect(await store.port.read((q) => verifyJournal(q, { archiveDir }))).toMatchObject({ ok: true, archived: point });
        archivedMax = point;
      } finally {
        await store.close();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    expect(archivedMax).toBeGreaterThan(0);
    console.log(`retention crash test: ${kills} kills, ${acknowledged} acknowledged events, ${archivedMax} archived`);
  }, BUDGET_MS + 60_000);
});
