export { readCairnEnv, type CairnEnv } from './env.js';
export { resolveRuntimeHome, runtimePaths, type RuntimePaths } from './home/runtime-home.js';
export { loadSettings, validateSettings, type LoadedSettings } from './settings/load-settings.js';
export {
  ArtifactSettings,
  CaptureSettings,
  DEFAULT_CAPTURE_IGNORE,
  GatewaySettingsSchema,
  QuotaSettings,
  type GatewaySettings,
} from './settings/schema.js';
export { resolveArtifactsRoot } from './settings/artifacts-root.js';
export { findLiteralSecrets } from './settings/literal-secrets.js';
export { POSTGRES_KEYSTORE_SCHEMA, resolveStorageBackend, type StorageBackend } from './settings/storage-backend.js';
