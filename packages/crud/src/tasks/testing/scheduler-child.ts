// Child process of the two-scheduler race: opens the same gateway.db (or PostgreSQL database),
// signals ready, waits for the shared start signal, then steps a simulated clock from `from`
// to `to` by `step`, at each instant firing due triggers, claiming ready runs and completing
// them, exactly as a gateway's scheduler loop would. Prints what it did as one JSON line.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { openCrudStore } from '../../store/open-crud-store.js';
import { openPostgresCrudStore } from '../../store/open-postgres-crud-store.js';

const [dbPath, readyFile, goFile, owner, from, to, step] = process.argv.slice(2) as [string, string, string, string, string, string, string];

const store = dbPath.startsWith('postgres://')
  ? await openPostgresCrudStore({ url: dbPath, archiveDir: join(dirname(readyFile), `archive-${owner}`), poolSize: 4 })
  : await openCrudStore({ path: dbPath, busyTimeoutMs: 10_000 });
try {
  writeFileSync(readyFile, String(process.pid));
  const deadline = Date.now() + 20_000;
  while (!existsSync(goFile)) {
    if (Date.now() > deadline) throw new Error('no start signal');
    await sleep(1);
  }
  // Lockstep: every process that signalled ready steps the simulated clock together (a process
  // starved by a loaded machine would otherwise find the whole day done by the other one).
  const dir = dirname(readyFile);
  const peers = readdirSync(dir).filter((name) => name.startsWith('ready-')).map((name) => join(dir, `step-${name.slice('ready-'.length)}`));
  const mine = join(dir, `step-${owner}`);
  const stepDeadline = Date.now() + 60_000;
  const reached = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8') || '-1') : -1);
  let fired = 0;
  let claimed = 0;
  const end = Date.parse(to);
  for (let t = Date.parse(from), k = 0; t <= end; t += Number(step), k++) {
    writeFileSync(mine, String(k));
    while (!peers.every((file) => reached(file) >= k)) {
      if (Date.now() > stepDeadline) throw new Error(`peers did not reach step ${k}`);
      await sleep(1);
    }
    const now = new Date(t);
    for (;;) {
      const result = await store.tasks.fireDueTriggers({ now, owner, limit: 200 });
      fired += result.queued.length;
      const runs = await store.tasks.claimRuns({ now, owner, lease_ms: 3_600_000, limit: 50 });
      claimed += runs.length;
      // Completed side by side, as an executor pool would: on PostgreSQL other workspaces' runs commit in parallel.
      await Promise.all(runs.map(({ run }) => store.tasks.completeRun({ now, owner, run_id: run.run_id, outcome: 'succeeded', result: { by: owner } })));
      if (result.queued.length === 0 && runs.length === 0) break;
    }
    // Give the other process a turn at the write lock, so the two really interleave.
    await sleep(0);
  }
  process.stdout.write(`${JSON.stringify({ owner, fired, claimed })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
