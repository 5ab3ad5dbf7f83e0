import {
  loadSettings,
  readCairnEnv,
  resolveRuntimeHome,
  resolveStorageBackend,
  runtimePaths,
  validateSettings,
  type CairnEnv,
  type GatewaySettings,
  type RuntimePaths,
  type StorageBackend,
} from '@cairn/config';

/** The slice of a pino logger the runtime writes to before the HTTP app exists (Fastify's `app.log` fits). */
export interface RuntimeLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RuntimeOptions {
  /** Runtime home; default `$CAIRN_HOME`, else `~/.cairn`. */
  home?: string;
  /** Environment to read (`CAIRN_*`); default `process.env`. */
  env?: CairnEnv;
  /** Settings given in code replace `gateway-settings.toml` (env overrides still apply to `listen`). */
  settings?: unknown;
  /** Where opening the runtime logs what it changed (tightened permissions); default: nowhere. */
  log?: RuntimeLog;
}

export interface ResolvedRuntime {
  paths: RuntimePaths;
  settings: GatewaySettings;
  /** SQLite in the home, or a PostgreSQL server (`CAIRN_DATABASE_URL` / `storage.database_url`). */
  backend: StorageBackend;
}

/** The PostgreSQL half of `StorageBackend`. */
export type PostgresBackend = Extract<StorageBackend, { kind: 'postgres' }>;

/** Where the home is and what its settings say, before anything is opened. */
export function resolveRuntime(options: RuntimeOptions = {}): ResolvedRuntime {
  const env = options.env ?? readCairnEnv();
  const home = resolveRuntimeHome(options.home !== undefined ? { ...env, home: options.home } : env);
  const paths = runtimePaths(home);
  const settings =
    options.settings !== undefined ? validateSettings(options.settings, '<options>') : loadSettings({ file: paths.settingsFile, env }).settings;
  return { paths, settings, backend: resolveStorageBackend(settings, env) };
}
