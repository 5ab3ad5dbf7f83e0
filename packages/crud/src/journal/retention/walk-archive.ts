import { GENESIS_HASH, chainHash } from '../hash-event.js';
import type { VerifyFailureReason } from '../types.js';
import { listSegments, readSegment, SegmentError, type ArchivedRow, type SegmentFile } from './archive-segment.js';

/** Where a workspace's archive ends once walked: the link its first live row must follow. */
export interface ArchiveHead {
  seq: number;
  hash: string;
  /** The newest segment's own SHA-256 (null when there is none): the next segment's `prev_segment_sha256`. */
  segmentSha256: string | null;
  /** Every stream's last stream_seq in the archive. */
  streams: Map<string, Map<string, number>>;
  events: number;
}

export interface ArchiveFailure {
  reason: VerifyFailureReason;
  detail: string;
  segment: string;
  position: number;
  workspaceSeq?: number;
}

export interface WalkArchiveOptions {
  /** The retention point: segments starting after it are not yet in force (their rows are still live) and are skipped. */
  upToSeq: number;
  /** Each archived event, in seq order, after its link was checked. */
  onRow?: (row: ArchivedRow) => void;
}

/**
 * Walks one workspace's segments as the start of its chain: every segment must read back whole
 * (`readSegment`), start where the previous one ended (seq, event hash, and the previous file's
 * SHA-256), and every event in it must hash to its stored hash and extend its stream by one.
 * A missing first or middle segment is a seq gap, an altered one a SHA-256 or hash mismatch, a
 * reordered one a broken link. The caller compares the head with the retention point.
 */
export function walkArchive(archiveDir: string, workspaceId: string, options: WalkArchiveOptions): ArchiveHead | ArchiveFailure {
  const head: ArchiveHead = { seq: 0, hash: GENESIS_HASH, segmentSha256: null, streams: new Map(), events: 0 };
  for (const file of listSegments(archiveDir, workspaceId)) {
    if (file.firstSeq > options.upToSeq) break;
    const failure = walkSegment(file, workspaceId, head, options);
    if (failure) return failure;
  }
  return head;
}

function walkSegment(file: SegmentFile, workspaceId: string, head: ArchiveHead, options: WalkArchiveOptions): ArchiveFailure | undefined {
  let segment;
  try {
    segment = readSegment(file);
  } catch (error) {
    if (error instanceof SegmentError) return { reason: 'segment_corrupt', detail: error.message, segment: file.name, position: 0, workspaceSeq: file.firstSeq };
    throw error;
  }
  const { header, rows } = segment;
  const at = (reason: VerifyFailureReason, detail: string, row?: ArchivedRow): ArchiveFailure => ({
    reason,
    detail: `${file.name}: ${detail}`,
    segment: file.name,
    position: row?.position ?? header.first_position,
    workspaceSeq: row?.workspace_seq ?? header.first_seq,
  });
  if (header.workspace_id !== workspaceId) return at('segment_corrupt', `holds workspace ${header.workspace_id}`);
  if (header.first_seq !== head.seq + 1) return at('workspace_seq_gap', `expected a segment from seq ${head.seq + 1}, found one from ${header.first_seq}`);
  if (header.prev_hash !== head.hash) return at('prev_hash_mismatch', `starts from ${header.prev_hash}, the archive so far ends at ${head.hash}`);
  if (header.prev_segment_sha256 !== head.segmentSha256) {
    return at('segment_link_mismatch', `names ${String(header.prev_segment_sha256)} as the previous segment, which is ${String(head.segmentSha256)}`);
  }
  for (const row of rows) {
    if (row.workspace_id !== workspaceId || row.hash_version !== 2) return at('malformed_row', 'an event of another workspace or hash version', row);
    if (row.workspace_seq !== head.seq + 1) return at('workspace_seq_gap', `expected workspace_seq ${head.seq + 1}, found ${row.workspace_seq}`, row);
    if (row.prev_hash !== head.hash) return at('prev_hash_mismatch', `prev_hash ${row.prev_hash} is not the hash of its workspace's previous event ${head.hash}`, row);
    let computed: string;
    try {
      computed = chainHash(row.position, row.recorded_at, row.workspace_id, row.workspace_seq, row.stream_type, row.stream_id, row.stream_seq, row.thread_id, row.type, row.idempotency_key, row.payload, row.prev_hash);
    } catch {
      return at('malformed_row', 'a field holds a value of the wrong type', row);
    }
    if (computed !== row.hash) return at('hash_mismatch', `stored hash ${row.hash}, computed ${computed}`, row);
    let streams = head.streams.get(row.stream_type);
    if (!streams) head.streams.set(row.stream_type, (streams = new Map()));
    const streamHead = streams.get(row.stream_id) ?? 0;
    if (row.stream_seq !== streamHead + 1) return at('stream_seq_gap', `expected stream_seq ${streamHead + 1}, found ${row.stream_seq}`, row);
    streams.set(row.stream_id, row.stream_seq);
    head.seq = row.workspace_seq;
    head.hash = row.hash;
    head.events++;
    options.onRow?.(row);
  }
  if (header.last_hash !== head.hash) return at('hash_mismatch', `its header ends at ${header.last_hash}, its last event is ${head.hash}`);
  head.segmentSha256 = segment.sha256;
  return undefined;
}
