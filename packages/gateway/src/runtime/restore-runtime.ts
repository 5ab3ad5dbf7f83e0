import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CairnError } from '@cairn/protocol';
import { assertSchemaCompatible, gatewayMigrations, keystoreMigrations } from '@cairn/migration';
import { GENESIS_HASH, createSqliteReadPort, effectiveCheckpoints, readChainHeads, readChainLink, verifyJournal, type ChainHead, type ReadContext } from '@cairn/crud';
import { keystoreFileKeyId, masterKeySourceFor, openSqliteKeystore } from '@cairn/keystore';
import { holdDatabaseExclusively, openBackupDatabase, removeLeftoverTempFiles, restoreDatabase } from '@cairn/sqlite';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { refuseOnPostgres } from '../postgres/postgres-target.js';

export interface RestoreRuntimeOptions extends RuntimeOptions {
  /** A `gateway-<stamp>.db` in `<home>/backups/` (name or path); default the newest one. */
  backup?: string;
  /** Also restore keystore.db from this `keystore-<stamp>.db` of `<home>/backups/` (it must be under the current master key). */
  keystoreBackup?: string;
}

export interface RestoreReport {
  home: string;
  /** The backup files restored from. */
  gateway: string;
  keystore: string | null;
  /** The chain walk of the backup before it was restored. */
  journal: { checked: number; lastPosition: number };
  /** The signed restore marker recorded in keystore.db. */
  marker: { recordedAt: string; workspaces: number; supersededWorkspaces: string[] };
}

/**
 * `cairn restore`: puts gateway.db (and, when asked, keystore.db) back from a backup in
 * `<home>/backups/`, refusing while any process has the home's databases open. The backup is
 * checked first (integrity, a schema this build can open, an unbroken journal, and every
 * checkpoint in force at or below its heads must be in it: a backup from a branch an earlier
 * restore abandoned, or an altered one, is refused). Then a signed restore marker, the backup's
 * chain heads, is recorded in keystore.db (durable) BEFORE the file is swapped: the marker
 * supersedes the checkpoints newer than the backup, so `verify` sees a legitimate restore, not
 * a truncation. A crash before the swap leaves the old file (the marker only loosens the
 * anchor down to the backup's heads, which the old file also holds); rerunning completes it.
 */
export async function restoreRuntime(options: RestoreRuntimeOptions = {}): Promise<RestoreReport> {
  const { paths, backend } = resolveRuntime(options);
  if (backend.kind === 'postgres') refuseOnPostgres(backend, 'restore');
  const gatewayBackup = pickBackup(paths.backupsDir, 'gateway', options.backup);
  const keystoreBackup = options.keystoreBackup === undefined ? undefined : pickBackup(paths.backupsDir, 'keystore', options.keystoreBackup);
  const { heads, journal } = await inspectGatewayBackup(gatewayBackup);
  removeLeftoverTempFiles(paths.home);

  // A running gateway keeps keystore.db open too: refuse before anything is touched.
  if (existsSync(paths.keystoreDb)) holdDatabaseExclusively(paths.keystoreDb).release();
  if (existsSync(paths.gatewayDb)) holdDatabaseExclusively(paths.gatewayDb).release();

  if (keystoreBackup) {
    const wanted = await keystoreFileKeyId(keystoreBackup);
    const current = masterKeySourceFor(paths.home).read().current?.id;
    if (wanted !== current) {
      throw new CairnError('invalid_params', `${basename(keystoreBackup)} is under master key ${wanted}, the home's key is ${current ?? 'missing'}: it cannot be opened`, {
        details: { backup: keystoreBackup, backupKeyId: wanted, currentKeyId: current ?? null },
      });
    }
    await checkSchema(keystoreBackup, 'keystore');
    await restoreDatabase(keystoreBackup, paths.keystoreDb);
  }

  const keystore = await openSqliteKeystore({ home: paths.home });
  try {
    const log = await keystore.journalCheckpoints();
    const { workspaces } = effectiveCheckpoints(await log.list());
    const backupDs = await openBackupDatabase(gatewayBackup);
    let marker: ChainHead[];
    try {
      marker = await createSqliteReadPort(backupDs).read((q) => markerHeads(q, heads, workspaces, basename(gatewayBackup)));
    } finally {
      await backupDs.destroy();
    }
    const supersededWorkspaces = marker.filter((h) => (workspaces.get(h.workspaceId)?.inForce.at(-1)?.workspaceSeq ?? 0) > h.workspaceSeq).map((h) => h.workspaceId);
    let recordedAt = '';
    await restoreDatabase(gatewayBackup, paths.gatewayDb, {
      beforeCommit: async () => {
        const recorded = await log.record(marker, 'restore', { restoredFrom: basename(gatewayBackup) });
        recordedAt = recorded[0]?.recordedAt ?? new Date().toISOString();
      },
    });
    return {
      home: paths.home,
      gateway: gatewayBackup,
      keystore: keystoreBackup ?? null,
      journal,
      marker: { recordedAt, workspaces: marker.length, supersededWorkspaces },
    };
  } finally {
    await keystore.close();
  }
}

