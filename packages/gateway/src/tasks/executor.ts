/** The kinds of work a task run can be (`ExecutorKind` of the protocol). */
export type TaskExecutorKind = 'agent' | 'tool' | 'webhook' | 'system';

/** A failure an executor reports: a stable code and a message (never a secret). */
export interface ExecutionError {
  code: string;
  message: string;
}

/** How an execution ended; the scheduler turns it into `completeRun`'s outcome (and the retry policy applies). */
export type ExecutionResult =
  | { outcome: 'succeeded'; result?: Record<string, unknown> }
  | { outcome: 'failed'; error: ExecutionError }
  | { outcome: 'cancelled'; error?: ExecutionError };

/** One claimed run as an executor sees it: what to do, and the signal that says stop. */
export interface TaskExecution {
  readonly workspaceId: string;
  readonly taskId: string;
  readonly runId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly kind: TaskExecutorKind;
  /** The task's `executor_config` (system: `{ action }`, webhook: `{ url, secret_ref? }`, tool: `{ tool }`); `{}` when it has none. */
  readonly config: Record<string, unknown>;
  /** The task's `input`: what every run receives (any JSON). */
  readonly input: unknown;
  /** The thread that created the task, when one did (an agent run's subagent thread forks from it). */
  readonly ownerThreadId: string | null;
  /** The agent spec for `agent` runs (model, instructions, tools, limits), else null. */
  readonly agent: Record<string, unknown> | null;
  /** Aborted when the lease is lost, the run is cancelled or the gateway shuts down (`signal.reason` says which). */
  readonly signal: AbortSignal;
  /**
   * Reports the run `running` (`task.run.started`), naming the subagent thread and turn of an
   * agent run. Idempotent. Executors with `reportsStart` call it once their work began; for
   * the others the scheduler calls it before `execute`.
   */
  readonly started: (ids?: { threadId: string; turnId: string }) => Promise<void>;
}

/**
 * Runs one kind of task. `execute` resolves with the outcome (it should not throw: a throw is
 * recorded as `failed` with code `executor_error`); it must stop soon after `signal` aborts.
 */
export interface TaskExecutor {
  readonly kind: TaskExecutorKind;
  /** The executor calls `execution.started(...)` itself (once it knows what it started). */
  readonly reportsStart?: boolean;
  execute(execution: TaskExecution): Promise<ExecutionResult>;
}

/**
 * The executors of one scheduler, one per kind. The scheduler claims only runs of the kinds
 * registered here, so a gateway without (say) a tool executor leaves tool runs to one that has.
 */
export class ExecutorRegistry {
  readonly #executors = new Map<TaskExecutorKind, TaskExecutor>();

  constructor(executors: readonly TaskExecutor[] = []) {
    for (const executor of executors) this.register(executor);
  }

  /** Adds an executor; a second one for the same kind is a programming error. */
  register(executor: TaskExecutor): this {
    if (this.#executors.has(executor.kind)) throw new Error(`executor registry: a ${executor.kind} executor is already registered`);
    this.#executors.set(executor.kind, executor);
    return this;
  }

  get(kind: string): TaskExecutor | undefined {
    return this.#executors.get(kind as TaskExecutorKind);
  }

  /** The kinds registered, sorted (what the scheduler claims). */
  kinds(): TaskExecutorKind[] {
    return [...this.#executors.keys()].sort();
  }
}

/** Runs an executor so that a throw is an outcome, not a crash of the scheduler. */
export async function runExecutor(executor: TaskExecutor, execution: TaskExecution): Promise<ExecutionResult> {
  try {
    return await executor.execute(execution);
  } catch (error) {
    if (execution.signal.aborted) return { outcome: 'cancelled', error: { code: 'aborted', message: 'the run was stopped' } };
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: 'failed', error: { code: 'executor_error', message: message.slice(0, 500) } };
  }
}
