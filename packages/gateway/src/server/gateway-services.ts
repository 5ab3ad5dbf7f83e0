import type { FastifyInstance } from 'fastify';
import { ArtifactService, LocalArtifactBlobStore } from '@cairn/artifacts';
import { resolveArtifactsRoot } from '@cairn/config';
import { builtinCapture } from '../agent/builtin-capture.js';
import { builtinRuntime } from '../agent/builtin-runtime.js';
import { externalRuntime, type AgentRuntime, type AgentRuntimeContext } from '../agent/agent-runtime.js';
import { TokenAuthenticator } from '../auth/token-authenticator.js';
import { createGatewayMetrics } from '../metrics/gateway-metrics.js';
import { NotificationHub } from '../notify/notification-hub.js';
import type { GatewayRuntime } from '../runtime/open-runtime.js';
import { createRouter, type Router } from '../rpc/router.js';
import { artifactHandlers } from '../rpc/handlers/artifact-handlers.js';
import { authHandlers } from '../rpc/handlers/auth-handlers.js';
import { secretHandlers } from '../rpc/handlers/secret-handlers.js';
import { syncHandlers } from '../rpc/handlers/sync-handlers.js';
import { taskHandlers } from '../rpc/handlers/task-handlers.js';
import { threadHandlers } from '../rpc/handlers/thread-handlers.js';
import { turnHandlers } from '../rpc/handlers/turn-handlers.js';
import { turnRecordHandlers } from '../rpc/handlers/turn-record-handlers.js';
import { workspaceHandlers } from '../rpc/handlers/workspace-handlers.js';
import type { GatewayServices } from '../rpc/services.js';
import { SessionRegistry } from '../session/session-registry.js';
import { TransferService } from '../transfer/transfer-service.js';
import { transferPortsOf } from '../transfer/ports-of.js';
import { transferHandlers } from '../rpc/handlers/transfer-handlers.js';
import type { WakeChannel } from '../notify/wake-sources.js';
import { createTaskScheduler } from '../tasks/create-task-scheduler.js';
import type { TaskExecutor } from '../tasks/executor.js';

/** The protocol's router: one handler group per domain. The task and artifact issues add theirs here. */
export function gatewayRouter(): Router {
  return createRouter(workspaceHandlers, threadHandlers, turnHandlers, turnRecordHandlers, secretHandlers, authHandlers, syncHandlers, taskHandlers, artifactHandlers, transferHandlers);
}

/** Builds what handlers use from an open runtime. */
export function createGatewayServices(
  runtime: GatewayRuntime,
  app: FastifyInstance,
  channel: WakeChannel,
  agentRuntime?: (context: AgentRuntimeContext) => AgentRuntime,
  taskExecutors?: readonly TaskExecutor[],
): GatewayServices {
  const { store, settings } = runtime;
  const log = app.log;
  const sessions = new SessionRegistry();
  const metrics = createGatewayMetrics({
    store,
    connections: () => sessions.size,
    newestCheckpointAt: () => runtime.checkpoints.newestAt(),
    executingTaskRuns: () => scheduler?.running ?? 0,
  });
  // A wake after a local commit also tells the other gateways (PostgreSQL), after the commit.
  const hub = new NotificationHub({
    store,
    redactor: runtime.redactor,
    log,
    onSent: (method) => metrics.notifications.inc({ method }),
    publish: (workspaceId) => channel.publish(workspaceId),
  });
  const onCommitted = (workspaceId: string) => hub.wake(workspaceId);
  const artifacts = new ArtifactService({ store, blobs: new LocalArtifactBlobStore({ root: resolveArtifactsRoot(settings, runtime.paths) }), settings, onCommitted });
  const agents = agentRuntime
    ? agentRuntime({ store, log, onCommitted })
    : settings.agent.runtime === 'builtin'
      ? builtinRuntime({
          store,
          log,
          onCommitted,
          deltaIntervalMs: settings.agent.builtin_delta_interval_ms,
          capture: builtinCapture({ artifacts, home: runtime.paths.home }),
        })
      : externalRuntime();
  const scheduler = settings.tasks.scheduler_enabled
    ? createTaskScheduler({
        store,
        settings,
        secrets: runtime.secrets,
        agents,
        hub,
        log,
        onRunEnded: (kind, outcome) => metrics.taskRuns.inc({ kind, outcome }),
        onDeliveryAttempt: (kind, outcome) => metrics.taskDeliveries.inc({ kind, outcome }),
        ...(taskExecutors ? { executors: taskExecutors } : {}),
        artifacts,
      })
    : undefined;
  return {
    store,
    artifacts,
    keystore: runtime.keystore,
    redactor: runtime.redactor,
    settings,
    hub,
    agents,
    tokens: new TokenAuthenticator(store),
    sessions,
    metrics,
    log,
    scheduler,
    transfer: new TransferService({ ports: transferPortsOf(store, artifacts, settings), log, scrub: (value) => runtime.redactor.redactDeep(value) }),
  };
}
