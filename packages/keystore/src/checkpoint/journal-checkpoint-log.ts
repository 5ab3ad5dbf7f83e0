import { CairnError } from '@cairn/protocol';
import { checkpointMessage, type JournalCheckpoint, type JournalCheckpointKind, type JournalHead } from './checkpoint-record.js';
import type { KeystoreStatements } from '../store/keystore-storage.js';
import type { CheckpointSigner } from './checkpoint-signer.js';

/** Checkpoints kept per workspace (the newest ones); older rows are deleted as new ones arrive. */
export const CHECKPOINTS_KEPT_PER_WORKSPACE = 16;

const KINDS: ReadonlySet<string> = new Set<JournalCheckpointKind>(['startup', 'interval', 'shutdown', 'restore']);
const COLUMNS = 'checkpoint_id, kind, recorded_at, workspace_id, workspace_seq, position, hash, restored_from, key_id, signature';

interface Row {
  checkpoint_id: number;
  kind: JournalCheckpointKind;
  recorded_at: string;
  workspace_id: string;
  workspace_seq: number;
  position: number;
  hash: string;
  restored_from: string | null;
  key_id: string;
  signature: string;
}

/**
 * The journal's checkpoints in the keystore (keystore.db, or its PostgreSQL schema), signed with the journal signing key. This is the
 * `CheckpointStore` crud's checkpointer and verifier take (the gateway wires it): crud never
 * sees the key, and gateway.db never holds a checkpoint.
 */
export interface JournalCheckpointLog {
  /** Which key signs (see `CheckpointSigner.keyId`); '' when the keystore holds none. */
  readonly keyId: string;
  /** The Ed25519 public key (SPKI DER, base64), for checking a copy of the records elsewhere. */
  readonly publicKey: string;
  /** Signs and stores one record per head, in one durable transaction (keystore.db runs synchronous=FULL; PostgreSQL commits are durable). */
  record(heads: readonly JournalHead[], kind: JournalCheckpointKind, options?: { restoredFrom?: string }): Promise<JournalCheckpoint[]>;
  /**
   * Every record kept, oldest first, each with its signature checked. `newestPerWorkspace`:
   * only each workspace's newest record whose signature verifies (what a checkpointer resumes from).
   */
  list(options?: { newestPerWorkspace?: boolean }): Promise<JournalCheckpoint[]>;
}

/**
 * Where the records live: the table `keystore_journal_checkpoint` reached through `?`-placeholder
 * statements. `write`'s work may run more than once (a retried transaction): database work only.
 */
export interface CheckpointStorage {
  write<T>(work: (tx: KeystoreStatements) => Promise<T>): Promise<T>;
  read<T>(fn: (q: KeystoreStatements) => Promise<T>): Promise<T>;
  now: () => Date;
}

/**
 * The log over `storage`. Without a signer (the keystore holds no signing key yet and the
 * caller may not create one) it only reads: every record is `unknown_key`, `record` refuses.
 */
export function createJournalCheckpointLog(storage: CheckpointStorage, signer: CheckpointSigner | undefined): JournalCheckpointLog {
  const check = (row: Row): JournalCheckpoint => {
    const checkpoint = toCheckpoint(row);
    if (!signer || row.key_id !== signer.keyId) return { ...checkpoint, signature: 'unknown_key' };
    return { ...checkpoint, signature: signer.verify(checkpointMessage(checkpoint), row.signature) ? 'valid' : 'invalid' };
  };
  return {
    keyId: signer?.keyId ?? '',
    publicKey: signer?.publicKey ?? '',
    async record(heads, kind, options = {}) {
      if (!signer) throw new CairnError('storage_failed', 'no journal signing key in this keystore: cannot record a checkpoint');
      if (!KINDS.has(kind)) throw new CairnError('invalid_params', `unknown checkpoint kind ${String(kind)}`);
      heads.forEach(assertHead);
      const recordedAt = storage.now().toISOString();
      return storage.write(async (tx) => {
        // max + 1 inside the transaction: on PostgreSQL a concurrent recorder that read the same
        // max is a serialization failure (SERIALIZABLE), retried, never a duplicate id.
        let id = Number((await tx.get<{ id: number }>('SELECT coalesce(max(checkpoint_id), 0) AS id FROM keystore_journal_checkpoint'))!.id);
        const recorded: JournalCheckpoint[] = [];
        for (const head of heads) {
          const unsigned = { ...head, checkpointId: ++id, kind, recordedAt, restoredFrom: options.restoredFrom ?? null };
          await tx.run(`INSERT INTO keystore_journal_checkpoint (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
            id, kind, recordedAt, head.workspaceId, head.workspaceSeq, head.position, head.hash, unsigned.restoredFrom, signer.keyId,
            signer.sign(checkpointMessage(unsigned)),
          ]);
          recorded.push({ ...unsigned, signature: 'valid' });
        }
        for (const workspaceId of new Set(heads.map((h) => h.workspaceId))) await prune(tx, workspaceId);
        return recorded;
      });
    },
    async list(options = {}) {
      const rows = await storage.read((q) => q.all<Row>(`SELECT ${COLUMNS} FROM keystore_journal_checkpoint ORDER BY checkpoint_id`));
      if (!options.newestPerWorkspace) return rows.map(check);
      const newest = new Map<string, JournalCheckpoint>();
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i]!;
        if (newest.has(row.workspace_id)) continue;
        const checked = check(row);
        if (checked.signature === 'valid') newest.set(row.workspace_id, checked);
      }
      return [...newest.values()].sort((a, b) => a.checkpointId - b.checkpointId);
    },
  };
}

async function prune(tx: KeystoreStatements, workspaceId: string): Promise<void> {
  await tx.run(
    `DELETE FROM keystore_journal_checkpoint WHERE workspace_id = ? AND checkpoint_id < (
       SELECT checkpoint_id FROM keystore_journal_checkpoint WHERE workspace_id = ? ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?)`,
    [workspaceId, workspaceId, CHECKPOINTS_KEPT_PER_WORKSPACE - 1],
  );
}

function toCheckpoint(row: Row): Omit<JournalCheckpoint, 'signature'> {
  return {
    checkpointId: row.checkpoint_id,
    kind: row.kind,
    recordedAt: row.recorded_at,
    workspaceId: row.workspace_id,
    workspaceSeq: row.workspace_seq,
    position: row.position,
    hash: row.hash,
    restoredFrom: row.restored_from,
  };
}

function assertHead(head: JournalHead): void {
  const ok =
    typeof head.workspaceId === 'string' &&
    head.workspaceId !== '' &&
    Number.isSafeInteger(head.workspaceSeq) &&
    head.workspaceSeq >= 0 &&
    Number.isSafeInteger(head.position) &&
    head.position >= 0 &&
    typeof head.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(head.hash);
  if (!ok) throw new CairnError('invalid_params', 'a checkpoint head needs a workspace id, a seq and position >= 0 and a 64-digit hex hash');
}
