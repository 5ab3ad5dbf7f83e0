import type { RuntimePaths, GatewaySettings } from '@cairn/config';
import type { CrudStore } from '@cairn/crud';
import {
  createHeldTextSealer,
  createSecretRedactor,
  createSecretResolver,
  openPostgresKeystore,
  openSqliteKeystore,
  type Keystore,
  type SecretRedactor,
  type SecretResolver,
} from '@cairn/keystore';
import type { StorageBackend } from '@cairn/config';
import type { ModeChange } from '@cairn/sqlite';
import { journalCheckpointOptions, type JournalAnchorReport } from './journal-checkpoints.js';
import { startJournalRetention, type JournalRetentionWorker } from './journal-retention.js';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { modeChangeLogger, openGatewayStore, prepareRuntimeHome } from './startup.js';
import { openDatabaseProbe } from './readiness-probe.js';
import { openPostgresGatewayStore } from '../postgres/open-postgres-store.js';
import { openPostgresProbe } from '../postgres/postgres-probe.js';
import { preparePostgresHome } from '../postgres/prepare-postgres-home.js';
import { explainPostgresFailure } from '../postgres/postgres-target.js';
import { runStartupRecovery, type StartupRecoveryReport } from './startup-recovery.js';
import type { ReadinessProbe } from '../http/readiness.js';

/** Everything a running gateway holds open on its runtime home. */
export interface GatewayRuntime {
  paths: RuntimePaths;
  settings: GatewaySettings;
  /** SQLite in the home, or PostgreSQL (its URL may hold a password: print it through `redactUrl`). */
  backend: StorageBackend;
  /** The store: `store.sqlite` on SQLite, `store.postgres` on PostgreSQL. */
  store: CrudStore;
  /** keystore.db (on PostgreSQL its schema): the only place secret values live. */
  keystore: Keystore;
  /** Resolves `secret://` refs at the moment a value is needed. */
  secrets: SecretResolver;
  /** Scrubs every value currently held in the keystore from text and payloads. */
  redactor: SecretRedactor;
  readiness: ReadinessProbe;
  /** What startup recovery found and fixed. */
  recovery: StartupRecoveryReport;
  /** Permissions this start tightened (each also logged at warn). */
  permissionChanges: ModeChange[];
  /** The journal's signed checkpoints (in keystore.db): what the checkpointer heard. */
  checkpoints: JournalAnchorReport;
  /** The journal retention worker, when `[journal_retention] enabled`. */
  retention: JournalRetentionWorker | undefined;
  close(): Promise<void>;
}

/**
 * Opens a runtime home for serving. Before any database is used: the home, its database and
 * key files are tightened (never loosened, never through a symlink; each change logged at
 * warn), and keystore.db and gateway.db are checked (`quick_check` unless
 * `storage.startup_check` is off; schema version; schema fingerprint), so a damaged or
 * hand-edited file is refused before anything migrates it. Then keystore.db (its master key
 * checked, created with keystore.key on first start), gateway.db (migrated to head) and the
 * readiness probe's read-only connection. Startup recovery runs before the runtime is
 * returned, so no client ever sees a read model a crash left inconsistent.
 */
export interface OpenRuntimeOptions extends RuntimeOptions {
  /**
   * False for maintenance (`cairn repair`, `cairn rebuild`) next to a gateway that may be
   * serving: built-in turns still running are left alone (that gateway may be running them);
   * the next start of a gateway fails the ones its predecessor lost. Default true.
   */
  serving?: boolean;
}

export async function openRuntime(options: OpenRuntimeOptions = {}): Promise<GatewayRuntime> {
  const { paths, settings, backend } = resolveRuntime(options);
  const onModeChange = modeChangeLogger(options.log);
  const permissionChanges =
    backend.kind === 'sqlite'
      ? await prepareRuntimeHome(paths, settings, { log: options.log, which: ['keystore', 'gateway'] })
      : await preparePostgresHome(paths, settings, backend, options.log);
  // The keystore opens first: a wrong master key stops the start before gateway.db is touched.
  const keystore =
    backend.kind === 'sqlite'
      ? await openSqliteKeystore({ home: paths.home, onModeChange })
      : await openPostgresKeystore({ url: backend.url, schema: backend.keystoreSchema, home: paths.home, onModeChange }).catch((error: unknown) => {
          throw explainPostgresFailure(error, backend, 'cannot open the keystore');
        });
  let redactor: SecretRedactor | undefined;
  let store: CrudStore | undefined;
  let checkpoints: JournalAnchorReport;
  try {
    redactor = await createSecretRedactor(keystore);
    const scrub = redactor;
    const sealer = await createHeldTextSealer(keystore);
    // The journal's heads are checkpointed at open (before any client), every N events or T
    // seconds, and at close, signed with a key that stays in keystore.db.
    const anchor = journalCheckpointOptions(await keystore.journalCheckpoints(), settings);
    checkpoints = anchor.report;
    // Every journal payload (and what is stored from it) loses any value the keystore holds,
    // and streamed text that may begin one is held back sealed until the next delta.
    const extra = {
      journal: {
        redact: (payload: unknown) => scrub.redactDeep(payload),
        heldText: { split: (text: string) => scrub.split(text), seal: (text: string) => sealer.seal(text), open: (sealed: string) => sealer.open(sealed) },
      },
      checkpoints: anchor.options,
    };
    store = backend.kind === 'sqlite' ? await openGatewayStore(paths, settings, extra) : await openPostgresGatewayStore(backend, paths, extra);
  } catch (error) {
    redactor?.close();
    await keystore.close();
    throw error;
  }
  let open = true;
  let closing: Promise<void> | undefined;
  try {
    // The built-in runtime's turns die with this process; on SQLite no other gateway runs them.
    const recovery = await runStartupRecovery(store, {
      failLostBuiltinTurns: options.serving !== false && settings.agent.runtime === 'builtin' && backend.kind === 'sqlite',
    });
    const probe = backend.kind === 'sqlite' ? await openDatabaseProbe(paths.gatewayDb, () => open) : await openPostgresProbe(backend, () => open);
    const retention = startJournalRetention(store, settings, options.log);
    return {
      paths,
      settings,
      backend,
      store,
      keystore,
      secrets: createSecretResolver(keystore),
      redactor,
      readiness: probe.probe,
      recovery,
      permissionChanges,
      checkpoints,
      retention,
      // Idempotent: the HTTP server's onClose and an embedder may both close the runtime.
      close: () =>
        (closing ??= (async () => {
          open = false;
          await retention?.stop();
          await probe.close();
          await store.close();
          redactor.close();
          await keystore.close();
        })()),
    };
  } catch (error) {
    await store.close();
    redactor.close();
    await keystore.close();
    throw error;
  }
}
