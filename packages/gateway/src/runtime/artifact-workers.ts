import type { FastifyBaseLogger } from 'fastify';
import type { ArtifactService } from '@cairn/artifacts';

export interface ArtifactWorkerOptions {
  /** Between projection polls, ms (a kick runs one at once). */
  projectionIntervalMs?: number;
  /** Between GC runs, ms (also the first run's delay). */
  gcIntervalMs?: number;
  /** After a batch that journaled projection results: wake the notification hub for these workspaces. */
  onCommitted: (workspaceId: string) => void;
}

export interface ArtifactWorkers {
  /** Run the projection pass now (after an ingest). */
  kick(): void;
  stop(): Promise<void>;
}

const MINUTE = 60_000;
/** Batches one projection pass runs at most before yielding to the next tick. */
const PASS_BATCHES = 20;

/**
 * The artifact workers: projections off the request path (claimed in batches; each result is
 * journaled, so `artifact/projection/updated` reaches clients through the hub), GC every hour
 * (plan, then execute, which re-checks each blob). Expired upload sessions and their temps are
 * the transfer service's to prune (`TransferService.startPruning`, at start and every minute),
 * since it knows which uploads are live. A failed pass is logged and retried at the next tick; `stop`
 * waits for a running pass.
 */
export function startArtifactWorkers(artifacts: ArtifactService, log: FastifyBaseLogger, options: ArtifactWorkerOptions): ArtifactWorkers {
  let stopped = false;
  const running = new Set<Promise<void>>();
  const guard = (name: string, pass: () => Promise<void>) => {
    let busy = false;
    return () => {
      if (busy || stopped) return;
      busy = true;
      const p = pass()
        .catch((error: unknown) => log.warn({ err: error }, `artifact ${name} failed; the next tick retries`))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
    };
  };
  const projections = guard('projections', async () => {
    for (let i = 0; i < PASS_BATCHES && !stopped; i++) {
      const report = await artifacts.runPendingProjections({ limit: 8 });
      for (const ws of report.workspaces) options.onCommitted(ws);
      if (report.claimed === 0) break;
    }
  });
  const gc = guard('gc', async () => {
    const plan = await artifacts.gcPlan();
    if (plan.orphan_blobs.length === 0 && plan.expired_external_refs === 0 && plan.stale_projections.length === 0) return;
    const report = await artifacts.gcExecute(plan);
    // Released projections are journaled: their subscribers hear artifact/projection/updated.
    for (const ws of report.workspaces) options.onCommitted(ws);
    log.info({ gc: report }, 'artifact GC done');
  });
  projections();
  const timers = [
    setInterval(projections, options.projectionIntervalMs ?? 1_000),
    setInterval(gc, options.gcIntervalMs ?? 60 * MINUTE),
  ];
  for (const t of timers) t.unref();
  return {
    kick: projections,
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
