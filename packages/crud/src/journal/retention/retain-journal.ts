import { existsSync, rmSync } from 'node:fs';
import { ensurePrivateDirectory, fsyncDirectory, removeLeftoverTempFiles, writeFileDurably } from '@cairn/sqlite';
import type { StoragePort, WriteContext } from '../../port/types.js';
import { readChainHeads } from '../chain-heads.js';
import { GENESIS_HASH } from '../hash-event.js';
import { EVENT_COLUMNS } from '../journal-row.js';

export type { RetentionPoint } from './read-archive.js';
import { encodeSegment, listSegments, readSegment, segmentName, workspaceArchiveDir, type ArchivedRow, type SegmentFile } from './archive-segment.js';
import { readRetentionPoint, type RetentionPoint } from './read-archive.js';
import { checkPolicy, eligiblePrefix, type RetentionPolicy } from './retention-policy.js';

/** What retention needs of the storage: reads and writes (the store context's, errors already crud's). */
export type RetentionPort = Pick<StoragePort, 'read' | 'write'>;


export interface RetainReport {
  /** Per workspace that moved: the retention point before and after, and the segments written. */
  workspaces: Array<{ workspaceId: string; fromSeq: number; toSeq: number; segments: string[] }>;
  /** Events moved out of gateway.db by this run. */
  archived: number;
  /**
   * Segments found beyond the retention point: completed (their rows then removed), removed (not
   * whole or not equal to the live rows, which are all still there), or kept untouched (their
   * range reaches past the live journal, so they may hold the only copy of some events).
   */
  recovered: { completed: string[]; removed: string[]; kept: string[] };
}

const COLUMNS = `${EVENT_COLUMNS}, hash_version`;
const LIVE_IN_RANGE = 'SELECT count(*) AS n FROM journal_event WHERE workspace_id = ? AND workspace_seq BETWEEN ? AND ?';
const ROWS_AFTER = `SELECT ${COLUMNS} FROM journal_event WHERE workspace_id = ? AND workspace_seq > ? ORDER BY workspace_seq LIMIT ?`;

/**
 * Moves every workspace's events that the policy lets go into archive segments, oldest first,
 * one segment (at most `segmentEvents` events) at a time. The order makes a SIGKILL at any
 * instant safe: (1) the segment is written whole and durably (temp file, fsync, link to its
 * name, directory fsync) while its rows are still live; (2) ONE transaction moves the
 * retention point to its last event, records its streams' heads, and deletes its rows oldest
 * first (the only DELETE migration 0007's trigger allows). A crash before (2) leaves a segment
 * whose rows are live: `recoverArchive`, run first, completes it if it is whole and equal to
 * the live rows, else removes it. So an event is always live, or in a complete segment the
 * retention point vouches for, never in neither.
 */
export async function retainJournal(port: RetentionPort, archiveDir: string, policy: RetentionPolicy, now: Date): Promise<RetainReport> {
  const checked = checkPolicy(policy);
  const recovered = await recoverArchive(port, archiveDir);
  const report: RetainReport = { workspaces: [], archived: 0, recovered };
  const heads = await port.read((q) => readChainHeads(q));
  for (const head of heads) {
    const point = await port.read((q) => readRetentionPoint(q, head.workspaceId));
    const moved = { workspaceId: head.workspaceId, fromSeq: point?.workspaceSeq ?? 0, toSeq: point?.workspaceSeq ?? 0, segments: [] as string[] };
    let previous = point ? lastSegmentSha(archiveDir, head.workspaceId, point) : null;
    for (;;) {
      const rows = await port.read((q) => q.all<ArchivedRow>(ROWS_AFTER, [head.workspaceId, moved.toSeq, checked.segmentEvents]));
      const n = eligiblePrefix(rows, head.workspaceSeq, checked, now);
      if (n === 0) break;
      const segmentRows = rows.slice(0, n);
      const prevHash = segmentRows[0]!.prev_hash;
      const { bytes, header, sha256 } = encodeSegment(segmentRows, prevHash, previous);
      const dir = workspaceArchiveDir(archiveDir, head.workspaceId);
      ensurePrivateDirectory(dir);
      const name = segmentName(header.first_seq, header.last_seq);
      try {
        writeFileDurably(`${dir}/${name}`, bytes, { mode: 0o600, commit: 'create' });
      } catch (error) {
        if ((error as { code?: unknown }).code === 'file_exists') break; // another process is archiving this range
        throw error;
      }
      const done = await port.write((ctx) => commitRetention(ctx, segmentRows, moved.toSeq, now));
      if (!done) {
        // Another process moved the point first (perhaps by completing this very file in its recovery).
        await discardUnlessInForce(port, archiveDir, head.workspaceId, { name, path: `${dir}/${name}`, firstSeq: header.first_seq, lastSeq: header.last_seq });
        break;
      }
      moved.toSeq = header.last_seq;
      moved.segments.push(name);
      report.archived += n;
      previous = sha256;
      if (n < rows.length || rows.length < checked.segmentEvents) break;
    }
    if (moved.segments.length > 0) report.workspaces.push(moved);
  }
  return report;
}

