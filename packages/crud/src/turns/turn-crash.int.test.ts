import { TEST_BACKEND } from '../testing/backend.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUntilKilled } from '@cairn/tooling/child';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { TURN_EVENT_TYPES } from '@cairn/protocol';
import { idempotencyDigest } from '../journal/idempotency-key.js';
import { verifyJournal } from '../journal/verify-journal.js';
import { REPAIR_KINDS } from '../repair/repair-findings.js';
import { openCrudStore } from '../store/open-crud-store.js';
import { openPostgresCrudStore } from '../store/open-postgres-crud-store.js';
import { readTableRows } from '../testing/table-rows.js';
import type { CrudStore } from '../store/crud-store.js';
import { makeTempDir, type TempDir } from '../testing/temp-store.js';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'fixtures', 'turn-crash-child.ts');
const KILLS = 24;
const BUDGET_MS = 150_000;
const AGENTS = 4;
/** Events whose effect is not a timeline entry (they stream into item rows). */
const STREAMING = new Set(['item.agent_message.delta', 'item.updated']);
const TURN_TYPES = new Set<string>(TURN_EVENT_TYPES);

interface ChildRun {
  positions: number[];
  /** The idempotency keys of every batch the child sent (announced before sending). */
  batches: string[][];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the child, waits until it has committed an event, kills it after a random delay. */
async function runAndKill(target: Target, run: number): Promise<ChildRun> {
  const positions: number[] = [];
  const batches: string[][] = [];
  const { signal, stderr } = await runUntilKilled(CHILD, [target.arg, String(run), String(AGENTS), target.archiveDir], {
    onLine: (line) => {
      if (line.startsWith('P ')) positions.push(Number(line.slice(2)));
      else if (line.startsWith('B ')) batches.push(line.slice(2).split(' '));
    },
    ready: () => positions.length > 0,
    // Random moment: anywhere from mid-first-transaction to a few hundred commits later.
    maxDelayMs: 250,
  });
  return { positions, batches, signal, stderr };
}

/** Batches of which some events but not all are in the journal: must be none (one transaction each). */
async function tornBatches(store: CrudStore, batches: string[][]): Promise<string[][]> {
  return store.context.read(async (q) => {
    const torn: string[][] = [];
    for (const keys of batches) {
      let found = 0;
      for (const key of keys) if (await q.get("SELECT 1 AS found FROM journal_event WHERE workspace_id = 'w1' AND idempotency_key = ?", [idempotencyDigest(key)])) found++;
      if (found !== 0 && found !== keys.length) torn.push(keys);
    }
    return torn;
  });
}

async function missingPositions(store: CrudStore, printed: number[]): Promise<number[]> {
  return store.context.read(async (q) => {
    const missing: number[] = [];
    for (const p of printed) if (!(await q.get('SELECT 1 AS found FROM journal_event WHERE position = ?', [p]))) missing.push(p);
    return missing;
  });
}

/** Turns whose read models lag their journal stream, or whose timeline misses an event. */
async function halfProjectedTurns(store: CrudStore): Promise<string[]> {
  return store.context.read(async (q) => {
    const events = await q.all<{ stream_id: string; stream_seq: number; type: string }>(
      "SELECT stream_id, stream_seq, type FROM journal_event WHERE stream_type = 'turn' ORDER BY position",
    );
    const last = new Map<string, number>();
    const timeline = new Map<string, number>();
    for (const e of events) {
      if (!TURN_TYPES.has(e.type)) continue;
      last.set(e.stream_id, e.stream_seq);
      if (!STREAMING.has(e.type)) timeline.set(e.stream_id, (timeline.get(e.stream_id) ?? 0) + 1);
    }
    const bad: string[] = [];
    for (const [turnId, seq] of last) {
      const turn = await q.get<{ last_seq: number }>('SELECT last_seq FROM turn WHERE turn_id = ?', [turnId]);
      const entries = (await q.get<{ n: number }>('SELECT count(*) AS n FROM turn_timeline_entry WHERE turn_id = ?', [turnId]))!.n;
      if (!turn || turn.last_seq !== seq || entries !== timeline.get(turnId)) bad.push(turnId);
    }
    return bad;
  });
}

async function snapshotReadModels(store: CrudStore): Promise<string> {
  const tables = store.events.log.projectors.flatMap((p) => p.tables);
  return store.context.read(async (q) => {
    const dump: unknown[] = [];
    for (const t of tables) dump.push(await readTableRows(q, t));
    return JSON.stringify(dump);
  });
}

/** Where the children append: the test's gateway.db, or (postgres project) one fresh PostgreSQL database. */
interface Target {
  arg: string;
  archiveDir: string;
  open(): Promise<CrudStore>;
}

async function crashTarget(temp: TempDir): Promise<Target> {
  const archiveDir = join(temp.dir, 'archive');
  if (TEST_BACKEND === 'postgres') {
    const { url } = await createTestDatabase('crash');
    return { arg: url, archiveDir, open: () => openPostgresCrudStore({ url, archiveDir }) };
  }
  return { arg: temp.path, archiveDir, open: () => openCrudStore({ path: temp.path }) };
}

// On both backends: SIGKILL of an appender process on a SQLite file (the coordinator's group
// commits) or on a PostgreSQL database (the server keeps what was committed; the killed
// client's open transaction is rolled back by it).
describe(`turn appends (single and batched) survive SIGKILL at random moments (${TEST_BACKEND})`, () => {
  let temp: TempDir;
  let target: Target;
  beforeAll(async () => {
    temp = makeTempDir('cairn-turn-crash-');
    target = await crashTarget(temp);
    const store = await target.open();
    await store.workspaces.create({ workspace_id: 'w1', name: 'Crash' });
    for (let t = 0; t < 4; t++) await store.threads.start({ workspace_id: 'w1', thread_id: `t${t}` });
    await store.close();
  });
  afterAll(() => temp.remove());

  it(`keeps every committed event, every batch whole or absent, a valid chain and whole projections across ${KILLS} kills`, async () => {
    const started = Date.now();
    const printed: number[] = [];
    const repaired: Record<string, number> = {};
    let kills = 0;
    let batches = 0;
    for (let run = 0; kills < KILLS && Date.now() - started < BUDGET_MS; run++) {
      const result = await runAndKill(target, run);
      expect({ run, signal: result.signal, stderr: result.signal === 'SIGKILL' ? '' : result.stderr }).toEqual({ run, signal: 'SIGKILL', stderr: '' });
      kills++;
      printed.push(...result.positions);
      // Reopen as the gateway does after a crash: every acknowledged event is there, and
      // startup repair leaves no damage behind.
      const store = await target.open();
      try {
        expect(await missingPositions(store, result.positions)).toEqual([]);
        expect(await tornBatches(store, result.batches)).toEqual([]);
        batches += result.batches.length;
        const report = await store.repair.turns();
        for (const kind of REPAIR_KINDS) {
          expect({ kind, remaining: report[kind].remaining }).toEqual({ kind, remaining: 0 });
          repaired[kind] = (repaired[kind] ?? 0) + report[kind].repaired;
        }
      } finally {
        await store.close();
      }
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(printed.length).toBeGreaterThan(kills);

    const store = await target.open();
    try {
      expect(await missingPositions(store, printed)).toEqual([]);
      const verified = await store.port.read((q) => verifyJournal(q));
      expect(verified).toMatchObject({ ok: true });
      const again = await store.repair.turns();
      expect(REPAIR_KINDS.map((k) => again[k].detected + again[k].remaining)).toEqual(REPAIR_KINDS.map(() => 0));
      expect(await halfProjectedTurns(store)).toEqual([]);
      // The strongest form of "nothing half-projected": replaying the journal gives the same rows.
      const before = await snapshotReadModels(store);
      await store.repair.rebuild();
      expect(await snapshotReadModels(store)).toEqual(before);
      console.log(`turn crash test (${TEST_BACKEND}): ${kills} kills, ${printed.length} acknowledged events, ${batches} batches sent, repairs ${JSON.stringify(repaired)}`);
    } finally {
      await store.close();
    }
  }, BUDGET_MS + 60_000);
});
