// journal-verify: `verifyJournal` over 1,000,000 events, end to end (row scan, types, the
// per-workspace prev link, SHA-256 of the length-prefixed row, workspace and stream seqs). Baseline, in the
// same process over the same file: the same batched row scan computing one SHA-256 over the
// stored payload only, the floor of what any verifier must do. `ratio` = verify / baseline
// throughput (1.0 would mean the chain checks cost nothing beyond that floor).
//
// The 1M-event file is generated once through the real append path (createJournal().append in
// big coordinator transactions) and cached as os.tmpdir()/cairn-bench-journal-verify-<version>.db,
// so reruns skip the ~1 minute of generation; a cache of another version is deleted. Set
// JOURNAL_BENCH_FRESH=1 to regenerate, JOURNAL_BENCH_CLEAN=1 to delete the file at the end
// (`pnpm bench` passes no arguments through, hence variables).
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { SqliteWriteCoordinator, nativeHandle, openSqliteDatabase, type NativeDatabase } from '@cairn/sqlite';
import { report, round } from '@cairn/tooling/bench';
import { JOURNAL_HASH_TAG, createJournal, createSqliteReadPort, verifyJournal, type JournalEventInput } from '../src/index.js';
import { sqliteJob } from '../src/port/sqlite-port.js';
import { VERIFY_BATCH } from '../src/journal/verify-journal.js';

const EVENTS = 1_000_000;
const TRANSACTION = 50_000;
const WORKSPACES = 10;
const EVENTS_PER_TURN = 20;
const ROUNDS = 3;
const MAX_MEASURE_MS = 60_000;
const VERSION = `${JOURNAL_HASH_TAG}-m${gatewayMigrations.migrations.length}-${EVENTS}-d2`;
const PREFIX = 'cairn-bench-journal-verify-';
const FILE = join(tmpdir(), `${PREFIX}${VERSION}.db`);
const FRESH = process.env['JOURNAL_BENCH_FRESH'] === '1';
const CLEAN = process.env['JOURNAL_BENCH_CLEAN'] === '1';

function eventFor(i: number): JournalEventInput {
  const turn = Math.floor(i / EVENTS_PER_TURN);
  const step = i % EVENTS_PER_TURN;
  return {
    workspaceId: `ws_${turn % WORKSPACES}`,
    streamType: 'turn',
    streamId: `turn_${turn.toString(36).padStart(6, '0')}`,
    threadId: `thr_${(turn % 5_000).toString(36).padStart(4, '0')}`,
    type: step === 0 ? 'turn.started' : step === EVENTS_PER_TURN - 1 ? 'turn.completed' : 'item.completed',
    payload: {
      item_id: `item_${i}`,
      kind: 'message',
      text: `Step ${step} of turn ${turn}: the agent read three files and proposed a patch.`,
      usage: { tokens_used: 40 + (i % 300), max_tokens: 4096 },
    },
    ...(i % 4 === 0 ? { idempotencyKey: `req_${i}` } : {}),
    recordedAt: new Date(Date.UTC(2025, 0, 1) + i * 10).toISOString(),
  };
}

async function generate(): Promise<number> {
  const partial = `${FILE}.partial`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  const ds = await openSqliteDatabase({ path: partial });
  await runMigrations(ds, gatewayMigrations);
  const coordinator = new SqliteWriteCoordinator(ds);
  const journal = createJournal();
  const started = performance.now();
  for (let from = 0; from < EVENTS; from += TRANSACTION) {
    await coordinator.write(
      sqliteJob(async (ctx) => {
        for (let i = from; i < Math.min(EVENTS, from + TRANSACTION); i++) await journal.append(ctx, eventFor(i));
      }),
    );
    const done = Math.min(EVENTS, from + TRANSACTION);
    const seconds = (performance.now() - started) / 1000;
    console.log(`  generated ${done.toLocaleString('en')} events (${Math.round(done / seconds).toLocaleString('en')}/s)`);
  }
  const perSecond = EVENTS / ((performance.now() - started) / 1000);
  await coordinator.close();
  nativeHandle(ds).pragma('wal_checkpoint(TRUNCATE)');
  await ds.destroy();
  // Only a complete file gets the cache name: an interrupted run leaves nothing to trust.
  renameSync(partial, FILE);
  rmSync(`${partial}-wal`, { force: true });
  rmSync(`${partial}-shm`, { force: true });
  return perSecond;
}

