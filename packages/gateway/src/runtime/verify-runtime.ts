import { existsSync } from 'node:fs';
import { keystoreMigrations, readMigrationState } from '@cairn/migration';
import { createSqliteReadPort, verifyCheckpoints, verifyJournal, type CheckpointReport, type RecordedCheckpoint, type StoragePort, type VerifyResult } from '@cairn/crud';
import { openSqliteKeystore } from '@cairn/keystore';
import {
  checkDatabaseFile,
  integrityCheck,
  openBackupDatabase,
  openSqliteDatabase,
  quickCheck,
  type IntegrityMode,
  type IntegrityResult,
} from '@cairn/sqlite';
import { resolveArtifactsRoot } from '@cairn/config';
import { LocalArtifactBlobStore, verifyBlobRows, type BlobRowRef, type VerifyBlobsProgress, type VerifyBlobsReport } from '@cairn/artifacts';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { verifyPostgresRuntime } from '../postgres/verify-postgres-runtime.js';

export interface VerifyRuntimeOptions extends RuntimeOptions {
  /** `integrity_check` (plus foreign keys) instead of `quick_check`. */
  full?: boolean;
  /** Hears the chain walk's progress: journal rows checked so far, of `total` live rows (archived events come first and count too). */
  onProgress?: (checked: number, total: number) => void;
  /** Hears the blob re-hash's progress: blobs (and bytes) checked so far of the total. */
  onBlobProgress?: (progress: VerifyBlobsProgress) => void;
}

/** Every artifact blob row re-hashed against the blob root (`[artifacts] root`), or why not. */
export type BlobVerification = { checked: true; ok: boolean; root: string; report: VerifyBlobsReport } | { checked: false; ok: boolean; reason: string };

export type CheckpointVerification =
  | (CheckpointReport & { checked: true; signingKeyId: string; /** Ed25519, SPKI DER base64: checks the records anywhere. */ signingPublicKey: string })
  | { checked: false; ok: boolean; reason: string };

export interface RuntimeVerifyReport {
  home: string;
  /** False on any finding: a failed integrity check, a broken chain link, a checkpoint the journal lost, a forged checkpoint. */
  ok: boolean;
  integrity: Record<string, { ok: boolean; problems?: string[] }>;
  /** The chain walk (`verifyJournal`): the first broken link, if any. */
  journal: VerifyResult | { ok: false; reason: 'missing' | 'unreadable'; detail: string };
  /** The signed checkpoints in keystore.db against the journal (`verifyCheckpoints`). */
  checkpoints: CheckpointVerification;
  /** Artifact blobs: a row whose file is gone is missing, a file whose bytes do not hash to its name is corrupt. */
  blobs: BlobVerification;
}

/** What the database side of verify found, with the blob rows it read (null: no artifact table in this schema). */
export type DatabaseVerifyReport = Omit<RuntimeVerifyReport, 'blobs'> & { blobRows: BlobRowRef[] | null };

/**
 * `cairn verify`: the integrity of both databases, the journal's hash chains (archive segments
 * under `<home>/archive` and live rows, one chain per workspace), and the signed
 * checkpoints in keystore.db against the journal. Writes nothing of its own (no signing key is
 * created, no migration runs; SQLite may replay a -wal a crash left), so it may run beside a
 * live gateway: the checkpoints are read first,
 * then the journal in one snapshot, so a checkpoint recorded meanwhile is never newer than the
 * journal it is compared with.
 */
export async function verifyRuntime(options: VerifyRuntimeOptions = {}): Promise<RuntimeVerifyReport> {
  const { paths, backend, settings } = resolveRuntime(options);
  const { blobRows, ...databases } = backend.kind === 'postgres' ? await verifyPostgresRuntime(paths, backend, options.onProgress) : await verifySqliteRuntime(options);
  let blobs: BlobVerification;
  if (blobRows === null) blobs = { checked: false, ok: true, reason: 'no artifact tables in this schema' };
  else {
    const root = resolveArtifactsRoot(settings, paths);
    const report = await verifyBlobRows(blobRows, new LocalArtifactBlobStore({ root }), options.onBlobProgress);
    blobs = { checked: true, ok: report.missing.length === 0 && report.corrupt.length === 0, root, report };
  }
  return { ...databases, ok: databases.ok && blobs.ok, blobs };
}

async function verifySqliteRuntime(options: VerifyRuntimeOptions): Promise<DatabaseVerifyReport> {
  const { paths } = resolveRuntime(options);
  const mode: IntegrityMode = options.full ? 'full' : 'quick';
  const integrity: RuntimeVerifyReport['integrity'] = {};
  for (const db of [paths.gatewayDb, paths.keystoreDb]) if (existsSync(db)) integrity[db] = await checkIntegrity(db, mode);

  const listed = await readCheckpoints(options, paths.keystoreDb);
  let journal: RuntimeVerifyReport['journal'];
  let checkpoints: CheckpointVerification;
  let blobRows: BlobRowRef[] | null = null;
  if (!existsSync(paths.gatewayDb)) {
    journal = { ok: false, reason: 'missing', detail: `${paths.gatewayDb} does not exist` };
    checkpoints = 'checkpoints' in listed ? { checked: false, ok: listed.checkpoints.length === 0, reason: 'no gateway.db to compare with' } : listed;
  } else {
    try {
      const ds = await openForReading(paths.gatewayDb);
      try {
        ({ journal, checkpoints, blobRows } = await walkJournal(createSqliteReadPort(ds), listed, paths.archiveDir, options.onProgress));
      } finally {
        await ds.destroy();
      }
    } catch (error) {
      // A file SQLite cannot read (its integrity entry says why): nothing to walk.
      journal = { ok: false, reason: 'unreadable', detail: `cannot read the journal of ${paths.gatewayDb}: ${(error as Error).message}` };
      checkpoints = { checked: false, ok: false, reason: 'no readable journal to compare with' };
    }
  }
  const ok = Object.values(integrity).every((r) => r.ok) && journal.ok && checkpoints.ok;
  return { home: paths.home, ok, integrity, journal, checkpoints, blobRows };
}

