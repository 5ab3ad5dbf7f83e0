import { CairnError, assertSecretAddress } from '@cairn/protocol';
import { createStatements, nativeHandle, type SqliteStatements, type SqliteWriteCoordinator, type WriteContext } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { createCheckpointSigner } from '../checkpoint/checkpoint-signer.js';
import { createJournalCheckpointLog, type JournalCheckpointLog } from '../checkpoint/journal-checkpoint-log.js';
import { MasterKey } from '../crypto/master-key.js';
import { openSecret, sealSecret } from '../crypto/seal-secret.js';
import { ChangeNotifier } from '../entry/change-notifier.js';
import { nextSecretInfo } from '../entry/secret-info.js';
import { assertSecretValue, assertServiceFilter, assertSetOptions } from '../entry/validate-entry.js';
import { closedKeystoreError, wrapKeystoreError } from '../errors/keystore-errors.js';
import { keystoreHealth, type KeystoreHealthReport } from '../health/keystore-health.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import type { Keystore, KeystoreListener, SecretInfo, SetSecretOptions } from '../keystore.js';
import { readKeystoreMeta } from './keystore-meta.js';
import { reconcileMasterKey } from './reconcile-master-key.js';
import { rotateInTransaction, type RotationResult } from './rotate-in-transaction.js';
import { deleteSecret, listSecretInfo, secretExists, selectSealedRow, selectSecretInfo, toSealed, upsertSecret } from './secret-rows.js';

export interface SqliteKeystoreParts {
  home: string;
  path: string;
  writer: DataSource;
  reader: DataSource;
  coordinator: SqliteWriteCoordinator;
  source: MasterKeySource;
  key: MasterKey;
  now: () => Date;
}

export interface RotateMasterKeyOptions {
  /** The new key. Required when the key comes from `CAIRN_MASTER_KEY`; generated otherwise. */
  newKey?: MasterKey;
}

/**
 * The keystore on `<home>/keystore.db`. Writes go through the `SqliteWriteCoordinator` (one
 * `BEGIN IMMEDIATE` transaction each); reads use a second, read-only connection, so they never
 * see a write transaction's uncommitted rows and never wait for one. Open with
 * `openSqliteKeystore`.
 */
export class SqliteKeystore implements Keystore {
  readonly home: string;
  readonly path: string;
  readonly #writer: DataSource;
  readonly #reader: DataSource;
  readonly #read: SqliteStatements;
  readonly #coordinator: SqliteWriteCoordinator;
  readonly #source: MasterKeySource;
  readonly #now: () => Date;
  readonly #notifier = new ChangeNotifier();
  #key: MasterKey;
  #closed = false;
  #checkpoints: Promise<JournalCheckpointLog> | undefined;

  constructor(parts: SqliteKeystoreParts) {
    this.home = parts.home;
    this.path = parts.path;
    this.#writer = parts.writer;
    this.#reader = parts.reader;
    this.#read = createStatements(nativeHandle(parts.reader));
    this.#coordinator = parts.coordinator;
    this.#source = parts.source;
    this.#key = parts.key;
    this.#now = parts.now;
  }

  /** The fingerprint of the master key in use (never the key). */
  get keyId(): string {
    return this.#key.id;
  }

