import type { CrudStore } from '@cairn/crud';
import { failLostBuiltinTurns } from '../agent/fail-lost-builtin-turns.js';

export interface RecoveryCount {
  detected: number;
  repaired: number;
  remaining: number;
}

export interface StartupRecoveryReport {
  /** Read-model invariants repaired, per kind (terminal turn with running attempts, ...). */
  turns: Record<string, RecoveryCount>;
  /** Task read-model invariants repaired, per kind (terminal task/run without completion time, running run whose lease expired). */
  tasks: Record<string, RecoveryCount>;
  /** Artifact usage counters (`artifact_usage`: bytes, files) recomputed from their rows, per workspace whose counters drifted. */
  artifactUsage: RecoveryCount;
  /** Recovery jobs whose worker claim had expired, handed back for re-claiming. */
  recoveryClaims: RecoveryCount;
  /** Built-in turns left running by a gateway that died, failed with `runtime_lost` (all zero when not applicable). */
  lostBuiltinTurns: RecoveryCount;
}

/**
 * What the gateway does on every start, after migrations and before it takes traffic
 * (ARCHITECTURE.md, "Recovery"): repair turn read-model invariants a crash may have left
 * behind (turns, tasks, artifact usage counters), and re-arm recovery jobs whose claims expired while no gateway ran. Each step
 * reports `{ detected, repaired, remaining }`.
 */
export async function runStartupRecovery(store: CrudStore, options: { failLostBuiltinTurns?: boolean } = {}): Promise<StartupRecoveryReport> {
  const turns = await store.repair.turns();
  const tasks = await store.repair.tasks();
  const artifactUsage = await store.artifacts.repairUsage();
  const recoveryClaims = await store.recoveryJobs.rearmExpiredClaims();
  const lostBuiltinTurns = options.failLostBuiltinTurns ? await failLostBuiltinTurns(store) : { detected: 0, repaired: 0, remaining: 0 };
  return { turns, tasks, artifactUsage, recoveryClaims, lostBuiltinTurns };
}
