import type { Command } from 'commander';
import type { CairnEnv } from '@cairn/config';
import { artifactsGc, type ArtifactsGcResult } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';
import { output } from './output.js';

type Add = (parent: Command, name: string) => Command;

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function describeGc(result: ArtifactsGcResult): string[] {
  const { plan, report } = result;
  const lines = [
    `${report === null ? 'plan (dry run, nothing removed)' : 'gc'}: blobs older than ${plan.older_than} without a reference`,
    `  orphan blobs: ${plan.orphan_blobs.length} (${mb(plan.bytes_reclaimable)})${plan.truncated ? ', more next run' : ''}`,
    ...plan.orphan_blobs.slice(0, 50).map((o) => `    ${o.workspace_id} ${o.sha256} ${o.size_bytes} bytes (${o.reason.replace(/_/g, ' ')})`),
    ...(plan.orphan_blobs.length > 50 ? [`    ... and ${plan.orphan_blobs.length - 50} more (--json lists all)`] : []),
    `  expired external refs: ${plan.expired_external_refs}`,
  ];
  if (report !== null) {
    lines.push(
      `removed ${report.blobs_deleted} blob(s) (${mb(report.bytes_deleted)}), kept ${report.blobs_kept} referenced again or too young, ` +
        `${report.temps_removed} temp file(s), ${report.external_refs_pruned} external ref(s)`,
    );
  }
  return lines;
}

/**
 * `cairn artifacts gc [--dry-run]`: collects orphan artifact blobs of the runtime home (past the
 * `[artifacts] gc_grace_hours` grace period) and expired external refs.
 * Safe beside a serving gateway: every blob is re-checked in the store's transaction first.
 */
export function registerArtifactCommands(artifacts: Command, add: Add, env: CairnEnv, global: () => GlobalOptions): void {
  const home = () => (global().home !== undefined ? { home: global().home } : {});
  add(artifacts, 'gc')
    .description('remove orphan blobs older than the grace period and expired external refs')
    .option('--dry-run', 'only show the plan')
    .action(async (options: { dryRun?: boolean }) => {
      const result = await artifactsGc({ env, ...home(), dryRun: options.dryRun === true });
      output(global(), result, () => describeGc(result));
    });
}
