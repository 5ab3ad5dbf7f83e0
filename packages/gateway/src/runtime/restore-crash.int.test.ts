import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertStraceUsable, collapseRuns, forEachBounded, isSharedMemoryStep, listKillPoints, runKilledAt, type KillPoint } from '@cairn/tooling/kill-points';
import { integrityCheck, nativeHandle, openSqliteDatabase } from '@cairn/sqlite';
import { startTestGateway } from '../testing/gateway-fixture.js';
import { backupRuntime } from './maintenance.js';
import { restoreRuntime } from './restore-runtime.js';
import { verifyRuntime } from './verify-runtime.js';

// Kills `cairn restore` at each file-system step (strace, see @cairn/tooling/kill-points) on a
// home whose checkpoints are newer than the backup, then looks at what is left: gateway.db is
// whole and is either the file from before or the backup, never anything else; `verify` finds
// nothing (the restore marker is durable before the swap, so a swapped file is never without
// it); and the next restore completes.
const CHILD = join(import.meta.dirname, '..', 'testing', 'fixtures', 'restore-once.ts');
// ~40 s on two quiet cores; the whole suite runs packages in parallel beside other crash tests.
const BUDGET_MS = 150_000;

/** Opened as the next start opens it (an interrupted write rolled back), checked in full, its events counted. */
async function inspect(path: string): Promise<{ ok: true; rows: number } | { ok: false; problems: string[] }> {
  const ds = await openSqliteDatabase({ path });
  try {
    const check = await integrityCheck(ds);
    if (!check.ok) return check;
    return { ok: true, rows: (nativeHandle(ds).prepare('SELECT count(*) AS n FROM journal_event').get() as { n: number }).n };
  } finally {
    await ds.destroy();
  }
}

describe('cairn restore killed at each file-system step', () => {
  let root: string;
  let seeded: string;
  let before: number;
  let backedUp: number;
  beforeAll(async () => {
    assertStraceUsable();
    root = mkdtempSync(join(tmpdir(), 'cairn-restore-crash-'));
    seeded = join(root, 'seeded');
    const run = async (turns: number, from: number) => {
      const gateway = await startTestGateway(seeded);
      const { store } = gateway.runtime;
      const ws = await store.workspaces.ensureDefault();
      await store.threads.start({ workspace_id: ws.workspace_id, thread_id: 'thr' }).catch(() => undefined);
      for (let t = from; t < from + turns; t++) {
        let n = 0;
        const append = (event: Record<string, unknown>) =>
          store.turns.appendEvent({ workspace_id: ws.workspace_id, thread_id: 'thr', turn_id: `turn-${t}`, idempotency_key: `k-${t}-${++n}`, event: event as never });
        await append({ type: 'turn.started', input: [{ type: 'text', text: `turn ${t}` }] });
        await append({ type: 'turn.completed' });
      }
      await gateway.close();
    };
    await run(5, 0);
    await backupRuntime({ home: seeded, env: {} });
    await run(5, 5);
    const seededRows = await inspect(join(seeded, 'gateway.db'));
    before = seededRows.ok ? seededRows.rows : -1;
    backedUp = 11; // the thread's thread.started and 5 turns of 2 events
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'leaves the old file or the restored one, verify clean either way, and the next restore completes',
    async () => {
      const started = Date.now();
      const homeFor = (name: string) => {
        const home = join(root, name);
        cpSync(seeded, home, { recursive: true });
        return home;
      };
      const listed = await listKillPoints(CHILD, (attempt) => [homeFor(`count-${attempt}`)], { within: [root], env: { CAIRN_MASTER_KEY: '' } });
      expect(listed.run.stdout).toContain('restored ');
      const points = collapseRuns(listed.points.filter((p) => !isSharedMemoryStep(p)));
      const steps = new Set(points.map((p) => p.syscall));
      for (const syscall of ['pwrite64', 'fsync', 'rename']) expect(steps).toContain(syscall);

      const failures: string[] = [];
      const seen = { old: 0, restored: 0, killed: 0 };
      const ran = await forEachBounded(points, 2, started + BUDGET_MS, async (point: KillPoint, index) => {
        const home = homeFor(`kill-${index}`);
        const run = await runKilledAt(CHILD, [home], point, { env: { CAIRN_MASTER_KEY: '' } });
        if (run.signal === 'SIGKILL') seen.killed++;
        const at = `killed at ${point.syscall}#${point.occurrence} ${point.call.slice(0, 80)}`;
        const gatewayDb = join(home, 'gateway.db');
        const check = await inspect(gatewayDb);
        if (!check.ok) failures.push(`${at}: gateway.db ${check.problems.join('; ')}`);
        else {
          const rows = check.rows;
          if (rows === before) seen.old++;
          else if (rows === backedUp) seen.restored++;
          else failures.push(`${at}: gateway.db holds ${rows} events, neither ${before} nor ${backedUp}`);
        }
        const report = await verifyRuntime({ home, env: {} });
        if (!report.ok) failures.push(`${at}: verify ${JSON.stringify({ integrity: report.integrity, journal: report.journal, checkpoints: report.checkpoints })}`);
        const again = await restoreRuntime({ home, env: {} }).catch((error: unknown) => void failures.push(`${at}: the next restore failed: ${(error as Error).message}`));
        if (again && again.journal.checked !== backedUp) failures.push(`${at}: the next restore restored ${again.journal.checked} events`);
        rmSync(home, { recursive: true, force: true });
      });
      if (process.env.CAIRN_TEST_VERBOSE) console.log({ steps: listed.points.length, points: points.length, ran, ...seen, ms: Date.now() - started });
      expect(failures).toEqual([]);
      expect(ran).toBe(points.length); // the budget was enough for every step
      expect(seen.old).toBeGreaterThan(0);
      expect(seen.restored).toBeGreaterThan(0);
    },
    BUDGET_MS + 60_000,
  );
});
