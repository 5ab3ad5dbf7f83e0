import type { MasterKey } from '../crypto/master-key.js';
import { keystoreHealth, type KeystoreHealthReport } from '../health/keystore-health.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { EncryptedKeystore } from '../store/encrypted-keystore.js';
import type { KeystoreStorage } from '../store/keystore-storage.js';

export type { RotateMasterKeyOptions } from '../store/encrypted-keystore.js';

export interface SqliteKeystoreParts {
  home: string;
  path: string;
  /** keystore.db's (`createSqliteStorage`). */
  storage: KeystoreStorage;
  source: MasterKeySource;
  key: MasterKey;
  now: () => Date;
}

/**
 * The keystore on `<home>/keystore.db` (see `createSqliteStorage` for how it reads and
 * writes). Everything else, from sealing to rotation, is `EncryptedKeystore`'s, shared with
 * `PostgresKeystore`. Open with `openSqliteKeystore`.
 */
export class SqliteKeystore extends EncryptedKeystore {
  readonly home: string;
  readonly path: string;

  constructor(parts: SqliteKeystoreParts) {
    super({ storage: parts.storage, source: parts.source, key: parts.key, now: parts.now, where: 'keystore.db' });
    this.home = parts.home;
    this.path = parts.path;
  }

  /** Permissions of the home, keystore.db and the key files (see `keystoreHealth`), with the key id in use. */
  health(): KeystoreHealthReport & { keyId: string } {
    return { ...keystoreHealth(this.home, this.keySource), keyId: this.keyId };
  }
}
