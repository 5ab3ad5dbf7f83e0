import type { RebuildReport } from '@cairn/crud';
import { openRuntime } from './open-runtime.js';
import type { RuntimeOptions } from './runtime-options.js';
import type { StartupRecoveryReport } from './startup-recovery.js';

/**
 * `cairn repair`: what every start runs before it serves (read-model invariants, expired
 * recovery claims), on demand and without serving, through the same opening (keystore, held
 * text, checkpoints). Safe beside a running gateway: each repair is its own write job, and
 * built-in turns still running are left to whichever gateway runs them.
 */
export async function repairRuntime(options: RuntimeOptions = {}): Promise<StartupRecoveryReport> {
  const runtime = await openRuntime({ ...options, serving: false });
  try {
    return runtime.recovery;
  } finally {
    await runtime.close();
  }
}

/**
 * `cairn rebuild`: empties every read model and replays the whole journal (archive segments
 * first) through the projectors, in ONE write transaction: readers see the old read models
 * until it commits. It holds the write lock for its whole run, so a gateway serving the home
 * waits (SQLite: its writes may answer `busy`); run it with the gateway stopped when the
 * journal is large.
 */
export async function rebuildRuntime(options: RuntimeOptions = {}): Promise<RebuildReport> {
  const runtime = await openRuntime({ ...options, serving: false });
  try {
    return await runtime.store.repair.rebuild();
  } finally {
    await runtime.close();
  }
}