/**
 * The file as the next gateway start will see it: a hot journal or a -wal a killed process left
 * is rolled back or replayed by the open first (a read-only check would report the interrupted
 * write itself, not the file). A file SQLite cannot open at all is checked as a plain file,
 * which names why.
 */
async function checkIntegrity(path: string, mode: IntegrityMode): Promise<IntegrityResult> {
  let ds;
  try {
    ds = await openSqliteDatabase({ path });
  } catch {
    return checkDatabaseFile(path, mode);
  }
  try {
    return mode === 'full' ? await integrityCheck(ds) : await quickCheck(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * A connection that can read a file whatever state it was left in: a read-only connection
 * cannot replay the -wal a killed process left behind (SQLITE_READONLY_RECOVERY), so the file is
 * opened read-write (nothing but SQLite's own recovery writes through it; no migration runs).
 * Read-only, as a plain file, when that is refused (a read-only file system).
 */
async function openForReading(path: string) {
  try {
    return await openSqliteDatabase({ path });
  } catch {
    return openBackupDatabase(path);
  }
}

async function readCheckpoints(
  options: RuntimeOptions,
  keystoreDb: string,
): Promise<ListedCheckpoints> {
  if (!existsSync(keystoreDb)) return { checked: false, ok: true, reason: 'no keystore.db: no checkpoint was ever recorded' };
  const probe = await openForReading(keystoreDb);
  const version = await readMigrationState(probe, keystoreMigrations.service)
    .then((s) => s.version)
    .finally(() => probe.destroy());
  if (version < 2) return { checked: false, ok: true, reason: `keystore.db is at version ${version}: no gateway of this build has recorded a checkpoint yet` };
  const { paths } = resolveRuntime(options);
  let keystore;
  try {
    keystore = await openSqliteKeystore({ home: paths.home });
  } catch (error) {
    return { checked: false, ok: false, reason: `cannot open keystore.db to read the checkpoints: ${(error as Error).message}` };
  }
  try {
    const log = await keystore.journalCheckpoints({ createKey: false });
    return { checkpoints: await log.list(), keyId: log.keyId, publicKey: log.publicKey };
  } finally {
    await keystore.close();
  }
}

/** The row count to report progress against, read in the walk's own snapshot. */
async function progressOf(q: Parameters<Parameters<StoragePort['read']>[0]>[0], onProgress: (checked: number, total: number) => void) {
  const total = (await q.get<{ n: number }>('SELECT count(*) AS n FROM journal_event', []))?.n ?? 0;
  onProgress(0, total);
  return (checked: number) => onProgress(checked, total);
}

export type ListedCheckpoints = { checkpoints: RecordedCheckpoint[]; keyId: string; publicKey: string } | { checked: false; ok: boolean; reason: string };

/**
 * The chain walk and the checkpoint comparison in one snapshot (one `read` of the port), on
 * either database: archive segments first (each workspace's chain from seq 1 to its retention
 * point), then the live rows.
 */
export async function walkJournal(
  port: Pick<StoragePort, 'read'>,
  listed: ListedCheckpoints,
  archiveDir: string,
  onProgress?: (checked: number, total: number) => void,
): Promise<Pick<DatabaseVerifyReport, 'journal' | 'checkpoints' | 'blobRows'>> {
  const walked = await port.read(async (q) => ({
    journal: await verifyJournal(q, { archiveDir, ...(onProgress ? { onProgress: await progressOf(q, onProgress) } : {}) }),
    checkpoints:
      'checkpoints' in listed
        ? ({
            checked: true,
            signingKeyId: listed.keyId,
            signingPublicKey: listed.publicKey,
            ...(await verifyCheckpoints(q, listed.checkpoints, { archiveDir })),
          } satisfies CheckpointVerification)
        : listed,
  }));
  return { ...walked, blobRows: await readBlobRows(port) };
}

/**
 * The artifact blob rows, read after the walk in a read of their own: a schema from before the
 * artifact tables has none (the failed statement cannot abort the walk's snapshot).
 */
async function readBlobRows(port: Pick<StoragePort, 'read'>): Promise<BlobRowRef[] | null> {
  try {
    const rows = await port.read((q) => q.all<{ workspace_id: string; sha256: string; size_bytes: number | string }>('SELECT workspace_id, sha256, size_bytes FROM artifact_blob ORDER BY workspace_id, sha256', []));
    return rows.map((r) => ({ workspace_id: r.workspace_id, sha256: r.sha256, size_bytes: Number(r.size_bytes) }));
  } catch {
    return null;
  }
}
