import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactService } from '@cairn/artifacts';
import type { GatewaySettings } from '@cairn/config';
import type { CrudStore } from '@cairn/crud';
import type { Keystore, SecretRedactor } from '@cairn/keystore';
import type { AgentRuntime } from '../agent/agent-runtime.js';
import type { TokenAuthenticator } from '../auth/token-authenticator.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { NotificationHub } from '../notify/notification-hub.js';
import type { SessionRegistry } from '../session/session-registry.js';
import type { TaskScheduler } from '../tasks/scheduler.js';
import type { TransferService } from '../transfer/transfer-service.js';

/** What handlers reach: the store and keystore, and the gateway's own parts. Never an entity. */
export interface GatewayServices {
  readonly store: CrudStore;
  /** Artifact bytes and ingestion over the store (blob root: `[artifacts] root`). */
  readonly artifacts: ArtifactService;
  readonly keystore: Keystore;
  readonly redactor: SecretRedactor;
  readonly settings: GatewaySettings;
  readonly hub: NotificationHub;
  readonly agents: AgentRuntime;
  readonly tokens: TokenAuthenticator;
  readonly sessions: SessionRegistry;
  readonly metrics: GatewayMetrics;
  readonly log: FastifyBaseLogger;
  /** The task scheduler worker (`[tasks] scheduler_enabled`; started and stopped by `startGateway`). */
  readonly scheduler: TaskScheduler | undefined;
  /** Artifact upload and download sessions, binary frames, the tus endpoint's store. */
  readonly transfer: TransferService;
}
