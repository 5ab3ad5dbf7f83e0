import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, statSync, symlinkSync, writeFileSync, renameSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '@cairn/sqlite';
import { inspectRuntime } from './inspect-runtime.js';
import { migrateRuntime } from './maintenance.js';
import { openRuntime, type GatewayRuntime } from './open-runtime.js';
import { startTestGateway } from '../testing/gateway-fixture.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const quiet = { env: {}, settings: { log_level: 'silent' } };

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** Raw SQL on a closed home's gateway.db, behind the gateway's back. */
async function tamper(path: string, ...statements: string[]): Promise<void> {
  const ds = await openSqliteDatabase({ path });
  try {
    for (const sql of statements) await ds.query(sql);
  } finally {
    await ds.destroy();
  }
}

/**
 * Damages one page the start path never reads: the leftmost leaf of journal_event (reading
 * the journal head walks the rightmost path only). The file still opens and migrates.
 */
async function damageJournalLeaf(path: string): Promise<void> {
  const ds = await openSqliteDatabase({ path });
  let page: number;
  let pageSize: number;
  try {
    for (let i = 1; i <= 200; i++) {
      await ds.query(
        // Linked as the append trigger wants (it compares the stored hash columns; it does not recompute them).
        `INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash, hash_version)
         VALUES (?, 'ws', ?, 'turn', 't', ?, 'x', ?, NULL, '2026-01-01T00:00:00.000Z', ?, ?, 2)`,
        [i, i, i, 'p'.repeat(300), i === 1 ? '0'.repeat(64) : (i - 1).toString(16).padStart(64, 'f'), i.toString(16).padStart(64, 'f')],
      );
    }
    const rows = (await ds.query("SELECT pageno FROM dbstat WHERE name = 'journal_event' AND pagetype = 'leaf' ORDER BY path LIMIT 1")) as Array<{ pageno: number }>;
    page = rows[0]!.pageno;
    pageSize = Number(((await ds.query('PRAGMA page_size')) as Array<{ page_size: number }>)[0]!.page_size);
  } finally {
    await ds.destroy(); // the last connection checkpoints the WAL into the file
  }
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('startup and doctor tell the truth', () => {
  let root: string;
  let home: string;
  let runtime: GatewayRuntime | undefined;
  const gatewayDb = () => join(home, 'gateway.db');
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-truth-'));
    home = join(root, 'home');
    await (await openRuntime({ home, ...quiet })).close();
  });
  afterEach(async () => {
    await runtime?.close();
    runtime = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses to serve, and doctor fails, when the journal append-only triggers were dropped', async () => {
    await tamper(gatewayDb(), 'DROP TRIGGER "trg_journal_event_no_update"', 'DROP TRIGGER "trg_journal_event_no_delete"');
    const error = await errorOf(openRuntime({ home, ...quiet }));
    expect(error.code).toBe('integrity_failed');
    expect(error.message).toContain(gatewayDb());
    expect(error.message).toContain('missing trigger trg_journal_event_no_update');
    expect(error.message).toContain('missing trigger trg_journal_event_no_delete');
    const health = await inspectRuntime({ home, ...quiet });
    expect(health.ok).toBe(false);
    expect(health.schema[gatewayDb()]).toMatchObject({
      ok: false,
      status: 'mismatch',
      differences: ['missing trigger trg_journal_event_no_delete', 'missing trigger trg_journal_event_no_update'],
    });
    // Nothing was migrated or repaired on the way to the refusal.
    expect((await errorOf(migrateRuntime({ home, ...quiet }))).code).toBe('integrity_failed');
  });

  it('takes a serving gateway out of readiness when its schema is changed underneath it', async () => {
    const gateway = await startTestGateway(home);
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
      await tamper(gatewayDb(), 'DROP TRIGGER "trg_journal_event_append"');
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, unknown> }).checks['schema']).toEqual({
        ok: false,
        detail: '1 schema difference(s); run cairn doctor',
      });
    } finally {
      await gateway.close();
    }
  });

  it('doctor reports a schema newer than this build, and exits not ok', async () => {
    await tamper(gatewayDb(), "INSERT INTO schema_migration VALUES ('gateway', 99, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')");
    const health = await inspectRuntime({ home, ...quiet });
    expect(health.ok).toBe(false);
    expect(health.schema[gatewayDb()]).toMatchObject({ ok: false, status: 'too_new', version: 99 });
    expect(health.schema[join(home, 'keystore.db')]).toMatchObject({ ok: true, status: 'current' });
  });

  it('runs quick_check before migrating and refuses a damaged page with the problems listed; startup_check off skips it', async () => {
    await damageJournalLeaf(gatewayDb());
    const error = await errorOf(openRuntime({ home, ...quiet }));
    expect(error.code).toBe('integrity_failed');
    expect(error.message).toContain(`${gatewayDb()} failed quick_check`);
    expect((error.details?.['problems'] as string[]).length).toBeGreaterThan(0);
    runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent', storage: { startup_check: 'off' } } });
  });

  it('names the file and the reason when gateway.db is not a database, with or without the startup check', async () => {
    writeFileSync(gatewayDb(), Buffer.alloc(8192, 0x5a));
    for (const startup_check of ['quick', 'off'] as const) {
      const error = await errorOf(openRuntime({ home, env: {}, settings: { log_level: 'silent', storage: { startup_check } } }));
      expect([startup_check, error.message]).toEqual([startup_check, expect.stringContaining(gatewayDb())]);
      expect(error.message).toContain('file is not a database');
    }
    const migrate = await errorOf(migrateRuntime({ home, ...quiet }));
    expect(migrate.message).toContain(gatewayDb());
    expect(migrate.message).toContain('file is not a database');
  });

  it('refuses a gateway.db symlinked out of the home and leaves the target alone', async () => {
    const outside = join(root, 'outside.db');
    renameSync(gatewayDb(), outside);
    chmodSync(outside, 0o644);
    symlinkSync(outside, gatewayDb());
    const error = await errorOf(openRuntime({ home, ...quiet }));
    expect(error.code).toBe('symlink_refused');
    expect(error.message).toContain(gatewayDb());
    expect(modeOf(outside)).toBe(0o644);
    const health = await inspectRuntime({ home, ...quiet });
    expect(health.ok).toBe(false);
    expect(health.files.find((f) => f.path === gatewayDb())?.status).toBe('symlink');
  });

  it('refuses a home subdirectory or key file that is a symlink, dangling or not, and leaves targets alone', async () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    chmodSync(elsewhere, 0o755);
    symlinkSync(elsewhere, join(home, 'backups'));
    expect((await errorOf(openRuntime({ home, ...quiet }))).message).toContain(`${join(home, 'backups')} is a symbolic link`);
    expect(modeOf(elsewhere)).toBe(0o755);
    rmSync(join(home, 'backups'));
    symlinkSync(join(root, 'nothing-here'), join(home, 'artifacts'));
    expect((await errorOf(openRuntime({ home, ...quiet }))).code).toBe('symlink_refused');
    rmSync(join(home, 'artifacts'));
    symlinkSync(join(root, 'nothing-here'), join(home, 'keystore.key.next'));
    const error = await errorOf(openRuntime({ home, ...quiet }));
    expect([error.code, error.message]).toEqual(['symlink_refused', expect.stringContaining('keystore.key.next')]);
    expect((await inspectRuntime({ home, ...quiet })).refusals).toEqual([expect.stringContaining('keystore.key.next is a symbolic link')]);
  });

  it('opens a home that is itself a symlink (where the operator put it) at the directory it names', async () => {
    const link = join(root, 'home-link');
    symlinkSync(home, link);
    runtime = await openRuntime({ home: link, ...quiet });
    expect(runtime.paths.home).toBe(realpathSync(home));
    expect(runtime.paths.gatewayDb).toBe(join(realpathSync(home), 'gateway.db'));
  });

  it('keeps an operator 0500 home, tightens a 0755 one, logs each change at warn and doctor shows what it would change', async () => {
    chmodSync(home, 0o500);
    runtime = await openRuntime({ home, ...quiet });
    await runtime.close();
    runtime = undefined;
    expect(modeOf(home)).toBe(0o500);

    chmodSync(home, 0o755);
    chmodSync(gatewayDb(), 0o644);
    const doctor = await inspectRuntime({ home, ...quiet });
    expect(doctor.changes).toEqual([
      { path: home, from: '755', to: '700' },
      { path: gatewayDb(), from: '644', to: '600' },
    ]);
    expect([modeOf(home), modeOf(gatewayDb())]).toEqual([0o755, 0o644]);

    // Doctor's own read-only connections leave -wal/-shm behind (with the loose mode of the
    // file), so ask again: what it says now is exactly what the start must change and log.
    const planned = (await inspectRuntime({ home, ...quiet })).changes;
    expect(planned.slice(0, 2)).toEqual(doctor.changes);
    const warnings: Array<{ obj: unknown; msg: string }> = [];
    const log = { warn: (obj: unknown, msg: string) => void warnings.push({ obj, msg }), info: () => undefined };
    runtime = await openRuntime({ home, ...quiet, log });
    expect(warnings).toEqual(planned.map((change) => ({ obj: change, msg: 'tightened permissions' })));
    expect(runtime.permissionChanges).toEqual(planned);
    expect((await inspectRuntime({ home, ...quiet })).changes).toEqual([]);
    expect([modeOf(home), modeOf(gatewayDb())]).toEqual([0o700, 0o600]);
  });
});
