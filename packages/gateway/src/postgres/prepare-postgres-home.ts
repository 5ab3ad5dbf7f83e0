import type { GatewaySettings, RuntimePaths } from '@cairn/config';
import type { ModeChange } from '@cairn/sqlite';
import { hardenRuntimeHome } from '../runtime/harden-home.js';
import type { PostgresBackend, RuntimeLog } from '../runtime/runtime-options.js';
import { modeChangeLogger } from '../runtime/startup.js';
import { preflightPostgres } from './preflight-postgres.js';

/**
 * `prepareRuntimeHome` for PostgreSQL: the home still holds the key file, the settings,
 * archive/ and backups/, so it is hardened exactly as on SQLite (each change logged), then the
 * server and its schemas are checked (`preflightPostgres`) before anything migrates them.
 */
export async function preparePostgresHome(paths: RuntimePaths, settings: GatewaySettings, backend: PostgresBackend, log?: RuntimeLog): Promise<ModeChange[]> {
  const changes = hardenRuntimeHome(paths);
  changes.forEach(modeChangeLogger(log));
  await preflightPostgres(backend, settings);
  return changes;
}
