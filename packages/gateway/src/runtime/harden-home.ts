import { lstatSync } from 'node:fs';
import type { RuntimePaths } from '@cairn/config';
import { createFileMasterKeySource, hardenKeyFiles } from '@cairn/keystore';
import { ensurePrivateDirectory, hardenDatabaseFiles, type ModeChange } from '@cairn/sqlite';

/** Every hardening step of a home, in order; each returns what it changed (or would change). */
function steps(paths: RuntimePaths, dryRun: boolean): Array<() => ModeChange[]> {
  const options = { dryRun };
  return [
    () => ensurePrivateDirectory(paths.home, options),
    // Subdirectories are tightened (and refused if they are links, dangling or not) only once something made them.
    ...[paths.backupsDir, paths.artifactsDir].map((dir) => () => (lstatSync(dir, { throwIfNoEntry: false }) ? ensurePrivateDirectory(dir, options) : [])),
    () => hardenDatabaseFiles(paths.gatewayDb, options),
    () => hardenDatabaseFiles(paths.keystoreDb, options),
    // The key files whatever the key source: a stray keystore.key link is refused even when CAIRN_MASTER_KEY is set.
    () => hardenKeyFiles(createFileMasterKeySource(paths.home), options),
  ];
}

/**
 * Before anything is opened: the home and its subdirectories to at most 0700, the database
 * files and key files to at most 0600, never loosening a mode and never following a link
 * (`symlink_refused`). Returns every change made, for the caller to log.
 */
export function hardenRuntimeHome(paths: RuntimePaths): ModeChange[] {
  return steps(paths, false).flatMap((step) => step());
}

export interface HardeningPlan {
  /** What `hardenRuntimeHome` would change. */
  changes: ModeChange[];
  /** What it would refuse (a symlink, a file where a directory belongs), one message each. */
  refusals: string[];
}

/** `cairn doctor`'s view of hardening: what a start would change or refuse, changing nothing. */
export function planRuntimeHardening(paths: RuntimePaths): HardeningPlan {
  const plan: HardeningPlan = { changes: [], refusals: [] };
  for (const step of steps(paths, true)) {
    try {
      plan.changes.push(...step());
    } catch (error) {
      plan.refusals.push(error instanceof Error ? error.message : String(error));
    }
  }
  return plan;
}
