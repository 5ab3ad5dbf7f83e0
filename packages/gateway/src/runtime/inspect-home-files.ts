import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RuntimePaths } from '@cairn/config';
import { inspectKeyFile, readMasterKeyEnv } from '@cairn/keystore';
import { checkDatabaseFile, listTempFiles, type TempFileEntry } from '@cairn/sqlite';

export interface FileFinding {
  path: string;
  kind: 'key_file' | 'backup' | 'temp_file';
  /** `problem` makes `cairn doctor` fail; `note` is worth knowing but harmless (the next start settles it). */
  status: 'ok' | 'note' | 'problem';
  message: string;
}

export interface HomeFilesHealth {
  findings: FileFinding[];
  /** No finding is a problem. */
  ok: boolean;
}

/**
 * What `cairn doctor` says about the files a start or a backup writes whole, read-only:
 * - `keystore.key`: a key, or empty / not a key (serve refuses either: `master_key_invalid`),
 *   or missing while keystore.db exists and `CAIRN_MASTER_KEY` is unset; a `keystore.key.next`
 *   is an interrupted rotation the next start settles.
 * - temp files in the home (`.<name>.<pid>-<hex>.cairn-tmp`): a write a crash interrupted,
 *   removed by the next start; or one another live process is making.
 * - every entry of `backups/`: a backup under its final name must pass `quick_check` (a hot
 *   `-journal` beside it fails it); a temp file is a backup that never completed; a `-journal`,
 *   `-wal` or `-shm` beside a backup means it was interrupted or opened since.
 * `quick_check` of each backup costs time linear in its size.
 */
export async function inspectHomeFiles(paths: RuntimePaths): Promise<HomeFilesHealth> {
  const findings = [...keyFileFindings(paths), ...listTempFiles(paths.home).map((entry) => tempFinding(entry, 'note')), ...(await backupFindings(paths.backupsDir))];
  return { findings, ok: findings.every((f) => f.status !== 'problem') };
}

function keyFileFindings(paths: RuntimePaths): FileFinding[] {
  const findings: FileFinding[] = [];
  const key = inspectKeyFile(paths.keystoreKey);
  const finding = (status: FileFinding['status'], message: string, path = paths.keystoreKey): FileFinding => ({ path, kind: 'key_file', status, message });
  if (key.status === 'ok') findings.push(finding('ok', `holds master key ${key.keyId}`));
  else if (key.status === 'empty') {
    findings.push(finding('problem', 'is empty (0 bytes), so serve refuses to start (master_key_invalid); an older build left it when killed during a first start. If no secret was set since, delete it and start again'));
  } else if (key.status === 'malformed') {
    findings.push(finding('problem', 'is not a Cairn keystore key (expected "cairn-keystore-key v1 <base64 of 32 bytes>"), so serve refuses to start (master_key_invalid)'));
  } else if (isFile(paths.keystoreDb) && (readMasterKeyEnv() ?? '').trim() === '') {
    findings.push(finding('problem', 'is missing while keystore.db exists and CAIRN_MASTER_KEY is not set, so serve refuses to start (master_key_invalid)'));
  }
  const next = inspectKeyFile(`${paths.keystoreKey}.next`);
  if (next.status !== 'missing') {
    const what = next.status === 'ok' ? `holds staged key ${next.keyId}` : `is ${next.status}`;
    findings.push(finding('note', `${what}: a rotation was interrupted; the next start promotes or discards it`, `${paths.keystoreKey}.next`));
  }
  return findings;
}

async function backupFindings(dir: string): Promise<FileFinding[]> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return []; // no backups/ yet (a missing or wrong directory is reported with the home's files)
  }
  const temps = listTempFiles(dir);
  const isTemp = new Set(temps.map((t) => t.path));
  const findings: FileFinding[] = temps.map((entry) => tempFinding(entry, 'problem'));
  for (const name of names) {
    const path = join(dir, name);
    if (isTemp.has(path)) continue;
    const finding = (status: FileFinding['status'], message: string): FileFinding => ({ path, kind: 'backup', status, message });
    const sibling = /^(.+\.db)-(journal|wal|shm)$/.exec(name);
    if (sibling) {
      findings.push(finding('problem', `${sibling[2]} beside backup ${sibling[1]}: a write to it was interrupted or it was opened since; it may not hold what it did`));
    } else if (name.endsWith('.db') && isFile(path)) {
      const check = await checkDatabaseFile(path, 'quick');
      findings.push(check.ok ? finding('ok', 'backup passes quick_check') : finding('problem', `backup fails quick_check: ${check.problems.join('; ')}`));
    } else {
      findings.push(finding('note', 'not a Cairn backup'));
    }
  }
  return findings;
}

function tempFinding(entry: TempFileEntry, leftoverStatus: 'note' | 'problem'): FileFinding {
  const kind = leftoverStatus === 'problem' ? 'backup' : 'temp_file';
  if (!entry.leftover) return { path: entry.path, kind, status: 'note', message: `being written by process ${entry.pid} (for ${entry.target})` };
  const what = leftoverStatus === 'problem' ? 'an incomplete backup, not a backup' : 'a write that was killed before it completed';
  const cleaner = leftoverStatus === 'problem' ? 'the next cairn backup' : 'the next start';
  return { path: entry.path, kind, status: leftoverStatus, message: `${what} (for ${entry.target}); ${cleaner} removes it` };
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
