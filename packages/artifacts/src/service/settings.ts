import type { GatewaySettings } from '@cairn/config';

/**
 * The settings the service reads: `[quotas]` (enforced before bytes become visible),
 * `[capture]` (switches, per-turn limits, ignore list) and `[artifacts]` (GC grace period)
 * of the gateway settings.
 */
export type ArtifactServiceSettings = Pick<GatewaySettings, 'quotas' | 'capture' | 'artifacts'>;
