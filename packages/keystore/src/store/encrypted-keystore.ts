import { CairnError, assertSecretAddress } from '@cairn/protocol';
import { createCheckpointSigner } from '../checkpoint/checkpoint-signer.js';
import { createJournalCheckpointLog, type JournalCheckpointLog } from '../checkpoint/journal-checkpoint-log.js';
import { MasterKey } from '../crypto/master-key.js';
import { openSecret, sealSecret } from '../crypto/seal-secret.js';
import { ChangeNotifier } from '../entry/change-notifier.js';
import { nextSecretInfo } from '../entry/secret-info.js';
import { assertServiceFilter, assertSetArguments } from '../entry/validate-entry.js';
import { closedKeystoreError, wrapKeystoreError } from '../errors/keystore-errors.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import type { Keystore, KeystoreListener, SecretInfo, SetIfAbsentResult, SetSecretOptions } from '../keystore.js';
import { readKeystoreMeta } from './keystore-meta.js';
import type { KeystoreStatements, KeystoreStorage } from './keystore-storage.js';
import { reconcileMasterKey } from './reconcile-master-key.js';
import { stageAndReencrypt, type RotationResult } from './rotate-master-key.js';
import { deleteSecret, listSecretInfo, secretExists, selectSealedRow, selectSecretInfo, toSealed, upsertSecret } from './secret-rows.js';

export interface EncryptedKeystoreParts {
  storage: KeystoreStorage;
  source: MasterKeySource;
  /** The key `reconcileMasterKey` settled on at open. */
  key: MasterKey;
  now: () => Date;
  /** Names the store in messages: `keystore.db`, `PostgreSQL schema cairn_keystore`. */
  where: string;
}

export interface RotateMasterKeyOptions {
  /** The new key. Required when the key comes from `CAIRN_MASTER_KEY`; generated otherwise. */
  newKey?: MasterKey;
}

/** Thrown inside a write whose key is no longer the one `keystore_meta` names: reload the key and run it again. */
class KeyMovedError extends CairnError {
  constructor(keyId: string | undefined) {
    super('busy', `the master key changed to ${keyId ?? '(none)'} during the write; retry`);
  }
}

/** Attempts of a write whose key another process rotated meanwhile (each after reloading the key). */
const KEY_MOVED_ATTEMPTS = 3;

/**
 * The `Keystore` contract over a `KeystoreStorage`, once for SQLite and PostgreSQL: address,
 * value and option validation, AES-256-GCM sealing under the master key (AAD binding service,
 * id and key id), change notification after commit, the key lock protocol for master-key
 * rotation and for following another process's rotation, and the journal checkpoint log.
 *
 * Every write reads `keystore_meta`'s key id inside its own transaction and refuses to seal
 * under a key the database no longer names, so a write racing another process's rotation
 * either commits before it (and is re-encrypted by it) or runs again under the new key.
 */
export abstract class EncryptedKeystore implements Keystore {
  readonly #storage: KeystoreStorage;
  readonly #source: MasterKeySource;
  readonly #now: () => Date;
  readonly #where: string;
  readonly #notifier = new ChangeNotifier();
  #key: MasterKey;
  #closed = false;
  #checkpoints: Promise<JournalCheckpointLog> | undefined;

  protected constructor(parts: EncryptedKeystoreParts) {
    this.#storage = parts.storage;
    this.#source = parts.source;
    this.#key = parts.key;
    this.#now = parts.now;
    this.#where = parts.where;
  }

  /** The fingerprint of the master key in use (never the key). */
  get keyId(): string {
    return this.#key.id;
  }

  protected get keySource(): MasterKeySource {
    return this.#source;
  }

  async set(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SecretInfo> {
    this.#assertOpen();
    assertSetArguments(service, id, value, options);
    const info = await this.#writeUnderKey('set secret', async (tx, key) => {
      const next = nextSecretInfo(await selectSecretInfo(tx, service, id), service, id, options, this.#now());
      await upsertSecret(tx, next, sealSecret(key, service, id, value));
      return next;
    });
    this.#notifier.emit({ type: 'set', info, value });
    return info;
  }

  /** One transaction: the entry's value if there is one, else the caller's, stored (SERIALIZABLE on PostgreSQL: of two racing creators one retries and finds the other's). */
  async setIfAbsent(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SetIfAbsentResult> {
    this.#assertOpen();
    assertSetArguments(service, id, value, options);
    const result = await this.#writeUnderKey('set secret', async (tx, key): Promise<SetIfAbsentResult> => {
      const existing = await selectSecretInfo(tx, service, id);
      const row = existing && (await selectSealedRow(tx, service, id));
      if (existing && row) return { value: openSecret(key, service, id, toSealed(row)), info: existing, created: false };
      const info = nextSecretInfo(undefined, service, id, options, this.#now());
      await upsertSecret(tx, info, sealSecret(key, service, id, value));
      return { value, info, created: true };
    });
    if (result.created) this.#notifier.emit({ type: 'set', info: result.info, value });
    return result;
  }

