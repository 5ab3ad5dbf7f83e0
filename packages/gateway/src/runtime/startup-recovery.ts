import type { CrudStore } from '@cairn/crud';

export interface RecoveryCount {
  detected: number;
  repaired: number;
  remaining: number;
}

export interface StartupRecoveryReport {
  /** Read-model invariants repaired, per kind (terminal turn with running attempts, ...). */
  turns: Record<string, RecoveryCount>;
  /** Recovery jobs whose worker claim had expired, handed back for re-claiming. */
  recoveryClaims: RecoveryCount;
}

/**
 * What the gateway does on every start, after migrations and before it takes traffic
 * (ARCHITECTURE.md, "Recovery"): repair turn read-model invariants a crash may have left
 * behind, and re-arm recovery jobs whose claims expired while no gateway ran. Each step
 * reports `{ detected, repaired, remaining }`.
 */
export async function runStartupRecovery(store: CrudStore): Promise<StartupRecoveryReport> {
  const turns = await store.repair.turns();
  const recoveryClaims = await store.recoveryJobs.rearmExpiredClaims();
  return { turns, recoveryClaims };
}
