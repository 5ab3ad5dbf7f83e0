export { startGateway, type RunningGateway, type StartGatewayOptions } from './server/start-gateway.js';
export { openRuntime, type GatewayRuntime } from './runtime/open-runtime.js';
export { resolveRuntime, type ResolvedRuntime, type RuntimeOptions } from './runtime/runtime-options.js';
export type { ReadinessCheck, ReadinessProbe, ReadinessReport } from './http/readiness.js';
export type { RecoveryCount, StartupRecoveryReport } from './runtime/startup-recovery.js';
export {
  backupRuntime,
  inspectRuntime,
  migrateRuntime,
  migrationStatus,
  type MigrationStatus,
  type RuntimeHealth,
} from './runtime/maintenance.js';
