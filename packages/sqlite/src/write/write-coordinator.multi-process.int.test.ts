import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from '@cairn/tooling/child';
import type { DataSource } from 'typeorm';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from './write-coordinator.js';

const FIXTURES = join(import.meta.dirname, '../testing/fixtures');
const WRITES_PER_CHILD = 300;

interface WriterReport {
  writer: string;
  written: number;
  errors: Array<{ code: unknown; message: unknown }>;
  stats: { commits: number; busyRetries: number };
}

/** A child with its stdout split into lines; `waitFor` is bounded by a timeout. */
function startChild(script: string, args: string[]) {
  const child = spawnTs(join(FIXTURES, script), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (predicate: (line: string) => boolean, timeoutMs = 30_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = lines.find(predicate);
      if (hit !== undefined) return hit;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`child ${script} gave no expected line (exit ${child.exitCode}); stdout=${lines.join('|')} stderr=${stderr}`);
      }
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { child, waitFor, exited, stderr: () => stderr };
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

describe('SqliteWriteCoordinator (two OS processes)', () => {
  let dir: string;
  let path: string;
  let ds: DataSource;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-'));
    path = join(dir, 'gateway.db');
    ds = await openSqliteDatabase({ path });
    await ds.query('CREATE TABLE w (id INTEGER PRIMARY KEY, writer TEXT NOT NULL, seq INTEGER NOT NULL, UNIQUE (writer, seq))');
  });
  afterEach(async () => {
    children.splice(0).forEach(stop);
    if (ds.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two processes writing the same file at once lose nothing and never surface SQLITE_BUSY', async () => {
    const writers = ['alpha', 'beta'].map((name) => startChild('coordinator-writer.ts', [path, name, String(WRITES_PER_CHILD)]));
    children.push(...writers.map((w) => w.child));
    await Promise.all(writers.map((w) => w.waitFor((l) => l === 'ready')));
    for (const w of writers) w.child.stdin!.write('go\n');
    const reports = await Promise.all(
      writers.map(async (w) => {
        const line = await w.waitFor((l) => l.startsWith('{'), 60_000);
        expect(await w.exited).toBe(0);
        expect(w.stderr()).toBe('');
        return JSON.parse(line) as WriterReport;
      }),
    );
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      expect(report.written).toBe(WRITES_PER_CHILD);
    }
    expect(await ds.query('SELECT count(*) AS n FROM w')).toEqual([{ n: 2 * WRITES_PER_CHILD }]);
    for (const writer of ['alpha', 'beta']) {
      const rows = (await ds.query('SELECT seq FROM w WHERE writer = ? ORDER BY seq', [writer])) as Array<{ seq: number }>;
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: WRITES_PER_CHILD }, (_, i) => i));
    }
  });

  it('tryWrite answers busy and write gives up with busy while another process holds the write lock', async () => {
    const holder = startChild('lock-holder.ts', [path]);
    children.push(holder.child);
    await holder.waitFor((l) => l === 'locked');

    const coordinator = new SqliteWriteCoordinator(ds, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, lockWaitMs: 5 } });
    let ran = 0;
    expect(await coordinator.tryWrite(() => ++ran)).toEqual({ ok: false, reason: 'busy' });
    expect(ran).toBe(0);
    await expect(coordinator.write((ctx) => ctx.run("INSERT INTO w (writer, seq) VALUES ('parent', 0)"))).rejects.toMatchObject({
      name: 'SqliteStorageError',
      code: 'busy',
      details: { attempts: 3 },
    });
    expect(coordinator.stats.busyRetries).toBe(2);
    // Reads are not blocked by the other process's write lock (WAL).
    expect(await ds.query('SELECT count(*) AS n FROM w')).toEqual([{ n: 0 }]);

    holder.child.stdin!.write('commit\n');
    await holder.waitFor((l) => l === 'committed');
    expect(await holder.exited).toBe(0);
    await coordinator.write((ctx) => ctx.run("INSERT INTO w (writer, seq) VALUES ('parent', 0)"));
    expect(await coordinator.tryWrite((ctx) => ctx.run("INSERT INTO w (writer, seq) VALUES ('parent', 1)").changes)).toEqual({
      ok: true,
      value: 1,
    });
    expect(await ds.query('SELECT writer, seq FROM w ORDER BY id')).toEqual([
      { writer: 'holder', seq: 0 },
      { writer: 'parent', seq: 0 },
      { writer: 'parent', seq: 1 },
    ]);
  });

  it('write waits out a short foreign lock through its retries', async () => {
    const holder = startChild('lock-holder.ts', [path]);
    children.push(holder.child);
    await holder.waitFor((l) => l === 'locked');
    const coordinator = new SqliteWriteCoordinator(ds);
    const write = coordinator.write((ctx) => ctx.run("INSERT INTO w (writer, seq) VALUES ('parent', 0)"));
    setTimeout(() => holder.child.stdin!.write('commit\n'), 50);
    await write;
    expect(await holder.exited).toBe(0);
    expect(await ds.query('SELECT count(*) AS n FROM w')).toEqual([{ n: 2 }]);
  });
});
