import type { FastifyInstance } from 'fastify';
import type { CheckpointFinding } from '@cairn/crud';
import { buildHttpApp } from '../http/build-http-app.js';
import type { LogScrubber } from '../logging/logger-options.js';
import { NO_CHANNEL, startWakePoll, type WakeChannel } from '../notify/wake-sources.js';
import { startPostgresWakeChannel } from '../postgres/postgres-wake-channel.js';
import { registerRpc } from '../rpc/register-rpc.js';
import type { GatewayServices } from '../rpc/services.js';
import { startLlmContextPrune } from '../runtime/maintenance-timers.js';
import { startArtifactWorkers } from '../runtime/artifact-workers.js';
import { openRuntime, type GatewayRuntime } from '../runtime/open-runtime.js';
import { resolveRuntime, type RuntimeLog, type RuntimeOptions } from '../runtime/runtime-options.js';
import { createGatewayServices, gatewayRouter } from './gateway-services.js';
import type { TaskScheduler } from '../tasks/scheduler.js';
import type { TaskExecutor } from '../tasks/executor.js';
import { registerTus } from '../transfer/tus-endpoint.js';
import type { AgentRuntime, AgentRuntimeContext } from '../agent/agent-runtime.js';

export interface StartGatewayOptions extends RuntimeOptions {
  /** Overrides the settings' listen address (tests pass port 0). */
  listen?: { host?: string; port?: number };
  /** How often watched workspaces are re-read for commits made by other processes, ms (default `[limits] notify_poll_ms`, 1000; 0: never). */
  notifyPollMs?: number;
  /** How commits reach other gateways (default: LISTEN/NOTIFY on PostgreSQL, none on SQLite). */
  /**
   * The agent runtime `turn/start` hands turns to, instead of the one `[agent] runtime` names
   * (an embedder's own model runtime). It reports through `context.store.turns.appendEvents`
   * and calls `context.onCommitted` after each commit.
   */
  agentRuntime?: (context: AgentRuntimeContext) => AgentRuntime;
  /** Task executors beside the built-in system, webhook and agent ones (a `tool` executor), or replacing them by kind. */
  taskExecutors?: readonly TaskExecutor[];
  wakeChannel?: (runtime: GatewayRuntime, onWake: (workspaceId: string) => void, context: WakeChannelContext) => Promise<WakeChannel>;
}

