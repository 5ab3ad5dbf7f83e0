import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '@cairn/gateway';
import { runTs, spawnTs } from '@cairn/tooling/child';

const main = join(import.meta.dirname, 'main.ts');
let root: string;
let home: string;

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function freshHome(): string {
  root = mkdtempSync(join(tmpdir(), 'cairn-truth-cli-'));
  home = join(root, 'home');
  return home;
}

const env = (extra: Record<string, string> = {}) => ({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '', ...extra });
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Migrates a fresh home, then runs raw SQL on its gateway.db through an opened runtime (the app cannot import sqlite). */
async function homeWith(...statements: string[]): Promise<void> {
  expect((await runTs(main, ['migrate'], { env: env() })).code).toBe(0);
  const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
  try {
    const { sqlite } = runtime.store;
    if (!sqlite) throw new Error('expected a home on SQLite');
    for (const sql of statements) await sqlite.dataSource.query(sql);
  } finally {
    await runtime.close();
  }
}

/** Runs `cairn serve` until it prints its listening line (then SIGTERM) or exits; returns what it printed. */
async function serve(extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(main, ['serve', '--listen', '127.0.0.1:0'], { env: env(extraEnv) });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (/listening on http/.test(stdout)) child.kill('SIGTERM');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

describe('cairn doctor and start tell the truth', () => {
  it('serve logs each permission it tightened at warn, keeps nothing looser, and prints no process warning', async () => {
    freshHome();
    mkdirSync(home, { mode: 0o755 });
    chmodSync(home, 0o755);
    const result = await serve({ CAIRN_LOG_LEVEL: 'warn' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const warnings = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; path?: string; from?: string; to?: string });
    expect(warnings).toContainEqual(expect.objectContaining({ level: 40, msg: 'tightened permissions', path: home, from: '755', to: '700' }));
    expect(modeOf(home)).toBe(0o700);
  });

  it('serve and migrate on a file that is not a database name the file and the reason', async () => {
    freshHome();
    mkdirSync(home, { mode: 0o700 });
    writeFileSync(join(home, 'gateway.db'), Buffer.alloc(8192, 0x5a), { mode: 0o600 });
    for (const result of [await serve(), await runTs(main, ['migrate'], { env: env() })]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(join(home, 'gateway.db'));
      expect(result.stderr).toContain('file is not a database');
      expect(result.stderr).not.toContain('the storage layer failed; nothing was written\n');
    }
  });

  it('doctor exits 1 naming the dropped append-only triggers, and serve refuses with them listed', async () => {
    freshHome();
    await homeWith('DROP TRIGGER "trg_journal_event_no_update"', 'DROP TRIGGER "trg_journal_event_no_delete"');
    const doctor = await runTs(main, ['doctor'], { env: env() });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('PROBLEMS FOUND');
    expect(doctor.stdout).toMatch(/schema FAILED .*missing trigger trg_journal_event_no_delete; missing trigger trg_journal_event_no_update/);
    const served = await serve();
    expect(served.code).toBe(1);
    expect(served.stderr).toMatch(/^cairn: integrity_failed: .*missing trigger trg_journal_event_no_update/);
  });

  it('doctor exits 1 on a schema newer than this build', async () => {
    freshHome();
    await homeWith("INSERT INTO schema_migration VALUES ('gateway', 99, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')");
    const doctor = await runTs(main, ['doctor', '--json'], { env: env() });
    expect(doctor.code).toBe(1);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; schema: Record<string, { status: string; version: number }> };
    expect(report.ok).toBe(false);
    expect(report.schema[join(home, 'gateway.db')]).toMatchObject({ status: 'too_new', version: 99 });
  });

  it('serve refuses a gateway.db symlinked out of the home without touching the target, and doctor flags it', async () => {
    freshHome();
    expect((await runTs(main, ['migrate'], { env: env() })).code).toBe(0);
    const outside = join(root, 'outside.db');
    renameSync(join(home, 'gateway.db'), outside);
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(home, 'gateway.db'));
    const served = await serve();
    expect(served.code).toBe(1);
    expect(served.stderr).toMatch(/^cairn: symlink_refused: .*gateway\.db is a symbolic link/);
    expect(modeOf(outside)).toBe(0o644);
    const doctor = await runTs(main, ['doctor'], { env: env() });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/symlink\s+--- .*gateway\.db/);
  });
});
