import type { CrudStore } from '@cairn/crud';
import { hasErrorCode, TERMINAL_TURN_STATUSES, type Thread, type Turn } from '@cairn/protocol';
import type { AgentRuntime } from '../agent/agent-runtime.js';
import { systemClock, type Clock } from './clock.js';
import type { ExecutionResult, TaskExecution, TaskExecutor } from './executor.js';

/**
 * Why the scheduler stopped an execution (`signal.reason`). `cancelled` (the task was) and
 * `lease_lost` (the run ended elsewhere: timed out, or recovered and retried) stop the work, so
 * an agent run cancels its turn; `shutdown` leaves it to the runtime's drain.
 */
export type StopReason = 'cancelled' | 'lease_lost' | 'shutdown';

/** What the agent executor needs of the notification hub: wakes after commits, to re-check a turn at once. */
export interface WakeSource {
  wake(workspaceId: string): void;
  onWake(listener: (workspaceId: string) => void): () => void;
}

export interface AgentExecutorOptions {
  store: CrudStore;
  /** The gateway's agent runtime (`services.agents`: the built-in one by default). */
  agents: AgentRuntime;
  hub: WakeSource;
  /** A turn run elsewhere (an external runtime reporting to another gateway) is re-read this often, ms. */
  pollMs: number;
  clock?: Clock;
}

/** The subagent thread and turn of one run: derived from the run id, so a retried start of the same run writes nothing twice. */
export function agentRunIds(runId: string): { threadId: string; turnId: string; idempotencyKey: string } {
  return { threadId: `thr_${runId}`, turnId: `turn_${runId}`, idempotencyKey: `task-run:${runId}:turn` };
}

/**
 * The `agent` executor: each run starts a subagent thread (forked from the task's owner thread
 * when there is one, so the lineage shows who asked) and one turn on the gateway's agent
 * runtime, then waits until the turn is terminal. The turn's prompt is the task's `input` (a string, or its `prompt`), else
 * the agent spec's `instructions`; `agent.model` is passed on. Completed: `succeeded` with
 * `{ thread_id, turn_id, usage }`; failed: `failed` with the turn's error; cancelled: `cancelled`.
 * A run cancelled or whose lease was lost cancels its turn; one stopped by shutdown leaves
 * the turn to the runtime (startup recovery ends turns a dead gateway was running).
 */
export function agentExecutor(options: AgentExecutorOptions): TaskExecutor {
  const clock = options.clock ?? systemClock;
  return {
    kind: 'agent',
    reportsStart: true,
    async execute(execution: TaskExecution): Promise<ExecutionResult> {
      const { workspaceId } = execution;
      const ids = agentRunIds(execution.runId);
      const prompt = promptOf(execution);
      if (prompt === undefined) return { outcome: 'failed', error: { code: 'invalid_input', message: 'an agent task needs input.prompt or agent.instructions' } };
      const thread = await subagentThread(options.store, execution, ids.threadId);
      options.hub.wake(workspaceId);
      const model = typeof execution.agent?.['model'] === 'string' ? execution.agent['model'] : undefined;
      const started = await options.store.turns.start({
        workspace_id: workspaceId,
        thread_id: thread.thread_id,
        turn_id: ids.turnId,
        idempotency_key: ids.idempotencyKey,
        input: [{ type: 'text', text: prompt }],
        ...(model !== undefined ? { model } : {}),
      });
      if (started.outcome === 'applied' && !started.duplicate) {
        options.hub.wake(workspaceId);
        options.agents.start(started.turn);
      }
      await execution.started({ threadId: thread.thread_id, turnId: ids.turnId });
      const turn = await waitForTerminal(options, clock, started.turn, execution.signal);
      if (!turn) {
        if (execution.signal.reason !== 'shutdown') {
          await options.store.turns.cancel({ workspace_id: workspaceId, turn_id: ids.turnId }).catch((error: unknown) => {
            if (!hasErrorCode(error, 'conflict') && !hasErrorCode(error, 'invariant_violation')) throw error;
          });
          options.agents.cancel(workspaceId, ids.turnId);
          options.hub.wake(workspaceId);
        }
        return { outcome: 'cancelled', error: { code: 'aborted', message: `the run was stopped (${String(execution.signal.reason)})` } };
      }
      const result = { thread_id: thread.thread_id, turn_id: turn.turn_id, turn_status: turn.status };
      if (turn.status === 'completed') return { outcome: 'succeeded', result: { ...result, usage: turn.usage ?? null } };
      if (turn.status === 'cancelled') return { outcome: 'cancelled', error: { code: 'turn_cancelled', message: 'the subagent turn was cancelled' } };
      return { outcome: 'failed', error: { code: turn.error?.code ?? 'turn_failed', message: turn.error?.message ?? 'the subagent turn failed' } };
    },
  };
}

function promptOf(execution: TaskExecution): string | undefined {
  const input = execution.input;
  const fromInput = typeof input === 'string' ? input : input !== null && typeof input === 'object' ? (input as Record<string, unknown>)['prompt'] : undefined;
  const prompt = fromInput ?? execution.agent?.['instructions'];
  return typeof prompt === 'string' && prompt.trim() !== '' ? prompt : undefined;
}

async function subagentThread(store: CrudStore, execution: TaskExecution, threadId: string): Promise<Thread> {
  const title = `task ${execution.taskId}`.slice(0, 200);
  if (execution.ownerThreadId === null) return (await store.threads.start({ workspace_id: execution.workspaceId, thread_id: threadId, title })).thread;
  try {
    return await store.threads.fork({ workspace_id: execution.workspaceId, from_thread_id: execution.ownerThreadId, thread_id: threadId, title });
  } catch (error) {
    // A retried start of this run: the fork exists already.
    if (!hasErrorCode(error, 'conflict')) throw error;
    return store.threads.get({ workspace_id: execution.workspaceId, thread_id: threadId });
  }
}

/** Re-reads the turn after each wake of its workspace and at least every `pollMs`, until it is terminal (or the signal aborts: undefined). */
async function waitForTerminal(options: AgentExecutorOptions, clock: Clock, turn: Turn, signal: AbortSignal): Promise<Turn | undefined> {
  let current = turn;
  let woken: (() => void) | undefined;
  // Set by a wake that lands while the turn is being read, so it is not lost before the next sleep.
  let dirty = false;
  const unsubscribe = options.hub.onWake((workspaceId) => {
    if (workspaceId !== turn.workspace_id) return;
    dirty = true;
    woken?.();
  });
  try {
    while (!TERMINAL_TURN_STATUSES.includes(current.status)) {
      if (signal.aborted) return undefined;
      const pause = new AbortController();
      woken = () => pause.abort();
      const onAbort = () => pause.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (!dirty) await clock.sleep(options.pollMs, pause.signal);
      signal.removeEventListener('abort', onAbort);
      woken = undefined;
      dirty = false;
      if (signal.aborted) return undefined;
      current = (await options.store.turns.get({ workspace_id: turn.workspace_id, turn_id: turn.turn_id })).turn;
    }
    return current;
  } finally {
    unsubscribe();
  }
}
