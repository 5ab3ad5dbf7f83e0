import { CairnError, checkValue, TaskError } from '@cairn/protocol';
import type { CompleteRunInput, CompleteRunResult, TaskDeps } from '../task-types.js';
import { heldRun } from './claim-runs.js';
import { endRun } from './run-end.js';
import { checkStep } from './step-input.js';

const OUTCOMES = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

/**
 * The executor's end of a run, in one transaction: the run ends with `outcome`; then the
 * retry policy (another attempt queued at its backoff time, or this was the final outcome),
 * the dependencies (dependents whose condition is now met are queued, those it can no longer
 * meet fail or are cancelled), the deliveries. Only `owner` while it holds the lease
 * (`lease_lost` once the lease was recovered or the task cancelled).
 */
export async function completeRun(deps: TaskDeps, input: CompleteRunInput): Promise<CompleteRunResult> {
  checkStep('completeRun', input, { owner: true });
  if (!OUTCOMES.has(input.outcome)) throw new CairnError('invalid_params', 'completeRun: outcome is succeeded, failed, timed_out or cancelled', { details: { outcome: input.outcome } });
  if (input.error !== undefined && !checkValue(TaskError, input.error).ok) throw new CairnError('invalid_params', 'completeRun: error is { code, message }');
  if (input.result !== undefined && JSON.stringify(input.result).length > 256 * 1024) throw new CairnError('payload_too_large', 'completeRun: result is larger than 256 KiB');
  const now = input.now.toISOString();
  return deps.context.write(async (ctx) => {
    const { run, state } = await heldRun(ctx, input.run_id, input.owner);
    const error = input.error ?? (input.outcome === 'succeeded' ? null : { code: input.outcome, message: `the run ${input.outcome.replace('_', ' ')}` });
    return endRun(ctx, deps, { state, run, outcome: input.outcome, now, result: input.result, error, idempotencyKey: `run:${run.run_id}:end` });
  });
}
