import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { JournalEventRow } from '../journal-row.js';

/** The first line of every segment names its format; a later encoding gets a new tag. */
export const ARCHIVE_FORMAT = 'cairn.archive.v1';
const NAME = /^(\d{12})-(\d{12})\.jsonl\.gz$/;

/** A journal row as a segment stores it: every column, the payload as its canonical text. */
export type ArchivedRow = JournalEventRow & { hash_version: number };

/**
 * Line 1 of a segment. `prev_hash` is the chain link the segment starts from (the hash of the
 * workspace's event first_seq - 1, genesis for seq 1), `last_hash` the one it ends at (the
 * `prev_hash` of the next segment's first row, or of the first live row), and
 * `prev_segment_sha256` the previous segment's own SHA-256: segments link by events AND by file.
 */
export interface SegmentHeader {
  format: typeof ARCHIVE_FORMAT;
  workspace_id: string;
  first_seq: number;
  last_seq: number;
  first_position: number;
  last_position: number;
  count: number;
  prev_hash: string;
  last_hash: string;
  prev_segment_sha256: string | null;
}

export interface Segment {
  header: SegmentHeader;
  rows: ArchivedRow[];
  /** SHA-256 (hex) of the uncompressed lines before the trailer: the segment's own hash. */
  sha256: string;
}

export interface SegmentFile {
  name: string;
  path: string;
  firstSeq: number;
  lastSeq: number;
}

/** Why a segment cannot be read as one: the caller names the file. */
export class SegmentError extends Error {
  override readonly name = 'SegmentError';
}

/** `<first>-<last>.jsonl.gz`, seqs zero-padded to 12 digits so names sort in chain order. */
export function segmentName(firstSeq: number, lastSeq: number): string {
  return `${String(firstSeq).padStart(12, '0')}-${String(lastSeq).padStart(12, '0')}.jsonl.gz`;
}

/**
 * The directory of a workspace's segments under the archive root. Ids of letters, digits, `_`
 * and `-` are used as they are; any other id (a dot, a slash, a very long one) by its SHA-256,
 * so no id can name a path outside the root.
 */
export function workspaceArchiveDir(archiveDir: string, workspaceId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,120}$/.test(workspaceId) ? workspaceId : `h-${createHash('sha256').update(workspaceId, 'utf8').digest('hex')}`;
  return join(archiveDir, safe);
}

/** The segment files of a workspace, in first-seq order (temps and strangers ignored). */
export function listSegments(archiveDir: string, workspaceId: string): SegmentFile[] {
  const dir = workspaceArchiveDir(archiveDir, workspaceId);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: SegmentFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (m) files.push({ name, path: join(dir, name), firstSeq: Number(m[1]), lastSeq: Number(m[2]) });
  }
  return files.sort((a, b) => a.firstSeq - b.firstSeq || a.lastSeq - b.lastSeq);
}

/** The gzip bytes of a segment: header line, one line per row, then `{"sha256": ...}` over everything before it. */
export function encodeSegment(rows: readonly ArchivedRow[], prevHash: string, prevSegmentSha256: string | null): { bytes: Buffer; header: SegmentHeader; sha256: string } {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) throw new RangeError('a segment holds at least one event');
  const header: SegmentHeader = {
    format: ARCHIVE_FORMAT,
    workspace_id: first.workspace_id,
    first_seq: first.workspace_seq,
    last_seq: last.workspace_seq,
    first_position: first.position,
    last_position: last.position,
    count: rows.length,
    prev_hash: prevHash,
    last_hash: last.hash,
    prev_segment_sha256: prevSegmentSha256,
  };
  const body = [header, ...rows].map((line) => `${JSON.stringify(line)}\n`).join('');
  const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
  return { bytes: gzipSync(`${body}${JSON.stringify({ sha256 })}\n`), header, sha256 };
}

/**
 * Reads and checks a segment as a file: gzip, the trailer's SHA-256 over the lines before it,
 * the header's format, the name against the header's range, the count. Throws `SegmentError`.
 * The events' own links are the caller's (the chain walk) to check.
 */
export function readSegment(file: SegmentFile): Segment {
  let text: string;
  try {
    text = gunzipSync(readFileSync(file.path)).toString('utf8');
  } catch (error) {
    throw new SegmentError(`${file.name}: not a readable gzip file (${(error as Error).message})`);
  }
  const cut = text.lastIndexOf('\n', text.length - 2);
  if (cut < 0 || !text.endsWith('\n')) throw new SegmentError(`${file.name}: truncated (no trailer)`);
  const body = text.slice(0, cut + 1);
  const trailer = parse(file, text.slice(cut + 1, -1)) as { sha256?: unknown };
  const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
  if (trailer.sha256 !== sha256) throw new SegmentError(`${file.name}: SHA-256 ${sha256} is not the recorded ${String(trailer.sha256)}`);
  const lines = body.slice(0, -1).split('\n');
  const header = parse(file, lines[0] ?? '') as SegmentHeader;
  const rows = lines.slice(1).map((line) => parse(file, line) as ArchivedRow);
  if (header.format !== ARCHIVE_FORMAT) throw new SegmentError(`${file.name}: unknown format ${String(header.format)}`);
  if (header.first_seq !== file.firstSeq || header.last_seq !== file.lastSeq) {
    throw new SegmentError(`${file.name}: its header holds seqs ${header.first_seq}..${header.last_seq}`);
  }
  if (header.count !== rows.length || header.last_seq - header.first_seq + 1 !== rows.length) {
    throw new SegmentError(`${file.name}: ${rows.length} events for a range of ${header.last_seq - header.first_seq + 1} (count ${header.count})`);
  }
  return { header, rows, sha256 };
}

function parse(file: SegmentFile, line: string): unknown {
  try {
    const value = JSON.parse(line) as unknown;
    if (value === null || typeof value !== 'object') throw new Error('not an object');
    return value;
  } catch (error) {
    throw new SegmentError(`${file.name}: a line is not a JSON object (${(error as Error).message})`);
  }
}