  async set(service: string, id: string, value: string, options?: SetSecretOptions): Promise<SecretInfo> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    assertSecretValue(value);
    assertSetOptions(options);
    const info = await this.#write('set secret', (ctx) => {
      const key = this.#currentKey(ctx);
      const next = nextSecretInfo(selectSecretInfo(ctx, service, id), service, id, options, this.#now());
      upsertSecret(ctx, next, sealSecret(key, service, id, value));
      return next;
    });
    this.#notifier.emit({ type: 'set', info, value });
    return info;
  }

  async get(service: string, id: string): Promise<string | undefined> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    const row = this.#guardRead('read secret', () => selectSealedRow(this.#read, service, id));
    if (!row) return undefined;
    // Another process rotated the master key since we loaded ours: settle and pick up the new one.
    if (row.key_id !== this.#key.id) await this.#reloadKey();
    return openSecret(this.#key, service, id, toSealed(row));
  }

  async delete(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    const deleted = await this.#write('delete secret', (ctx) => deleteSecret(ctx, service, id));
    if (deleted) this.#notifier.emit({ type: 'delete', service, id });
    return deleted;
  }

  async list(filter?: { service?: string }): Promise<SecretInfo[]> {
    this.#assertOpen();
    assertServiceFilter(filter);
    return this.#guardRead('list secrets', () => listSecretInfo(this.#read, filter?.service));
  }

  async exists(service: string, id: string): Promise<boolean> {
    this.#assertOpen();
    assertSecretAddress(service, id);
    return this.#guardRead('read secret', () => secretExists(this.#read, service, id));
  }

  subscribe(listener: KeystoreListener): () => void {
    return this.#notifier.subscribe(listener);
  }

  /**
   * Re-encrypts every entry under a new master key in one transaction, then makes the new key
   * current in the key source. Crash-safe at every instant (README, "Rotation protocol"). An
   * entry that fails authentication aborts the rotation with `decryption_failed`; nothing changes.
   */
  async rotateMasterKey(options: RotateMasterKeyOptions = {}): Promise<RotationResult> {
    this.#assertOpen();
    if (!options.newKey && !this.#source.canGenerate) {
      throw new CairnError('invalid_params', `the master key comes from ${this.#source.description}: pass the new key explicitly, then update it there`);
    }
    const next = options.newKey ?? MasterKey.generate();
    const result = await this.#write('rotate master key', (ctx) => rotateInTransaction(ctx, this.#source, this.#currentKey(ctx), next, this.#now()));
    // Promotion runs under the write lock too; if we die before it, the next open promotes.
    this.#key = await this.#write('promote master key', (ctx) => reconcileMasterKey(ctx, this.#source, this.#now()));
    return result;
  }

  /**
   * The signed checkpoints of gateway.db's journal, kept in this file (table
   * `keystore_journal_checkpoint`), signed with the entry `cairn/journal-signing-key` (an
   * Ed25519 key, created on first use unless `createKey: false`). See "Journal checkpoints"
   * in the README.
   */
  journalCheckpoints(options: { createKey?: boolean } = {}): Promise<JournalCheckpointLog> {
    this.#assertOpen();
    if (options.createKey === false && !this.#checkpoints) return this.#readOnlyCheckpoints();
    this.#checkpoints ??= createCheckpointSigner(this).then(
      (signer) => createJournalCheckpointLog({ write: (work) => this.#write('record journal checkpoint', work), read: this.#read, now: this.#now }, signer),
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
    return createJournalCheckpointLog({ write: (work) => this.#write('record journal checkpoint', work), read: this.#read, now: this.#now }, signer);
  }

  health(): KeystoreHealthReport & { keyId: string } {
    return { ...keystoreHealth(this.home, this.#source), keyId: this.#key.id };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#notifier.clear();
    await this.#coordinator.close();
    if (this.#reader.isInitialized) await this.#reader.destroy();
    if (this.#writer.isInitialized) await this.#writer.destroy();
  }

  /** The key matching the committed `keystore_meta`; re-reads the source when another process rotated. */
  #currentKey(ctx: WriteContext): MasterKey {
    if (readKeystoreMeta(ctx)?.keyId !== this.#key.id) this.#key = reconcileMasterKey(ctx, this.#source, this.#now());
    return this.#key;
  }

  async #reloadKey(): Promise<void> {
    this.#key = await this.#write('reload master key', (ctx) => reconcileMasterKey(ctx, this.#source, this.#now()));
  }

  async #write<T>(context: string, work: (ctx: WriteContext) => T): Promise<T> {
    try {
      return await this.#coordinator.write(work);
    } catch (error) {
      throw wrapKeystoreError(error, context);
    }
  }

  #guardRead<T>(context: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw wrapKeystoreError(error, context);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw closedKeystoreError();
  }
}
