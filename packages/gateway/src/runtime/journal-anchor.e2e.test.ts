import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashEvent, type CheckpointFinding } from '@cairn/crud';
import { nativeHandle, openSqliteDatabase, type NativeDatabase } from '@cairn/sqlite';
import type { RunningGateway } from '../server/start-gateway.js';
import { startTestGateway } from '../testing/gateway-fixture.js';
import { backupRuntime } from './maintenance.js';
import { restoreRuntime } from './restore-runtime.js';
import { verifyRuntime, type RuntimeVerifyReport } from './verify-runtime.js';

let root: string;
let home: string;
let gateway: RunningGateway | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-anchor-'));
  home = join(root, 'home');
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

/**
 * Starts the gateway, runs `turns` turns of 4 events in each workspace, stops it cleanly (the shutdown
 * checkpoint). A workspace's first run also journals its thread's `thread.started` (seq 1), so turn t's
 * events are seqs 4t+2..4t+5.
 */
async function runTurns(workspaces: string[], turns: number, from = 0): Promise<void> {
  gateway = await startTestGateway(home);
  const { store } = gateway.runtime;
  for (const name of workspaces) {
    const ws = (await store.workspaces.list({})).items.find((w) => w.name === name) ?? (await store.workspaces.create({ name }));
    const thread = `thr-${name}`;
    await store.threads.start({ workspace_id: ws.workspace_id, thread_id: thread });
    for (let t = from; t < from + turns; t++) {
      const turn = `turn-${name}-${t}`;
      let n = 0;
      const append = (event: Record<string, unknown>) =>
        store.turns.appendEvent({ workspace_id: ws.workspace_id, thread_id: thread, turn_id: turn, idempotency_key: `${turn}-${++n}`, event: event as never });
      await append({ type: 'turn.started', input: [{ type: 'text', text: `turn ${t} of ${name}` }] });
      await append({ type: 'item.started', item_id: 'i1', item_type: 'agent_message' });
      await append({ type: 'item.completed', item_id: 'i1', status: 'completed', text: `answer ${t}` });
      await append({ type: 'turn.completed' });
    }
  }
  await gateway.close();
  gateway = undefined;
}

/**
 * Raw SQL on a closed home's database, as an attacker with the file would: the journal's
 * triggers dropped first and put back exactly as they were afterwards, so the schema
 * fingerprint a start checks finds nothing and only the signed checkpoints can tell.
 */
