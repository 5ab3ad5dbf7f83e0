import { existsSync } from 'node:fs';
import type { RuntimePaths, StorageBackend } from '@cairn/config';
import { openPostgresKeystore, openSqliteKeystore, parseMasterKeyText, type PostgresKeystore, type RotationResult, type SqliteKeystore } from '@cairn/keystore';
import { CairnError } from '@cairn/protocol';
import { explainPostgresFailure } from '../postgres/postgres-target.js';
import { preparePostgresHome } from '../postgres/prepare-postgres-home.js';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { modeChangeLogger, prepareRuntimeHome } from './startup.js';

export interface OpenRuntimeKeystoreOptions extends RuntimeOptions {
  /** false: a SQLite home without keystore.db is `not_found` instead of getting one (reads should not create a key). Default true. */
  create?: boolean;
}

/** A runtime home's keystore alone, for the operator's `cairn secrets` commands. */
export interface RuntimeKeystore {
  paths: RuntimePaths;
  backend: StorageBackend;
  keystore: SqliteKeystore | PostgresKeystore;
  /**
   * `rotateMasterKey` with the new key as text (`CAIRN_MASTER_KEY`'s forms: base64, base64url
   * or hex of 32 bytes), which callers outside the keystore cannot turn into a key themselves.
   * Without it the key file gets a generated key (refused when the key comes from the environment).
   */
  rotateMasterKey(newKeyText?: string): Promise<RotationResult>;
  close(): Promise<void>;
}

/**
 * Opens only the keystore of a runtime home, through the same checks a start makes first:
 * the home hardened (each change logged), keystore.db checked (`quick_check`, schema) or, on
 * PostgreSQL, the server and its schemas; then the keystore, its master key checked. Safe while
 * a gateway runs on the home: keystore.db's write lock (or the schema's key lock) orders them.
 */
export async function openRuntimeKeystore(options: OpenRuntimeKeystoreOptions = {}): Promise<RuntimeKeystore> {
  const { paths, settings, backend } = resolveRuntime(options);
  const onModeChange = modeChangeLogger(options.log);
  let keystore: SqliteKeystore | PostgresKeystore;
  if (backend.kind === 'sqlite') {
    if (options.create === false && !existsSync(paths.keystoreDb)) {
      throw new CairnError('not_found', `${paths.keystoreDb} does not exist: no secret was set on this home yet`, { details: { path: paths.keystoreDb } });
    }
    await prepareRuntimeHome(paths, settings, { ...(options.log ? { log: options.log } : {}), which: ['keystore'] });
    keystore = await openSqliteKeystore({ home: paths.home, onModeChange });
  } else {
    await preparePostgresHome(paths, settings, backend, options.log);
    keystore = await openPostgresKeystore({ url: backend.url, schema: backend.keystoreSchema, home: paths.home, onModeChange }).catch((error: unknown) => {
      throw explainPostgresFailure(error, backend, 'cannot open the keystore');
    });
  }
  return {
    paths,
    backend,
    keystore,
    rotateMasterKey: (newKeyText) =>
      keystore.rotateMasterKey(newKeyText === undefined ? {} : { newKey: parseMasterKeyText(newKeyText, 'the new master key') }),
    close: () => keystore.close(),
  };
}
