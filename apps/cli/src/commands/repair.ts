import type { CairnEnv } from '@cairn/config';
import { rebuildRuntime, repairRuntime } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';
import { output } from './output.js';

const runtimeOf = (env: CairnEnv, global: GlobalOptions) => ({ env, ...(global.home !== undefined ? { home: global.home } : {}) });

/** `cairn repair`: the start's read-model repairs, now; exit 1 when something could not be repaired. */
export async function repairCommand(env: CairnEnv, global: GlobalOptions): Promise<void> {
  const report = await repairRuntime(runtimeOf(env, global));
  const counts = [...Object.entries(report.turns), ...Object.entries(report.tasks), ['artifact_usage', report.artifactUsage] as const, ['recovery_claims', report.recoveryClaims] as const];
  output(global, report, () =>
    counts.map(([kind, c]) => `${kind}: detected ${c.detected}, repaired ${c.repaired}, remaining ${c.remaining}`),
  );
  if (counts.some(([, c]) => c.remaining > 0)) process.exitCode = 1;
}

/** `cairn rebuild`: every read model dropped and replayed from the journal; exit 1 when a projector refused an event on replay. */
export async function rebuildCommand(env: CairnEnv, global: GlobalOptions): Promise<void> {
  const report = await rebuildRuntime(runtimeOf(env, global));
  output(global, report, () => [
    `rebuilt ${report.tables.length} read-model tables from ${report.events} journal events`,
    ...Object.entries(report.outcomes).map(([outcome, n]) => `  ${outcome}: ${n}`),
    ...report.violations.map((v) => `  REFUSED at position ${v.position} by ${v.projector} (${v.type}): ${v.reason}`),
  ]);
  if (report.violations.length > 0) process.exitCode = 1;
}
