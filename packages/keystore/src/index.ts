export type { Keystore, KeystoreChange, KeystoreListener, SecretInfo, SetIfAbsentResult, SetSecretOptions } from './keystore.js';
export { MemoryKeystore, type MemoryKeystoreOptions } from './memory/memory-keystore.js';
// A type only: `openSqliteKeystore` is the way to get one (it checks the file, the key and the schema first).
export type { RotateMasterKeyOptions, SqliteKeystore } from './sqlite/sqlite-keystore.js';
export { openSqliteKeystore, type OpenSqliteKeystoreOptions } from './sqlite/open-sqlite-keystore.js';
export type { RotationResult } from './store/rotate-master-key.js';
export { MASTER_KEY_BYTES, MasterKey } from './crypto/master-key.js';
export type { KeyCandidates, MasterKeySource } from './key-source/master-key-source.js';
export { createFileMasterKeySource, hardenKeyFiles } from './key-source/file-key-source.js';
export { createStaticMasterKeySource } from './key-source/static-key-source.js';
export { MASTER_KEY_ENV, masterKeySourceFor, readMasterKeyEnv } from './key-source/env.js';
export { parseMasterKeyText } from './key-source/parse-master-key.js';
export { inspectKeyFile, type KeyFileStatus } from './key-source/key-file.js';
export { KEYSTORE_DB_FILE, keystoreHealth, type KeystoreFileHealth, type KeystoreHealthReport } from './health/keystore-health.js';
export { MIN_REDACTABLE_LENGTH, REDACTION, createSecretRedactor, type SecretRedactor, type StreamSplit } from './redact/secret-redactor.js';
export { HELD_TEXT_KEY, createHeldTextSealer, type HeldTextSealer } from './redact/held-text-sealer.js';
export { createSecretResolver, type SecretResolver } from './refs/secret-resolver.js';
export { toSecretMetadata } from './entry/secret-info.js';
export { JOURNAL_SIGNING_KEY, createCheckpointSigner, type CheckpointSigner } from './checkpoint/checkpoint-signer.js';
export { CHECKPOINTS_KEPT_PER_WORKSPACE, createJournalCheckpointLog, type CheckpointStorage, type JournalCheckpointLog } from './checkpoint/journal-checkpoint-log.js';
export { CHECKPOINT_TAG, checkpointMessage, type JournalCheckpoint, type JournalCheckpointKind, type JournalHead } from './checkpoint/checkpoint-record.js';
export { keystoreFileKeyId } from './sqlite/inspect-keystore-file.js';
// A type only: `openPostgresKeystore` is the way to get one (it checks the schema, the key and the lock first).
export type { PostgresKeystore, PostgresKeystoreHealth } from './postgres/postgres-keystore.js';
export { DEFAULT_KEYSTORE_SCHEMA, openPostgresKeystore, type OpenPostgresKeystoreOptions } from './postgres/open-postgres-keystore.js';
export { inspectPostgresKeystore, type InspectPostgresKeystoreOptions, type PostgresKeystoreInspection } from './postgres/inspect-postgres-keystore.js';
export type { KeystoreStatements } from './store/keystore-storage.js';