export interface WakeChannelContext {
  /** The workspaces the hub watches now (to re-read after a channel lost messages). */
  watched: () => string[];
  log: RuntimeLog;
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:17878` */
  url: string;
  /** e.g. `ws://127.0.0.1:17878/rpc` */
  rpcUrl: string;
  host: string;
  port: number;
  runtime: GatewayRuntime;
  services: GatewayServices;
  app: FastifyInstance;
  /**
   * Stops taking connections and requests, lets requests in flight answer and running turns
   * finish (up to `shutdown_timeout_ms`), closes the connections (1001), writes the shutdown
   * checkpoint and closes the databases. Idempotent.
   */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  // The app (and so its logger) exists before the runtime opens, so what opening changes in
  // the home (tightened permissions) is logged by the same pino as everything else; the
  // keystore's redactor joins the logger as soon as the keystore is open.
  const { settings } = resolveRuntime(options);
  let opened: GatewayRuntime | undefined;
  const scrubber: LogScrubber = {};
  const app = buildHttpApp({
    readiness: async () => (opened ? opened.readiness() : { ready: false, checks: { runtime: { ok: false, detail: 'starting' } } }),
    logLevel: settings.log_level,
    maxMessageBytes: settings.limits.max_message_bytes,
    scrubber,
  });
  let runtime: GatewayRuntime;
  try {
    runtime = opened = await openRuntime({ ...options, log: options.log ?? app.log });
  } catch (error) {
    await app.close();
    throw error;
  }
  scrubber.redact = (line) => runtime.redactor.redact(line);
  app.addHook('onClose', async () => runtime.close());
  let channel: WakeChannel = NO_CHANNEL;
  let stopPoll = () => {};
  let stopPrune = async () => {};
  let stopArtifacts = async () => {};
  let scheduler: TaskScheduler | undefined;
  let stopTransferPrune = async () => {};
  try {
    const wakeChannel = options.wakeChannel ?? defaultWakeChannel;
    let hubWake: (workspaceId: string) => void = () => {};
    let hubWatched: () => string[] = () => [];
    channel = await wakeChannel(runtime, (workspaceId) => hubWake(workspaceId), { watched: () => hubWatched(), log: app.log });
    const built = createGatewayServices(runtime, app, channel, options.agentRuntime, options.taskExecutors);
    hubWake = (workspaceId) => built.hub.wakeFromElsewhere(workspaceId);
    hubWatched = () => built.hub.watchedWorkspaces();
    const endpoint = await registerRpc(app, gatewayRouter(), built);
    registerTus(app, built);
    // Expired upload sessions and orphaned temps: now (startup) and every minute.
    stopTransferPrune = built.transfer.startPruning(60_000);
    stopPoll = startWakePoll(built.hub, options.notifyPollMs ?? settings.limits.notify_poll_ms);
    stopPrune = startLlmContextPrune(runtime.store, settings, app.log);
    const artifactWorkers = startArtifactWorkers(built.artifacts, app.log, { onCommitted: (workspaceId) => built.hub.wake(workspaceId) });
    stopArtifacts = () => artifactWorkers.stop();
    // After startup recovery and before serving: the first pass reconciles what a dead gateway left leased.
    scheduler = built.scheduler;
    await scheduler?.start();
    const host = options.listen?.host ?? settings.listen.host;
    const port = options.listen?.port ?? settings.listen.port;
    await app.listen({ host, port });
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    app.log.info({ recovery: runtime.recovery }, 'startup recovery done');
    // A workspace whose newest signed checkpoint the journal no longer holds was cut or rewritten
    // while no gateway ran (or behind this one's back): it is not checkpointed again; `cairn verify` says more.
    const logFinding = (finding: CheckpointFinding) => app.log.error({ finding }, 'journal no longer holds its newest signed checkpoint');
    runtime.checkpoints.findings.forEach(logFinding);
    runtime.checkpoints.onFinding(logFinding);
    runtime.checkpoints.onError((error) => app.log.warn({ err: error }, 'journal checkpoint not recorded; the next one retries'));
    app.log.info({ home: runtime.paths.home, host, port: boundPort, runtime: built.agents.name }, 'cairn gateway ready');
    let closing: Promise<void> | undefined;
    const shutdown = async () => {
      const timeout = settings.shutdown_timeout_ms;
      endpoint.stopAccepting();
      await withTimeout(endpoint.idle(), timeout);
      // Runs finish (an agent run's turn with them) or are left to lease recovery; then the runtime drains.
      await built.scheduler?.stop(timeout);
      await built.agents.drain(timeout);
      stopPoll();
      await built.hub.drain();
      built.hub.close();
      built.sessions.closeAll();
      await stopPrune();
      await stopArtifacts();
      await stopTransferPrune();
      await built.transfer.close();
      await channel.close();
      // onClose closes the runtime: the store writes the shutdown checkpoint after the last commit.
      await app.close();
    };
    return {
      url: `http://${urlHost}:${boundPort}`,
      rpcUrl: `ws://${urlHost}:${boundPort}/rpc`,
      host,
      port: boundPort,
      runtime,
      services: built,
      app,
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    stopPoll();
    await scheduler?.stop(0);
    await stopPrune();
    await stopArtifacts();
    await stopTransferPrune();
    await channel.close().catch(() => {});
    await app.close();
    throw error;
  }
}

async function defaultWakeChannel(runtime: GatewayRuntime, onWake: (workspaceId: string) => void, context: WakeChannelContext): Promise<WakeChannel> {
  const postgres = runtime.store.postgres;
  if (!postgres) return NO_CHANNEL;
  return startPostgresWakeChannel({ postgres, onWake, watched: context.watched, log: context.log });
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