/**
 * The marker's heads: the backup's, plus a seq-0 head for every workspace a checkpoint knows but
 * the backup does not hold. Refuses a backup that lacks a checkpoint in force at or below its head.
 */
async function markerHeads(
  backup: ReadContext,
  heads: readonly ChainHead[],
  workspaces: ReturnType<typeof effectiveCheckpoints>['workspaces'],
  name: string,
): Promise<ChainHead[]> {
  const byWorkspace = new Map(heads.map((h) => [h.workspaceId, h]));
  for (const { workspaceId, inForce } of workspaces.values()) {
    const head = byWorkspace.get(workspaceId)?.workspaceSeq ?? 0;
    for (const checkpoint of inForce) {
      if (checkpoint.workspaceSeq === 0 || checkpoint.workspaceSeq > head) continue;
      if ((await readChainLink(backup, workspaceId, checkpoint.workspaceSeq))?.hash !== checkpoint.hash) {
        throw new CairnError(
          'invalid_params',
          `${name} does not hold checkpoint #${checkpoint.checkpointId} of workspace ${workspaceId} (seq ${checkpoint.workspaceSeq}): it is not a copy of this journal as checkpointed (taken on a branch an earlier restore abandoned, or altered); refusing`,
          { details: { backup: name, workspaceId, checkpointId: checkpoint.checkpointId } },
        );
      }
    }
  }
  const missing = [...workspaces.keys()].filter((id) => !byWorkspace.has(id) && (workspaces.get(id)!.inForce.at(-1)?.workspaceSeq ?? 0) > 0);
  return [...heads, ...missing.map((workspaceId) => ({ workspaceId, workspaceSeq: 0, position: 0, hash: GENESIS_HASH }))];
}

/** Integrity, a schema this build can open, an unbroken journal; its heads. */
async function inspectGatewayBackup(path: string): Promise<{ heads: ChainHead[]; journal: { checked: number; lastPosition: number } }> {
  await checkSchema(path, 'gateway');
  const ds = await openBackupDatabase(path);
  try {
    // One snapshot for the walk and the heads it vouches for.
    const { journal, heads } = await createSqliteReadPort(ds).read(async (q) => ({ journal: await verifyJournal(q), heads: await readChainHeads(q) }));
    if (!journal.ok) {
      throw new CairnError('integrity_failed', `${basename(path)}: its journal is broken at position ${journal.position} (${journal.reason}): ${journal.detail}; refusing to restore it`, {
        details: { backup: path, position: journal.position, reason: journal.reason },
      });
    }
    return { heads, journal: { checked: journal.checked, lastPosition: journal.lastPosition } };
  } finally {
    await ds.destroy();
  }
}

async function checkSchema(path: string, which: 'gateway' | 'keystore'): Promise<void> {
  const ds = await openBackupDatabase(path);
  try {
    await assertSchemaCompatible(ds, which === 'gateway' ? gatewayMigrations : keystoreMigrations);
  } finally {
    await ds.destroy();
  }
}

/** A backup of `<home>/backups/` by name or path (nothing outside it), or the newest of its kind. */
function pickBackup(dir: string, kind: 'gateway' | 'keystore', wanted: string | undefined): string {
  const pattern = new RegExp(`^${kind}-\\d{8}T\\d{6}(?:\\.\\d{3})?Z\\.db$`);
  if (wanted === undefined) {
    const names = existsSync(dir) ? readdirSync(dir).filter((n) => pattern.test(n)).sort() : [];
    if (names.length === 0) throw new CairnError('invalid_params', `no ${kind} backup in ${dir} (run cairn backup first)`, { details: { dir } });
    return join(dir, names[names.length - 1]!);
  }
  const path = isAbsolute(wanted) || wanted.includes('/') ? resolve(wanted) : join(dir, wanted);
  const inside = relative(resolve(dir), dirname(path)) === '';
  if (!inside || !pattern.test(basename(path))) {
    throw new CairnError('invalid_params', `${wanted} is not a ${kind}-<timestamp>.db in ${dir}`, { details: { backup: wanted, dir } });
  }
  if (!existsSync(path)) throw new CairnError('invalid_params', `no backup ${basename(path)} in ${dir}`, { details: { backup: path } });
  return path;
}
