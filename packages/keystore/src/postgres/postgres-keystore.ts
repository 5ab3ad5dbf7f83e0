import { checkPostgresHealth, type PostgresHealth } from '@cairn/postgres';
import type { DataSource } from 'typeorm';
import type { MasterKey } from '../crypto/master-key.js';
import { filesOk, keyFileHealth, type KeystoreFileHealth } from '../health/keystore-health.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { EncryptedKeystore } from '../store/encrypted-keystore.js';
import type { KeystoreStorage } from '../store/keystore-storage.js';

export interface PostgresKeystoreParts {
  schema: string;
  dataSource: DataSource;
  /** The schema's (`createPostgresStorage`). */
  storage: KeystoreStorage;
  source: MasterKeySource;
  key: MasterKey;
  now: () => Date;
  where: string;
}

/** What `PostgresKeystore.health()` reports: the server as this keystore's pool sees it, the key in use, and the key files. */
export interface PostgresKeystoreHealth {
  /** The server answered, accepts writes, and every required key file exists with its mode. */
  ok: boolean;
  schema: string;
  keyId: string;
  keySource: MasterKeySource['kind'];
  database: PostgresHealth;
  /** The key files of a file source (`keystore.key`, `keystore.key.next`); none for `CAIRN_MASTER_KEY`. */
  files: KeystoreFileHealth[];
}

/**
 * The keystore in a PostgreSQL schema of its own (default `cairn_keystore`), the same
 * contract as `SqliteKeystore`: `EncryptedKeystore` over `createPostgresStorage`. Several
 * processes may open one schema at once: every read goes to the database, writes are
 * SERIALIZABLE transactions, and key changes take the schema's key lock. Open with
 * `openPostgresKeystore`.
 */
export class PostgresKeystore extends EncryptedKeystore {
  readonly schema: string;
  readonly #dataSource: DataSource;

  constructor(parts: PostgresKeystoreParts) {
    super({ storage: parts.storage, source: parts.source, key: parts.key, now: parts.now, where: parts.where });
    this.schema = parts.schema;
    this.#dataSource = parts.dataSource;
  }

  async health(): Promise<PostgresKeystoreHealth> {
    const database = await checkPostgresHealth(this.#dataSource);
    const files = keyFileHealth(this.keySource);
    return {
      ok: database.ok && database.writable && filesOk(files),
      schema: this.schema,
      keyId: this.keyId,
      keySource: this.keySource.kind,
      database,
      files,
    };
  }
}
