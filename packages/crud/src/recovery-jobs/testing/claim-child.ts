// Child process of the two-process claim race: opens the same gateway.db (or PostgreSQL database), signals ready,
// waits for the shared start signal, claims recovery jobs until none is due, and prints the
// ids it won as one JSON line.
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { openCrudStore } from '../../store/open-crud-store.js';
import { openPostgresCrudStore } from '../../store/open-postgres-crud-store.js';

const [dbPath, readyFile, goFile, workerId, now] = process.argv.slice(2) as [string, string, string, string, string];

// A postgres:// URL instead of a path: the same race against one PostgreSQL database.
const store = dbPath.startsWith('postgres://')
  ? await openPostgresCrudStore({ url: dbPath, archiveDir: join(dirname(readyFile), 'archive'), poolSize: 4 })
  : await openCrudStore({ path: dbPath, busyTimeoutMs: 10_000 });
try {
  const recoveryJobs = store.recoveryJobs;
  writeFileSync(readyFile, String(process.pid));
  const deadline = Date.now() + 20_000;
  while (!existsSync(goFile)) {
    if (Date.now() > deadline) throw new Error('no start signal');
    await sleep(1);
  }
  const won: string[] = [];
  // Several claims in flight at once, so each process also races with itself.
  for (;;) {
    const batch = await Promise.all(Array.from({ length: 4 }, () => recoveryJobs.claim({ worker_id: workerId, lease_ms: 600_000, now })));
    const got = batch.filter((job) => job !== null);
    won.push(...got.map((job) => job.job_id));
    if (got.length === 0) break;
    // Give the other process a turn at the write lock, so the two really interleave.
    await sleep(1);
  }
  process.stdout.write(`${JSON.stringify(won)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
