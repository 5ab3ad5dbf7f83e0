import type { CrudStore } from '@cairn/crud';
import { systemClock, type Clock } from './clock.js';
import type { ExecutionResult, TaskExecution, TaskExecutor } from './executor.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The maintenance actions a `system` task can run (its `executor_config.action`). */
export const SYSTEM_ACTIONS = ['noop', 'journal.checkpoint', 'llm_context.prune'] as const;
export type SystemAction = (typeof SYSTEM_ACTIONS)[number];

export interface SystemExecutorOptions {
  store: CrudStore;
  /** Default TTL of `llm_context.prune` when the task does not give `ttl_days` (the gateway passes `[retention] llm_context_ttl_days`). */
  llmContextTtlDays: number;
  /** What `noop` reports as its time (default the wall clock). */
  clock?: Clock;
}

/**
 * The `system` executor: named gateway maintenance actions, so operators can schedule them as
 * tasks (a nightly checkpoint, an hourly prune) and see each run in the task's history.
 * - `noop`: a heartbeat task; succeeds with `{ at }` (proves the scheduler fires on time).
 * - `journal.checkpoint`: signs and records the journal heads that moved, now
 *   (`{ recorded, refused }`; `failed` with `not_configured` when the store has no checkpointer).
 * - `llm_context.prune`: deletes retained LLM context of turns that ended more than
 *   `executor_config.ttl_days` (default the settings') days ago, in bounded batches (`{ pruned, more }`).
 * An unknown action fails the run with `unknown_action` (no retry will help, but the policy decides).
 */
export function systemExecutor(options: SystemExecutorOptions): TaskExecutor {
  return {
    kind: 'system',
    async execute(execution: TaskExecution): Promise<ExecutionResult> {
      const action = execution.config['action'];
      switch (action) {
        case 'noop':
          return { outcome: 'succeeded', result: { action, at: (options.clock ?? systemClock).now().toISOString() } };
        case 'journal.checkpoint': {
          const checkpoints = options.store.checkpoints;
          if (!checkpoints) return { outcome: 'failed', error: { code: 'not_configured', message: 'this store has no journal checkpointer' } };
          const outcome = await checkpoints.checkpoint('interval');
          return { outcome: 'succeeded', result: { action, recorded: outcome.recorded.length, refused: outcome.refused.length } };
        }
        case 'llm_context.prune': {
          const days = typeof execution.config['ttl_days'] === 'number' ? execution.config['ttl_days'] : options.llmContextTtlDays;
          if (!(days > 0)) return { outcome: 'failed', error: { code: 'invalid_input', message: 'ttl_days must be a positive number' } };
          let pruned = 0;
          let more = false;
          for (let batch = 0; batch < 100 && !execution.signal.aborted; batch++) {
            const result = await options.store.turnRecords.pruneLlmContext({ ttl_ms: Math.round(days * DAY_MS) });
            pruned += result.pruned;
            more = result.more;
            if (!result.more || result.busy) break;
          }
          return { outcome: 'succeeded', result: { action, pruned, more } };
        }
        default:
          return {
            outcome: 'failed',
            error: { code: 'unknown_action', message: `system tasks run one of ${SYSTEM_ACTIONS.join(', ')}; got ${JSON.stringify(action)?.slice(0, 80)}` },
          };
      }
    },
  };
}
