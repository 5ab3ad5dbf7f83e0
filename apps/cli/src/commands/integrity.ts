import type { CairnEnv } from '@cairn/config';
import { restoreRuntime, verifyRuntime, type RuntimeVerifyReport } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';
import { output } from './output.js';
import { startVerifyProgress } from './verify-progress.js';

const runtimeOf = (env: CairnEnv, global: GlobalOptions) => ({ env, ...(global.home !== undefined ? { home: global.home } : {}) });

/** `cairn verify`: integrity, the journal's chains, the signed checkpoints. Exit 1 on any finding. */
export async function verifyCommand(env: CairnEnv, global: GlobalOptions, options: { full?: boolean }): Promise<void> {
  const progress = startVerifyProgress({ json: global.json === true, home: global.home ?? env.home ?? '~/.cairn' });
  let report: RuntimeVerifyReport;
  try {
    report = await verifyRuntime({ ...runtimeOf(env, global), full: options.full === true, onProgress: (checked, total) => progress.update(checked, total), onBlobProgress: (p) => progress.updateBlobs(p.checked, p.total) });
  } finally {
    progress.stop();
  }
  output(global, report, () => describeVerify(report));
  if (!report.ok) process.exitCode = 1;
}

/** `cairn restore [backup]`: gateway.db (and keystore.db) from `<home>/backups/`, with a signed restore marker. */
export async function restoreCommand(env: CairnEnv, global: GlobalOptions, backup: string | undefined, options: { keystore?: string }): Promise<void> {
  const report = await restoreRuntime({
    ...runtimeOf(env, global),
    ...(backup !== undefined ? { backup } : {}),
    ...(options.keystore !== undefined ? { keystoreBackup: options.keystore } : {}),
  });
  output(global, report, () => [
    `restored ${report.home}/gateway.db from ${report.gateway} (${report.journal.checked} events, chain verified)`,
    ...(report.keystore ? [`restored ${report.home}/keystore.db from ${report.keystore}`] : []),
    `restore marker signed at ${report.marker.recordedAt} for ${report.marker.workspaces} workspace(s)` +
      (report.marker.supersededWorkspaces.length > 0 ? `; newer checkpoints superseded for ${report.marker.supersededWorkspaces.join(', ')}` : ''),
  ]);
}

function describeVerify(report: RuntimeVerifyReport): string[] {
  const lines = [`home ${report.home}: ${report.ok ? 'ok' : 'FINDINGS'}`];
  for (const [db, r] of Object.entries(report.integrity)) lines.push(`  integrity ${r.ok ? 'ok' : `FAILED: ${(r.problems ?? []).join('; ')}`} ${db}`);
  const j = report.journal;
  if (j.ok) lines.push(`  journal ok: ${j.checked} events${j.archived ? ` + ${j.archived} archived` : ''}, chains unbroken`);
  else if ('position' in j) lines.push(`  journal BROKEN ${j.segment ? `in archive segment ${j.segment}` : `at position ${j.position}`} (${j.reason}${j.workspaceId ? `, workspace ${j.workspaceId}` : ''}): ${j.detail}`);
  else lines.push(`  journal ${j.reason.toUpperCase()}: ${j.detail}`);
  const b = report.blobs;
  if (!b.checked) lines.push(`  blobs not checked: ${b.reason}`);
  else {
    const r = b.report;
    lines.push(`  blobs ${b.ok ? 'ok' : 'FINDINGS'}: ${r.checked} re-hashed (${r.bytes_checked} bytes) under ${b.root}, ${r.missing.length} missing, ${r.corrupt.length} corrupt`);
    for (const m of r.missing) lines.push(`    MISSING ${m.workspace_id} ${m.sha256} (${m.size_bytes} bytes)`);
    for (const c of r.corrupt) lines.push(`    CORRUPT ${c.workspace_id} ${c.sha256} (${c.size_bytes} bytes)`);
  }
  const c = report.checkpoints;
  if (!c.checked) {
    lines.push(`  checkpoints ${c.ok ? 'not checked' : 'FAILED'}: ${c.reason}`);
    return lines;
  }
  lines.push(`  checkpoints: ${c.checkpoints} signed (key ${c.signingKeyId || 'none'}), ${c.workspaces.length} workspace(s) anchored${c.unanchored.length ? `, ${c.unanchored.length} not yet` : ''}`);
  for (const w of c.workspaces) {
    lines.push(`    ${w.workspaceId}: newest #${w.newest.checkpointId} ${w.newest.kind} ${w.newest.recordedAt} at seq ${w.newest.workspaceSeq}: ${w.contained ? 'in the journal' : 'NOT in the journal'} (journal at seq ${w.journalSeq})`);
  }
  for (const r of c.restores) lines.push(`    restore marker ${r.recordedAt} from ${r.restoredFrom ?? '?'}: ${r.workspaces} workspace(s), ${r.superseded} newer checkpoint(s) superseded`);
  for (const f of c.findings) lines.push(`  ${f.reason}: ${f.detail}`);
  return lines;
}
