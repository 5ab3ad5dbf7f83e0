import { resolveArtifactsRoot } from '@cairn/config';
import { ArtifactService, LocalArtifactBlobStore, type GcPlan, type GcReport } from '@cairn/artifacts';
import type { CrudStore } from '@cairn/crud';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { withRuntimeStore } from './runtime-tokens.js';

/** The artifact service of a runtime home (its blob root from `[artifacts] root`) over an open store. */
export function runtimeArtifacts(options: RuntimeOptions, store: CrudStore): ArtifactService {
  const { paths, settings } = resolveRuntime(options);
  return new ArtifactService({ store, blobs: new LocalArtifactBlobStore({ root: resolveArtifactsRoot(settings, paths) }), settings });
}

export interface ArtifactsGcResult {
  plan: GcPlan;
  /** null with `dryRun`. */
  report: GcReport | null;
}

/**
 * `cairn artifacts gc [--dry-run]`: plans a collection (orphan blobs past the grace period,
 * expired external refs) and, unless `dryRun`, executes it; execution
 * re-checks every blob in the store's transaction, so it is safe beside a serving gateway.
 */
export function artifactsGc(options: RuntimeOptions & { dryRun?: boolean }): Promise<ArtifactsGcResult> {
  return withRuntimeStore(options, async (store) => {
    const artifacts = runtimeArtifacts(options, store);
    const plan = await artifacts.gcPlan();
    return { plan, report: options.dryRun === true ? null : await artifacts.gcExecute(plan) };
  });
}
