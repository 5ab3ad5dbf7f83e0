import type { GatewaySettings } from '@cairn/config';
import type { CrudStore, RetainReport } from '@cairn/crud';
import type { RuntimeLog } from './runtime-options.js';

/** The gateway's retention worker (`[journal_retention]`, only when enabled). */
export interface JournalRetentionWorker {
  /** One run now (queued after a run in progress); its report. */
  runOnce(): Promise<RetainReport>;
  /** Stops the timer and waits for a run in progress. Call before the store closes. */
  stop(): Promise<void>;
}

/**
 * Runs `store.retention.retain` with the settings' policy at start and every `every_seconds`,
 * one run at a time. A failed run is logged and retried at the next tick: retention is crash
 * safe at every step (see crud's README), so a half-done run costs nothing but time.
 */
export function startJournalRetention(store: CrudStore, settings: GatewaySettings, log?: RuntimeLog): JournalRetentionWorker | undefined {
  const policy = settings.journal_retention;
  if (!policy.enabled) return undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const runOnce = (): Promise<RetainReport> => {
    const run = queue.then(() => store.retention.retain({ keepDays: policy.keep_days, keepEvents: policy.keep_events, segmentEvents: policy.segment_events }));
    queue = run.catch(() => undefined);
    return run;
  };
  const tick = () => {
    if (stopped) return;
    runOnce().then(
      (report) => {
        if (report.archived > 0 || report.recovered.completed.length + report.recovered.removed.length > 0) {
          log?.info({ archived: report.archived, workspaces: report.workspaces.length, recovered: report.recovered }, 'journal retention: events moved to archive segments');
        }
      },
      (error: unknown) => log?.warn({ err: error }, 'journal retention run failed; retrying at the next interval'),
    );
  };
  const timer = setInterval(tick, policy.every_seconds * 1000);
  timer.unref();
  tick();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
    },
  };
}