/** The floor: the same batched scan, one SHA-256 of the stored payload per row. */
function baselineScan(db: NativeDatabase): number {
  const columns =
    'position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash, thread_id, hash_version';
  const stmt = db.prepare(`SELECT ${columns} FROM journal_event WHERE position > ? ORDER BY position LIMIT ?`).raw(true);
  let last = 0;
  let rows = 0;
  let sink = 0;
  for (;;) {
    const batch = stmt.all(last, VERIFY_BATCH) as unknown[][];
    for (const row of batch) sink ^= hash('sha256', row[7] as string, 'hex').charCodeAt(0);
    rows += batch.length;
    if (batch.length < VERIFY_BATCH) break;
    last = batch[batch.length - 1]![0] as number;
  }
  if (sink < 0) console.log(sink);
  return rows;
}

/** A cache made by an older version (another schema or encoding) is never read again: remove it. */
function removeStaleCaches(): void {
  for (const name of readdirSync(tmpdir())) {
    if (name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}${VERSION}.db`)) rmSync(join(tmpdir(), name), { force: true });
  }
}

async function main(): Promise<void> {
  removeStaleCaches();
  let appendPerSecond: number | null = null;
  if (FRESH || !existsSync(FILE)) {
    console.log(`generating ${EVENTS.toLocaleString('en')} events through createJournal().append into ${FILE}`);
    appendPerSecond = await generate();
  } else {
    console.log(`using cached ${FILE} (JOURNAL_BENCH_FRESH=1 regenerates)`);
  }
  const ds = await openSqliteDatabase({ path: FILE, readonly: true });
  const db = nativeHandle(ds);
  const reader = createSqliteReadPort(db);

  let baselineBest = 0;
  let verifyBest = 0;
  let verifyCpuBest = 0;
  let peakHeapMb = 0;
  const deadline = performance.now() + MAX_MEASURE_MS;
  for (let round_ = 1; round_ <= ROUNDS && performance.now() < deadline; round_++) {
    let t0 = performance.now();
    const scanned = baselineScan(db);
    const baselineRate = scanned / ((performance.now() - t0) / 1000);
    baselineBest = Math.max(baselineBest, baselineRate);
    console.log(`  round ${round_}: baseline scan + SHA-256(payload): ${Math.round(baselineRate).toLocaleString('en')} rows/s`);

    globalThis.gc?.();
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    const result = await reader.read((q) =>
      verifyJournal(q, {
        onProgress: (checked) => {
          peakHeapMb = Math.max(peakHeapMb, process.memoryUsage().heapUsed / 2 ** 20);
          if (checked % 250_000 === 0) console.log(`    verified ${checked.toLocaleString('en')}`);
        },
      }),
    );
    const verifyRate = EVENTS / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    const cpuRate = EVENTS / ((cpu.user + cpu.system) / 1e6);
    if (!result.ok || result.checked !== EVENTS) throw new Error(`verify failed on the generated journal: ${JSON.stringify(result)}`);
    verifyBest = Math.max(verifyBest, verifyRate);
    verifyCpuBest = Math.max(verifyCpuBest, cpuRate);
    console.log(
      `  round ${round_}: verifyJournal: ${Math.round(verifyRate).toLocaleString('en')} events/s (${Math.round(cpuRate).toLocaleString('en')} per CPU-second)`,
    );
  }
  const fileMb = statSync(FILE).size / 2 ** 20;
  await ds.destroy();
  if (CLEAN) for (const suffix of ['', '-wal', '-shm']) rmSync(FILE + suffix, { force: true });

  console.log(`verify ${Math.round(verifyBest).toLocaleString('en')} events/s (target >= 250,000), baseline ${Math.round(baselineBest).toLocaleString('en')}/s`);
  report({
    bench: 'journal-verify',
    ratio: round(verifyBest / baselineBest, 3),
    events: EVENTS,
    events_per_s: Math.round(verifyBest),
    baseline_events_per_s: Math.round(baselineBest),
    append_events_per_s: appendPerSecond === null ? null : Math.round(appendPerSecond),
    events_per_cpu_s: Math.round(verifyCpuBest),
    peak_heap_mb: round(peakHeapMb, 1),
    file_mb: round(fileMb, 1),
    cached_file: CLEAN ? null : FILE,
  });
}

await main();
