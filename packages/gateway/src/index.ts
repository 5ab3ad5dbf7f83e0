export { startGateway, type RunningGateway, type StartGatewayOptions } from './server/start-gateway.js';
export { openRuntime, type GatewayRuntime } from './runtime/open-runtime.js';
export { resolveRuntime, type ResolvedRuntime, type RuntimeLog, type RuntimeOptions } from './runtime/runtime-options.js';
export type { ReadinessCheck, ReadinessProbe, ReadinessReport } from './http/readiness.js';
export type { RecoveryCount, StartupRecoveryReport } from './runtime/startup-recovery.js';
export { backupRuntime, migrateRuntime, migrationStatus, type MigrateReport, type MigrationStatus } from './runtime/maintenance.js';
export { inspectRuntime, type DatabaseSchemaHealth, type RuntimeHealth } from './runtime/inspect-runtime.js';