/**
 * Step (2): in the caller's write transaction, under the write lock. Re-reads the point (another
 * process may have retained meanwhile) and refuses (false) unless it is still `fromSeq` and the
 * segment's rows are still the live rows after it; then moves the point and deletes the rows.
 */
async function commitRetention(ctx: WriteContext, rows: readonly ArchivedRow[], fromSeq: number, now: Date): Promise<boolean> {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  // Appends of this workspace wait (its head stays live anyway); the point read below is then the latest.
  await ctx.dialect.lockWorkspace(ctx, first.workspace_id);
  const point = await readRetentionPoint(ctx, first.workspace_id);
  if ((point?.workspaceSeq ?? 0) !== fromSeq) return false;
  // The segment must be exactly the live rows it replaces, column for column.
  const live = await ctx.all<ArchivedRow>(ROWS_AFTER, [first.workspace_id, fromSeq, rows.length]);
  if (live.length !== rows.length || live.some((row, i) => JSON.stringify(row) !== JSON.stringify(rows[i]))) return false;
  const at = now.toISOString();
  if (point) {
    await ctx.run('UPDATE journal_retention SET workspace_seq = ?, position = ?, hash = ?, retained_at = ? WHERE workspace_id = ?', [last.workspace_seq, last.position, last.hash, at, last.workspace_id]);
  } else {
    await ctx.run('INSERT INTO journal_retention (workspace_id, workspace_seq, position, hash, retained_at) VALUES (?, ?, ?, ?, ?)', [last.workspace_id, last.workspace_seq, last.position, last.hash, at]);
  }
  const streamHeads = new Map<string, ArchivedRow>();
  for (const row of rows) streamHeads.set(`${row.stream_type}\u0000${row.stream_id}`, row);
  for (const row of streamHeads.values()) {
    await ctx.run(
      `INSERT INTO journal_stream_retention (stream_type, stream_id, workspace_id, stream_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (stream_type, stream_id) DO UPDATE SET stream_seq = excluded.stream_seq WHERE excluded.stream_seq > journal_stream_retention.stream_seq`,
      [row.stream_type, row.stream_id, row.workspace_id, row.stream_seq],
    );
  }
  // Oldest first: the trigger refuses a row while an older one of its workspace is live.
  for (const row of rows) await ctx.run('DELETE FROM journal_event WHERE workspace_id = ? AND workspace_seq = ?', [row.workspace_id, row.workspace_seq]);
  return true;
}

/**
 * At start (and before every run): every segment beyond its workspace's retention point was
 * written by a run that died before its transaction. If it reads back whole, starts at the
 * point and holds exactly the live rows after it, the transaction is redone; otherwise the
 * file goes (its rows are all still live, so nothing is lost). Temps a dead writer left go too.
 */
