import type { CairnEnv } from '@cairn/config';
import { backupRuntime, inspectRuntime, migrateRuntime, migrationStatus, type DatabaseSchemaHealth } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';
import { output } from './output.js';

const runtimeOf = (env: CairnEnv, global: GlobalOptions) => ({ env, ...(global.home !== undefined ? { home: global.home } : {}) });

export async function migrateCommand(env: CairnEnv, global: GlobalOptions, options: { status?: boolean }): Promise<void> {
  if (options.status) {
    const status = await migrationStatus(runtimeOf(env, global));
    output(global, status, () => [
      `${status.database}: ${status.exists ? `version ${status.currentVersion}` : 'not created yet'}, latest ${status.latestVersion}, ${status.pending} pending`,
    ]);
    return;
  }
  const report = await migrateRuntime(runtimeOf(env, global));
  output(global, report, () => [
    ...report.permissionChanges.map((c) => `tightened ${c.path} from ${c.from} to ${c.to}`),
    ...(report.applied.length === 0
      ? [`${report.database} is at version ${report.version}; nothing to apply`]
      : [...report.applied.map((m) => `applied ${m.version} ${m.name}`), `${report.database} is at version ${report.version}`]),
  ]);
}

export async function backupCommand(env: CairnEnv, global: GlobalOptions): Promise<void> {
  const results = await backupRuntime(runtimeOf(env, global));
  // A home with nothing to back up is an error (exit 1), not an empty success: see backupRuntime.
  output(global, results, () => results.map((r) => `${r.path} (${r.bytes} bytes)`));
}

export async function doctorCommand(env: CairnEnv, global: GlobalOptions): Promise<void> {
  const health = await inspectRuntime(runtimeOf(env, global));
  output(global, health, () => [
    `home ${health.home}: ${health.ok ? 'ok' : 'PROBLEMS FOUND'}`,
    ...health.files.map((f) => `  ${f.status.padEnd(14)} ${f.mode ?? '---'} ${f.path}`),
    ...health.changes.map((c) => `  would tighten  ${c.from} -> ${c.to} ${c.path}`),
    ...health.refusals.map((r) => `  would refuse   ${r}`),
    ...(health.database
      ? [
          `  database ${health.database.url} (from ${health.database.source}): ` +
            (health.database.connection.ok
              ? `PostgreSQL ${health.database.connection.serverVersion}, ${health.database.connection.writable ? 'writable' : 'READ-ONLY'}, ${health.database.connection.latencyMs} ms`
              : `UNREACHABLE: ${health.database.connection.code}: ${health.database.connection.message}`),
        ]
      : []),
    ...(health.keystore
      ? [
          `  keystore ${health.keystore.ok ? 'ok' : 'PROBLEM'}: key ${health.keystore.keyId ?? 'none yet'} (${health.keystore.key.description ?? health.keystore.key.kind ?? 'no source'})` +
            `${health.keystore.key.matches === false ? ' DOES NOT MATCH the key source' : ''}${health.keystore.key.problem ? `: ${health.keystore.key.problem}` : ''}, ${health.keystore.secrets} secret(s)`,
        ]
      : []),
    ...Object.entries(health.integrity).map(([db, r]) => `  integrity ${r.ok ? 'ok' : `FAILED: ${(r.problems ?? []).join('; ')}`} ${db}`),
    ...Object.entries(health.schema).map(([db, s]) => `  schema ${schemaLine(s)} ${db}`),
    ...health.homeFiles.findings.map((f) => `  ${(f.status === 'problem' ? 'PROBLEM' : f.status).padEnd(14)} ${f.path}: ${f.message}`),
  ]);
  if (!health.ok) process.exitCode = 1;
}

function schemaLine(s: DatabaseSchemaHealth): string {
  const at = `${s.service} v${s.version ?? '?'} of ${s.latestVersion}`;
  switch (s.status) {
    case 'current':
      return `ok (${at})`;
    case 'pending':
      return `ok (${at}; serve migrates it)`;
    case 'too_new':
      return `FAILED: newer than this build (${at}); serve refuses it`;
    case 'mismatch':
      return `FAILED (${at}): ${s.differences.length > 0 ? s.differences.join('; ') : s.message ?? 'does not match the migrations'}`;
    case 'absent':
      return `ok (not created yet; serve creates it)`;
    case 'unreadable':
      return `FAILED: cannot read: ${s.message ?? 'unknown error'}`;
  }
}
