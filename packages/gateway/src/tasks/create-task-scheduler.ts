import type { ArtifactService } from '@cairn/artifacts';
import type { GatewaySettings } from '@cairn/config';
import type { CrudStore } from '@cairn/crud';
import type { SecretResolver } from '@cairn/keystore';
import type { AgentRuntime } from '../agent/agent-runtime.js';
import { agentExecutor, type WakeSource } from './agent-executor.js';
import type { Clock } from './clock.js';
import { ExecutorRegistry, type TaskExecutor } from './executor.js';
import { captureResultAsArtifact } from './result-capture.js';
import { TaskScheduler, type SchedulerLog, type TaskSchedulerOptions } from './scheduler.js';
import { systemExecutor } from './system-executor.js';
import { webhookExecutor } from './webhook.js';

export interface CreateTaskSchedulerOptions {
  store: CrudStore;
  settings: GatewaySettings;
  secrets: SecretResolver;
  agents: AgentRuntime;
  hub: WakeSource;
  log: SchedulerLog;
  clock?: Clock;
  /** Hears each ended run and recorded delivery attempt (the gateway's metrics). */
  onRunEnded?: TaskSchedulerOptions['onRunEnded'];
  onDeliveryAttempt?: TaskSchedulerOptions['onDeliveryAttempt'];
  /** Executors beside (or instead of, by kind) the built-in system, webhook and agent ones: a `tool` executor, say. */
  executors?: readonly TaskExecutor[];
  /** With `[capture] task_results` on: results over the inline bound are stored as artifacts bound to their run. */
  artifacts?: ArtifactService;
}

/**
 * The gateway's scheduler: the built-in `system`, `webhook` and `agent` executors (an
 * embedder's `executors` replace those of the same kind and add others), `[tasks]` settings,
 * commits waking the notification hub. Not started: `startGateway` starts and stops it.
 */
export function createTaskScheduler(options: CreateTaskSchedulerOptions): TaskScheduler {
  const { store, settings } = options;
  const clock = options.clock ? { clock: options.clock } : {};
  const builtIn: TaskExecutor[] = [
    systemExecutor({ store, llmContextTtlDays: settings.retention.llm_context_ttl_days, ...clock }),
    webhookExecutor({ secrets: options.secrets, timeoutMs: settings.tasks.webhook_timeout_ms, ...clock }),
    agentExecutor({ store, agents: options.agents, hub: options.hub, pollMs: settings.tasks.poll_ms, ...clock }),
  ];
  const extra = options.executors ?? [];
  const registry = new ExecutorRegistry([...builtIn.filter((e) => !extra.some((x) => x.kind === e.kind)), ...extra]);
  return new TaskScheduler({
    tasks: store.tasks,
    executors: registry,
    settings: settings.tasks,
    delivery: { secrets: options.secrets, webhookTimeoutMs: settings.tasks.webhook_timeout_ms },
    onCommitted: (workspaceId) => options.hub.wake(workspaceId),
    log: options.log,
    ...(options.onRunEnded ? { onRunEnded: options.onRunEnded } : {}),
    ...(options.onDeliveryAttempt ? { onDeliveryAttempt: options.onDeliveryAttempt } : {}),
    ...(options.artifacts && settings.capture.task_results ? { captureResult: captureResultAsArtifact(options.artifacts) } : {}),
    ...clock,
  });
}