async function tamper(file: 'gateway.db' | 'keystore.db', work: (db: NativeDatabase) => void): Promise<void> {
  const ds = await openSqliteDatabase({ path: join(home, file) });
  try {
    const db = nativeHandle(ds);
    const triggers =
      file === 'gateway.db'
        ? (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal_event'").all() as Array<{ name: string; sql: string }>)
        : [];
    for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
    work(db);
    for (const { sql } of triggers) db.exec(sql);
  } finally {
    await ds.destroy();
  }
}

interface Row {
  position: number; workspace_id: string; workspace_seq: number; stream_type: string; stream_id: string; stream_seq: number; thread_id: string | null;
  type: string; payload: string; idempotency_key: string | null; recorded_at: string; prev_hash: string;
}

/** Edits one row's payload and re-hashes every later row of the same chains, as a forger covering their tracks would. */
function rewriteFrom(db: NativeDatabase, rows: Row[], edit: (row: Row) => string): void {
  const prev = new Map<string, string>();
  for (const row of rows) {
    const prevHash = prev.get(row.workspace_id) ?? row.prev_hash;
    const payload = edit(row);
    const hash = hashEvent({
      position: row.position, recordedAt: row.recorded_at, workspaceId: row.workspace_id, workspaceSeq: row.workspace_seq, streamType: row.stream_type,
      streamId: row.stream_id, streamSeq: row.stream_seq, threadId: row.thread_id, type: row.type, idempotencyKey: row.idempotency_key, payload, prevHash,
    });
    db.prepare('UPDATE journal_event SET payload = ?, prev_hash = ?, hash = ? WHERE position = ?').run(payload, prevHash, hash, row.position);
    prev.set(row.workspace_id, hash);
  }
}

const workspaceIdOf = (db: NativeDatabase, name: string) => (db.prepare('SELECT workspace_id AS id FROM workspace WHERE name = ?').get(name) as { id: string }).id;
const findingsOf = (report: RuntimeVerifyReport): CheckpointFinding[] => (report.checkpoints.checked ? report.checkpoints.findings : []);

describe('signed checkpoints, end to end (real gateway, real keystore)', () => {
  it('a clean home verifies: each workspace anchored by its shutdown checkpoint, signed by the keystore key', async () => {
    await runTurns(['alpha', 'beta'], 3);
    const report = await verifyRuntime({ home, env: {} });
    expect(report.ok).toBe(true);
    expect(report.journal).toMatchObject({ ok: true, checked: 26 });
    expect(report.checkpoints).toMatchObject({ checked: true, ok: true, findings: [], unanchored: [] });
    if (!report.checkpoints.checked) throw new Error('unreachable');
    expect(report.checkpoints.signingKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(report.checkpoints.workspaces.map((w) => [w.newest.kind, w.newest.workspaceSeq, w.contained])).toEqual([
      ['shutdown', 13, true],
      ['shutdown', 13, true],
    ]);
  });

  it('tail truncation is detected (events_lost), and the next start refuses to sign the cut chain', async () => {
    await runTurns(['alpha', 'beta'], 3);
    let alpha = '';
    await tamper('gateway.db', (db) => {
      alpha = workspaceIdOf(db, 'alpha');
      db.prepare('DELETE FROM journal_event WHERE workspace_id = ? AND workspace_seq > 9').run(alpha);
    });
    const report = await verifyRuntime({ home, env: {} });
    expect(report.journal).toMatchObject({ ok: true }); // nothing inside the file shows it
    expect(report.ok).toBe(false);
    expect(findingsOf(report)).toEqual([expect.objectContaining({ reason: 'events_lost', workspaceId: alpha, journalSeq: 9, checkpointSeq: 13, lost: { fromSeq: 10, toSeq: 13 } })]);

    gateway = await startTestGateway(home);
    expect(gateway.runtime.checkpoints.findings).toEqual([expect.objectContaining({ reason: 'events_lost', workspaceId: alpha })]);
    await gateway.close();
    gateway = undefined;
    expect(findingsOf(await verifyRuntime({ home, env: {} }))).toEqual([expect.objectContaining({ reason: 'events_lost', workspaceId: alpha })]);
  });

  it('a consistent rewrite from the middle (every hash recomputed) is detected: events_rewritten', async () => {
    await runTurns(['alpha'], 3);
    await runTurns(['alpha'], 2, 3); // a second run: checkpoints at seq 13 and 21
    await tamper('gateway.db', (db) => {
      const alpha = workspaceIdOf(db, 'alpha');
      const rows = db.prepare('SELECT * FROM journal_event WHERE workspace_id = ? AND workspace_seq >= 8 ORDER BY workspace_seq').all(alpha) as Row[];
      rewriteFrom(db, rows, (row) => (row.workspace_seq === 8 ? row.payload.replace('answer', 'forged answer') : row.payload));
    });
    const report = await verifyRuntime({ home, env: {} });
    expect(report.journal).toMatchObject({ ok: true });
    expect(findingsOf(report)).toEqual([expect.objectContaining({ reason: 'events_rewritten', checkpointSeq: 21, rewritten: { afterSeq: 0, upToSeq: 13 } })]);
    expect(findingsOf(report)[0]!.detail).toMatch(/events after seq 0 and at or before 13 were rewritten/);
  });

  it('a deleted whole workspace is detected: workspace_missing', async () => {
    await runTurns(['alpha', 'beta'], 2);
    let beta = '';
    await tamper('gateway.db', (db) => {
      beta = workspaceIdOf(db, 'beta');
      db.prepare('DELETE FROM journal_event WHERE workspace_id = ?').run(beta);
    });
    const report = await verifyRuntime({ home, env: {} });
    expect(report.journal).toMatchObject({ ok: true });
    expect(findingsOf(report)).toEqual([expect.objectContaining({ reason: 'workspace_missing', workspaceId: beta, lost: { fromSeq: 1, toSeq: 9 } })]);
  });

  it('a checkpoint forged without the key is named (checkpoint_forged) and trusted for nothing', async () => {
    await runTurns(['alpha'], 2);
    await tamper('keystore.db', (db) => {
      const real = db.prepare('SELECT * FROM keystore_journal_checkpoint ORDER BY checkpoint_id DESC LIMIT 1').get() as Record<string, string | number>;
      // Claims alpha reached seq 50: were it trusted, the journal would look truncated.
      db.prepare(`INSERT INTO keystore_journal_checkpoint VALUES (?, 'interval', ?, ?, 50, 99, ?, NULL, ?, ?)`).run(
        Number(real['checkpoint_id']) + 1, real['recorded_at'], real['workspace_id'], 'e'.repeat(64), real['key_id'], Buffer.alloc(64, 7).toString('base64url'),
      );
    });
    const report = await verifyRuntime({ home, env: {} });
    expect(report.ok).toBe(false);
    expect(findingsOf(report)).toEqual([expect.objectContaining({ reason: 'checkpoint_forged', checkpointSeq: 50 })]);
    expect(findingsOf(report)[0]!.detail).toMatch(/signature does not verify/);
  });

  it('cairn restore from a backup verifies clean with the restore marker; the same truncation by hand is detected', async () => {
    await runTurns(['alpha', 'beta'], 2);
    const [backup] = await backupRuntime({ home, env: {} });
    await runTurns(['alpha', 'beta', 'gamma'], 2, 2); // newer checkpoints: alpha/beta at 17, gamma at 9
    const unrestored = join(root, 'unrestored');
    copyFileSync(join(home, 'gateway.db'), unrestored);

    const restored = await restoreRuntime({ home, env: {} });
    expect(restored).toMatchObject({ gateway: backup!.path, journal: { checked: 18 }, marker: { workspaces: 3 } });
    expect([...restored.marker.supersededWorkspaces].sort()).toHaveLength(3);
    const report = await verifyRuntime({ home, env: {} });
    expect(report.ok).toBe(true);
    expect(report.checkpoints).toMatchObject({ checked: true, findings: [], restores: [expect.objectContaining({ restoredFrom: backup!.path.split('/').pop(), workspaces: 3, superseded: 3 })] });
    // The gateway runs on the restored file, and checkpoints again from its heads.
    await runTurns(['alpha'], 1, 10);
    expect((await verifyRuntime({ home, env: {} })).ok).toBe(true);

    // The same cut without the marker: the backup copied over gateway.db by hand.
    rmSync(home, { recursive: true, force: true });
    await runTurns(['alpha', 'beta'], 2);
    const [second] = await backupRuntime({ home, env: {} });
    await runTurns(['alpha', 'beta', 'gamma'], 2, 2);
    for (const suffix of ['-wal', '-shm']) rmSync(join(home, `gateway.db${suffix}`), { force: true });
    copyFileSync(second!.path, join(home, 'gateway.db'));
    const cut = await verifyRuntime({ home, env: {} });
    expect(cut.ok).toBe(false);
    expect(findingsOf(cut).map((f) => f.reason).sort()).toEqual(['events_lost', 'events_lost', 'workspace_missing']);
  });

  it('restore --keystore puts keystore.db back too (its key must be the home key), marker recorded in the restored one', async () => {
    await runTurns(['alpha'], 2);
    const backups = await backupRuntime({ home, env: {} });
    const keystoreBackup = backups.find((b) => b.path.includes('/keystore-'))!.path;
    await runTurns(['alpha'], 2, 2);
    const restored = await restoreRuntime({ home, env: {}, keystoreBackup: keystoreBackup.split('/').pop()! });
    expect(restored.keystore).toBe(keystoreBackup);
    const report = await verifyRuntime({ home, env: {} });
    expect(report.ok).toBe(true);
    // The restored keystore.db knows only the checkpoints up to the backup, plus the marker.
    expect(report.checkpoints).toMatchObject({ checked: true, restores: [expect.objectContaining({ workspaces: 1, superseded: 0 })] });

    // A keystore backup from before a master-key rotation opens with neither key: refused, nothing touched.
    const { openSqliteKeystore } = await import('@cairn/keystore');
    const keystore = await openSqliteKeystore({ home });
    await keystore.rotateMasterKey();
    await keystore.close();
    await expect(restoreRuntime({ home, env: {}, keystoreBackup: keystoreBackup.split('/').pop()! })).rejects.toThrow(/is under master key \w+, the home's key is \w+/);
    expect((await verifyRuntime({ home, env: {} })).ok).toBe(true);
  });

  it('restore refuses a backup that is not a prefix of the checkpointed journal, and a name outside backups/', async () => {
    await runTurns(['alpha'], 2);
    const [backup] = await backupRuntime({ home, env: {} });
    await expect(restoreRuntime({ home, env: {}, backup: '../gateway.db' })).rejects.toMatchObject({ code: 'invalid_params' });
    // Rewrite alpha's seq 3 in the backup (re-hashed): it no longer holds the checkpoint at seq 9.
    const ds = await openSqliteDatabase({ path: backup!.path });
    try {
      const db = nativeHandle(ds);
      db.exec('DROP TRIGGER trg_journal_event_no_update');
      const rows = db.prepare('SELECT * FROM journal_event WHERE workspace_seq >= 3 ORDER BY position').all() as Row[];
      rewriteFrom(db, rows, (row) => (row.workspace_seq === 3 ? '{"forged":true}' : row.payload));
      db.pragma('journal_mode = DELETE');
    } finally {
      await ds.destroy();
    }
    await expect(restoreRuntime({ home, env: {} })).rejects.toThrow(/does not hold checkpoint #\d+ of workspace .* \(seq 9\)/);
    expect((await verifyRuntime({ home, env: {} })).ok).toBe(true); // nothing was touched
  });
});
