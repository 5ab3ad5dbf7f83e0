import type { SecretResolver } from '@cairn/keystore';
import { hasErrorCode } from '@cairn/protocol';
import type { Clock } from './clock.js';
import type { ClaimedDelivery } from '@cairn/crud';
import type { SchedulerStore } from './scheduler-store.js';
import { sendWebhook } from './webhook.js';

/** What delivering needs: the keystore's resolver for signing secrets, one attempt's timeout, the clock, the stop signal. */
export interface DeliveryContext {
  secrets: SecretResolver;
  webhookTimeoutMs: number;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * Attempts one claimed delivery and records the attempt (the store applies backoff and max
 * attempts). A thread delivery (owner thread or another thread) is delivered by recording it:
 * `task.delivery.delivered` carries the target thread in its envelope, so that thread's
 * subscribers are notified from the journal like for any other event. A webhook is POSTed
 * (signed when the delivery names a `secret_ref`, resolved now and kept nowhere). An attempt
 * cut short by shutdown records nothing: its claim expires and it is attempted again.
 */
export async function deliverOne(
  tasks: SchedulerStore,
  owner: string,
  claimed: ClaimedDelivery,
  context: DeliveryContext,
  onRecorded: (outcome: 'delivered' | 'failed') => void = () => {},
): Promise<void> {
  const { delivery } = claimed;
  const record = async (outcome: 'delivered' | 'failed', extra: { error?: string; response_status?: number } = {}) => {
    await tasks.recordDeliveryAttempt({ delivery_id: delivery.delivery_id, owner, now: context.clock.now(), outcome, ...extra });
    onRecorded(outcome);
  };
  if (delivery.kind !== 'webhook') {
    await record('delivered');
    return;
  }
  if (delivery.url === null) {
    await record('failed', { error: 'the webhook delivery has no url' });
    return;
  }
  let secret: string | undefined;
  if (delivery.secret_ref !== null) {
    try {
      secret = await context.secrets.resolve(delivery.secret_ref);
    } catch (error) {
      // The ref is not secret; the reason is: never the value (there is none), only what is wrong.
      await record('failed', { error: hasErrorCode(error, 'not_found') ? `no signing secret at ${delivery.secret_ref}` : 'the signing secret could not be read' });
      return;
    }
  }
  const outcome = await sendWebhook({
    url: delivery.url,
    body: {
      delivery_id: delivery.delivery_id,
      attempt: delivery.attempts + 1,
      workspace_id: delivery.workspace_id,
      task_id: delivery.task_id,
      run_id: delivery.run_id,
      payload: delivery.payload ?? null,
    },
    secret,
    timeoutMs: context.webhookTimeoutMs,
    headers: { 'x-cairn-delivery': delivery.delivery_id, 'x-cairn-task': delivery.task_id, 'x-cairn-run': delivery.run_id },
    signal: context.signal,
    clock: context.clock,
  });
  // Stopped by shutdown: no attempt is recorded; the claim expires and a scheduler tries again.
  if (!outcome.delivered && outcome.error.code === 'aborted') return;
  if (outcome.delivered) await record('delivered', { response_status: outcome.status });
  else await record('failed', { error: outcome.error.message, ...(outcome.status !== null ? { response_status: outcome.status } : {}) });
}
