import { checkPostgresHealth } from '@cairn/postgres';
import { combineChecks, type ReadinessCheck } from '../http/readiness.js';
import type { DatabaseProbe } from '../runtime/readiness-probe.js';
import { schemaReadiness } from '../runtime/readiness-probe.js';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { openBackendDatabase } from './postgres-target.js';

/**
 * `/readyz` on PostgreSQL, on a pool of its own (one connection, short timeouts) so that it
 * never queues behind the store's writes: the server answers a read-only status query within
 * 2 s (`checkPostgresHealth`; a lost server, a standby after a failover, an exhausted server
 * take the gateway out of rotation), then the same schema checks as on SQLite (version equal to
 * this build's, objects equal to its fingerprint). A lost connection is replaced by the pool at
 * the next probe, so readiness comes back by itself with the server.
 */
export async function openPostgresProbe(backend: PostgresBackend, isOpen: () => boolean): Promise<DatabaseProbe> {
  const reader = await openBackendDatabase(backend, {
    schema: backend.schema,
    poolSize: 1,
    applicationName: 'cairn-readyz',
    statementTimeoutMs: 5_000,
    connectTimeoutMs: 2_000,
    // An idle connection the server dropped is removed by the pool; the next probe reports it.
    onPoolError: () => undefined,
  });
  return {
    probe: async () => {
      const checks: Record<string, ReadinessCheck> = {};
      if (!isOpen() || !reader.isInitialized) {
        checks['database'] = { ok: false, detail: 'closed' };
        return combineChecks(checks);
      }
      const health = await checkPostgresHealth(reader, { timeoutMs: 2_000 });
      if (!health.ok) {
        checks['database'] = { ok: false, detail: health.code };
        return combineChecks(checks);
      }
      checks['database'] = health.writable ? { ok: true } : { ok: false, detail: 'read_only' };
      return combineChecks({ ...checks, ...(await schemaReadiness(reader)) });
    },
    close: async () => {
      if (reader.isInitialized) await reader.destroy();
    },
  };
}
