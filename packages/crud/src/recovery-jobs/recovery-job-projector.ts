import { violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { decideRecoveryClosed, decideRecoveryOpened, decideRetryScheduled, decideTurnEnd } from './project-recovery-jobs.js';

type Handler = (ctx: WriteContext, event: PendingEvent) => Promise<Decision>;

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['recovery.opened', decideRecoveryOpened],
  ['retry.scheduled', decideRetryScheduled],
  ['recovery.succeeded', decideRecoveryClosed],
  ['recovery.exhausted', decideRecoveryClosed],
  ['turn.completed', decideTurnEnd],
  ['turn.failed', decideTurnEnd],
  ['turn.cancelled', decideTurnEnd],
]);

/**
 * Projects the recovery work queue from the turn stream: `recovery.opened` and
 * `retry.scheduled` open or re-arm a job, `recovery.succeeded` / `recovery.exhausted` close
 * it, and the turn's end abandons what is still open. A replay is `noop_already_started`
 * (the job is open as the event says) or `noop_already_terminal` (it is closed).
 *
 * Claims (who holds a job, until when) are worker state outside the journal
 * (`RecoveryJobStore`): a rebuild re-opens the jobs the journal leaves open, unclaimed.
 */
export class RecoveryJobProjector implements Projector {
  readonly name = 'recovery-jobs';
  readonly canHandle: readonly string[] = [...HANDLERS.keys()];
  readonly tables = ['recovery_job'] as const;

  async decide(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    const handler = HANDLERS.get(event.type);
    return handler ? handler(ctx, event) : violation(`recovery-jobs does not handle ${event.type}`);
  }
}