  async get(service: string, id: string): Promise<string | undefined> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    const row = await this.#read('read secret', (q) => selectSealedRow(q, service, id));
    if (!row) return undefined;
    // Another process rotated the master key since we loaded ours: settle and pick up the new one.
    if (row.key_id !== this.#key.id) await this.#reloadKey();
    return openSecret(this.#key, service, id, toSealed(row));
  }

  async delete(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    const deleted = await this.#write('delete secret', (tx) => deleteSecret(tx, service, id));
    if (deleted) this.#notifier.emit({ type: 'delete', service, id });
    return deleted;
  }

  async list(filter?: { service?: string }): Promise<SecretInfo[]> {
    this.#assertOpen();
    assertServiceFilter(filter);
    return this.#read('list secrets', (q) => listSecretInfo(q, filter?.service));
  }

  async exists(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    return this.#read('read secret', (q) => secretExists(q, service, id));
  }

  subscribe(listener: KeystoreListener): () => void {
    return this.#notifier.subscribe(listener);
  }

  /**
   * Re-encrypts every entry under a new master key in one transaction, then makes the new key
   * current in the key source. Crash-safe at every instant (README, "Rotation protocol"). An
   * entry that fails authentication aborts the rotation with `decryption_failed`; nothing
   * changes. Two processes rotating at once take turns on the key lock: the second re-reads
   * the key the first left (a file source follows it) and rotates from there, or is refused
   * with `master_key_invalid` when its source does not hold that key (`CAIRN_MASTER_KEY`).
   */
  async rotateMasterKey(options: RotateMasterKeyOptions = {}): Promise<RotationResult> {
    this.#assertOpen();
    if (!options.newKey && !this.#source.canGenerate) {
      throw new CairnError('invalid_params', `the master key comes from ${this.#source.description}: pass the new key explicitly, then update it there`);
    }
    const next = options.newKey ?? MasterKey.generate();
    let result: RotationResult;
    try {
      result = await this.#guard('rotate master key', () =>
        this.#storage.withKeyLock(async (scope) => {
          const previous = await reconcileMasterKey(scope, this.#source, this.#now(), this.#where);
          this.#key = previous;
          return stageAndReencrypt(scope, this.#source, previous, next, this.#now());
        }),
      );
    } catch (error) {
      // Whatever happened to the transaction, the database decides: the staged key is discarded
      // if it does not name it (and kept, promoted, if a COMMIT of unknown outcome did land).
      await this.#reloadKey().catch(() => undefined);
      throw error;
    }
    // Promotion runs under the key lock too; if we die before it, the next open promotes.
    await this.#reloadKey();
    return result;
  }

  /**
   * The signed checkpoints of gateway.db's journal, kept in this keystore (table
   * `keystore_journal_checkpoint`), signed with the entry `cairn/journal-signing-key` (an
   * Ed25519 key, created on first use unless `createKey: false`). See "Journal checkpoints"
   * in the README.
   */
  journalCheckpoints(options: { createKey?: boolean } = {}): Promise<JournalCheckpointLog> {
    this.#assertOpen();
    if (options.createKey === false && !this.#checkpoints) return this.#readOnlyCheckpoints();
    this.#checkpoints ??= createCheckpointSigner(this).then(
      (signer) => createJournalCheckpointLog(this.#checkpointStorage(), signer),
      (error: unknown) => {
        this.#checkpoints = undefined;
        throw error;
      },
    );
    return this.#checkpoints;
  }

  /** For a caller that must not write (`cairn verify`): no signing key is created; without one, every record is `unknown_key`. */
  async #readOnlyCheckpoints(): Promise<JournalCheckpointLog> {
    const signer = await createCheckpointSigner(this, { create: false });
    return createJournalCheckpointLog(this.#checkpointStorage(), signer);
  }

  #checkpointStorage() {
    return {
      write: <T>(work: (tx: KeystoreStatements) => Promise<T>) => this.#write('record journal checkpoint', work),
      read: <T>(fn: (q: KeystoreStatements) => Promise<T>) => this.#read('read journal checkpoints', fn),
      now: this.#now,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#notifier.clear();
    await this.#storage.close();
  }

  /**
   * A write sealed under the current key: the work runs with the key `keystore_meta` names in
   * the same transaction. If another process rotated since we loaded ours, the key is reloaded
   * under the key lock (outside any write) and the write runs again.
   */
  async #writeUnderKey<T>(context: string, work: (tx: KeystoreStatements, key: MasterKey) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const key = this.#key;
      try {
        return await this.#storage.write(async (tx) => {
          const keyId = (await readKeystoreMeta(tx))?.keyId;
          if (keyId !== key.id) throw new KeyMovedError(keyId);
          return work(tx, key);
        });
      } catch (error) {
        if (!(error instanceof KeyMovedError) || attempt >= KEY_MOVED_ATTEMPTS) throw wrapKeystoreError(error, context);
      }
      await this.#reloadKey();
    }
  }

  async #reloadKey(): Promise<void> {
    this.#key = await this.#guard('reload master key', () =>
      this.#storage.withKeyLock((scope) => reconcileMasterKey(scope, this.#source, this.#now(), this.#where)),
    );
  }

  #write<T>(context: string, work: (tx: KeystoreStatements) => Promise<T>): Promise<T> {
    return this.#guard(context, () => this.#storage.write(work));
  }

  #read<T>(context: string, fn: (q: KeystoreStatements) => Promise<T>): Promise<T> {
    return this.#guard(context, () => this.#storage.read(fn));
  }

  async #guard<T>(context: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrapKeystoreError(error, context);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw closedKeystoreError();
  }
}
