import type { FastifyBaseLogger } from 'fastify';
import type { GatewaySettings } from '@cairn/config';
import type { CrudStore } from '@cairn/crud';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The LLM-context TTL prune: at start and every hour, retained LLM context of turns that ended
 * more than `retention.llm_context_ttl_days` ago is deleted, in batches that yield to
 * foreground writers (`more` runs the next batch at once). 0 days: off. Returns the stop function.
 */
export function startLlmContextPrune(store: CrudStore, settings: GatewaySettings, log: FastifyBaseLogger): () => Promise<void> {
  const days = settings.retention.llm_context_ttl_days;
  if (days <= 0) return async () => {};
  let stopped = false;
  let running: Promise<void> | undefined;
  const pass = async () => {
    let pruned = 0;
    for (let batches = 0; batches < 100 && !stopped; batches++) {
      const result = await store.turnRecords.pruneLlmContext({ ttl_ms: days * DAY_MS });
      pruned += result.pruned;
      if (!result.more || result.busy) break;
    }
    if (pruned > 0) log.info({ pruned }, 'retained LLM context past its TTL pruned');
  };
  const tick = () => {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) => log.warn({ err: error }, 'LLM-context prune failed; the next tick retries'))
      .finally(() => {
        running = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, HOUR_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
