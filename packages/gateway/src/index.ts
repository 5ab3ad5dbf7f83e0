export { startGateway, type RunningGateway, type StartGatewayOptions } from './server/start-gateway.js';
export { openRuntime, type GatewayRuntime } from './runtime/open-runtime.js';
export { resolveRuntime, type ResolvedRuntime, type RuntimeOptions } from './runtime/runtime-options.js';
export { buildHttpApp, type HttpAppOptions } from './http/build-http-app.js';
export type { ReadinessCheck, ReadinessProbe, ReadinessReport } from './http/readiness.js';
export {
  backupRuntime,
  inspectRuntime,
  migrateRuntime,
  migrationStatus,
  type MigrationStatus,
  type RuntimeHealth,
} from './runtime/maintenance.js';
export { verifyRuntime, type CheckpointVerification, type RuntimeVerifyReport, type VerifyRuntimeOptions } from './runtime/verify-runtime.js';
export { restoreRuntime, type RestoreReport, type RestoreRuntimeOptions } from './runtime/restore-runtime.js';
export type { JournalAnchorReport } from './runtime/journal-checkpoints.js';
export { runStartupRecovery, type RecoveryCount, type StartupRecoveryReport } from './runtime/startup-recovery.js';