export async function recoverArchive(port: RetentionPort, archiveDir: string): Promise<RetainReport['recovered']> {
  const recovered: RetainReport['recovered'] = { completed: [], removed: [], kept: [] };
  if (!existsSync(archiveDir)) return recovered;
  const points = await port.read((q) => q.all<RetentionPoint>('SELECT workspace_id AS "workspaceId", workspace_seq AS "workspaceSeq", position, hash FROM journal_retention'));
  const heads = await port.read((q) => readChainHeads(q));
  const byWorkspace = new Map(points.map((p) => [p.workspaceId, p]));
  for (const { workspaceId } of heads) {
    const dir = workspaceArchiveDir(archiveDir, workspaceId);
    removeLeftoverTempFiles(dir);
    let point = byWorkspace.get(workspaceId);
    for (const file of listSegments(archiveDir, workspaceId)) {
      const fromSeq = point?.workspaceSeq ?? 0;
      if (file.lastSeq <= fromSeq) continue; // in force: verify's business
      if (file.firstSeq <= fromSeq) continue; // straddles the point: never written so; verify names it
      // Only a file whose whole range is still live may go: one reaching past the head (a file kept
      // from before a restore of an older backup) may hold the only copy of its events.
      const liveCount = await port.read(async (q) => (await q.get<{ n: number }>(LIVE_IN_RANGE, [workspaceId, file.firstSeq, file.lastSeq]))?.n ?? 0);
      if (liveCount !== file.lastSeq - file.firstSeq + 1) {
        recovered.kept.push(file.name);
        continue;
      }
      const rows = completeSegment(port, archiveDir, file, point);
      const done = rows ? await port.write((ctx) => commitRetention(ctx, rows, fromSeq, new Date())) : false;
      if (done && rows) {
        const last = rows[rows.length - 1]!;
        point = { workspaceId, workspaceSeq: last.workspace_seq, position: last.position, hash: last.hash };
        recovered.completed.push(file.name);
      } else if (await discardUnlessInForce(port, archiveDir, workspaceId, file)) {
        recovered.removed.push(file.name);
      } else {
        point = await port.read((q) => readRetentionPoint(q, workspaceId));
      }
    }
  }
  return recovered;
}

/** The segment's rows if it reads back whole, follows the point (event and file links), and equals the live rows; else undefined. */
function completeSegment(port: RetentionPort, archiveDir: string, file: SegmentFile, point: RetentionPoint | undefined): ArchivedRow[] | undefined {
  let segment;
  try {
    segment = readSegment(file);
  } catch {
    return undefined;
  }
  const { header, rows } = segment;
  if (header.first_seq !== (point?.workspaceSeq ?? 0) + 1 || header.prev_hash !== (point?.hash ?? GENESIS_HASH)) return undefined;
  if (point && header.prev_segment_sha256 !== lastSegmentSha(archiveDir, header.workspace_id, point)) return undefined;
  return rows.every((r) => r.hash_version === 2) ? rows : undefined;
}

/**
 * Removes a segment whose transaction did not commit, unless another process committed it
 * meanwhile (its recovery completes the files of a run still in progress): a file that is the
 * only one starting at its seq and lies at or below the point is in force and stays. True when removed.
 */
async function discardUnlessInForce(port: RetentionPort, archiveDir: string, workspaceId: string, file: SegmentFile): Promise<boolean> {
  const point = await port.read((q) => readRetentionPoint(q, workspaceId));
  const sameStart = listSegments(archiveDir, workspaceId).filter((f) => f.firstSeq === file.firstSeq);
  if (point && file.lastSeq <= point.workspaceSeq && sameStart.length === 1) return false;
  const dir = workspaceArchiveDir(archiveDir, workspaceId);
  rmSync(file.path, { force: true });
  fsyncDirectory(dir);
  return true;
}

/**
 * The SHA-256 of the segment that ends at the retention point (what the next segment names).
 * Only that file is read: the chain before it is verify's to walk.
 */
function lastSegmentSha(archiveDir: string, workspaceId: string, point: RetentionPoint): string | null {
  const file = listSegments(archiveDir, workspaceId).find((f) => f.lastSeq === point.workspaceSeq);
  if (!file) return null;
  try {
    return readSegment(file).sha256;
  } catch {
    return null;
  }
}
