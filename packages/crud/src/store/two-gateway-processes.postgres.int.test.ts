// Two gateway processes on one PostgreSQL database, for real: each a child process opening
// the store as a gateway does, started together on a FRESH database (so they race its
// migrations), then appending at once to one shared workspace and to one workspace each,
// using one idempotency key both, and racing each other for the same recovery jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { onLines, spawnTs } from '@cairn/tooling/child';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { gatewayMigrations } from '@cairn/migration';
import { verifyJournal } from '../journal/verify-journal.js';
import { describePostgres } from '../testing/backend.js';
import { recoveryJobId } from '../recovery-jobs/recovery-job-rows.js';
import { openPostgresCrudStore } from './open-postgres-crud-store.js';

const CHILD = join(import.meta.dirname, '../testing/fixtures/postgres-gateway-child.ts');
const APPENDERS = 12;
const JOBS = 120;
const NOW = '2025-03-10T00:00:00.000Z';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Child {
  name: string;
  lines: string[];
  ready: Promise<string>;
  exit: Promise<{ code: number | null; stderr: string }>;
  go(): void;
}

function start(url: string, archiveDir: string, name: string): Child {
  const child = spawnTs(CHILD, [url, archiveDir, name, String(APPENDERS), NOW], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let onReady!: (line: string) => void;
  const ready = new Promise<string>((resolve) => (onReady = resolve));
  onLines(child.stdout!, (line) => {
    lines.push(line);
    if (line.startsWith('ready ')) onReady(line.slice(6));
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  return { name, lines, ready: Promise.race([ready, exit.then((e) => Promise.reject(new Error(`${name} exited before ready: ${e.stderr}`)))]), exit, go: () => child.stdin!.end('go\n') };
}

const payloadsOf = (c: Child, prefix: string) => c.lines.filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)));

describePostgres('two gateway processes on one PostgreSQL database', () => {
  it('race the migrations, append to one workspace and to their own, share a key, race for claims: nothing lost, nothing twice, the chain verifies', async () => {
    const { url } = await createTestDatabase('twogw');
    const archiveDir = mkdtempSync(join(tmpdir(), 'cairn-two-gw-'));
    dirs.push(archiveDir);
    const children = [start(url, archiveDir, 'a'), start(url, archiveDir, 'b')];
    const readies = (await Promise.all(children.map((c) => c.ready))).map((r) => JSON.parse(r) as { applied: number[] });
    // Each migration was applied by exactly one of the two (the advisory lock), and both are at head.
    const applied = readies.flatMap((r) => r.applied).sort((x, y) => x - y);
    expect(applied).toEqual(gatewayMigrations.migrations.map((m) => m.version));

    // Seed, from a third store, what both will use: the workspaces, their threads, and due recovery jobs.
    const store = await openPostgresCrudStore({ url, archiveDir });
    try {
      for (const ws of ['ws_shared', 'ws_a', 'ws_b']) {
        await store.workspaces.create({ workspace_id: ws, name: ws });
        await store.threads.start({ workspace_id: ws, thread_id: ws.replace('ws_', 'thr_') });
      }
      await store.turns.appendEvent({ workspace_id: 'ws_shared', thread_id: 'thr_shared', turn_id: 'turn_jobs', idempotency_key: 'jobs:start', event: { type: 'turn.started', input: [{ type: 'text', text: 'jobs' }] } });
      const jobs: string[] = [];
      for (let i = 0; i < JOBS; i++) {
        await store.turns.appendEvent({
          workspace_id: 'ws_shared',
          thread_id: 'thr_shared',
          turn_id: 'turn_jobs',
          idempotency_key: `jobs:r${i}`,
          event: { type: 'recovery.opened', recovery_id: `r${i}`, reason: 'provider_error', due_at: '2025-03-01T00:00:00.000Z' },
        });
        jobs.push(recoveryJobId('ws_shared', 'turn_jobs', { recoveryId: `r${i}` }));
      }
      const seededSeq = (await store.context.read((q) => q.get<{ n: number }>("SELECT max(workspace_seq) AS n FROM journal_event WHERE workspace_id = 'ws_shared'")))!.n;

      for (const c of children) c.go();
      const exits = await Promise.all(children.map((c) => c.exit));
      for (const e of exits) expect(e).toEqual({ code: 0, stderr: '' });

      // Every acknowledged append is in the journal at the seq it was acknowledged with.
      const acks = children.flatMap((c) => payloadsOf(c, 'ack ')) as Array<{ workspace: string; key: string; seq: number; duplicate: boolean; outcome: string }>;
      // 10 events per runtime (started, item started, 6 deltas, item completed, completed) and the shared one.
      expect(acks).toHaveLength(2 * (APPENDERS * 10 + 1));
      const rows = await store.context.read((q) =>
        q.all<{ workspace_id: string; workspace_seq: number; idempotency_key: string | null }>('SELECT workspace_id, workspace_seq, idempotency_key FROM journal_event ORDER BY workspace_id, workspace_seq'),
      );
      const bySeq = new Map(rows.map((r) => [`${r.workspace_id}:${r.workspace_seq}`, r]));
      for (const ack of acks) expect(bySeq.has(`${ack.workspace}:${ack.seq}`)).toBe(true);
      // The shared key: journaled once; the other process got that event back as a duplicate.
      const both = acks.filter((a) => a.key === 'both:0');
      expect(both.map((a) => a.duplicate).sort()).toEqual([false, true]);
      expect(new Set(both.map((a) => a.seq)).size).toBe(1);
      // Each workspace's seqs are 1..n without a gap or a repeat, and hold exactly what was acknowledged.
      for (const ws of ['ws_shared', 'ws_a', 'ws_b']) {
        const seqs = rows.filter((r) => r.workspace_id === ws).map((r) => r.workspace_seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      }
      const fresh = acks.filter((a) => !a.duplicate);
      expect(rows.filter((r) => r.workspace_id === 'ws_shared').length).toBe(seededSeq + fresh.filter((a) => a.workspace === 'ws_shared').length);
      // Plus, in each, its thread's thread.started from the seeding.
      for (const ws of ['ws_a', 'ws_b']) expect(rows.filter((r) => r.workspace_id === ws).length).toBe(1 + fresh.filter((a) => a.workspace === ws).length);
      expect(await store.context.read((q) => verifyJournal(q))).toMatchObject({ ok: true });

      // Every job claimed once, by exactly one of the two.
      const won = children.map((c) => payloadsOf(c, 'claimed ')[0] as string[]);
      expect(won.flat().sort()).toEqual([...jobs].sort());
      const claims = await store.context.read((q) => q.all<{ claim_count: number }>('SELECT claim_count FROM recovery_job'));
      expect(claims.every((r) => r.claim_count === 1)).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});
