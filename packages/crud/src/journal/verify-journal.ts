import type { ReadContext } from '../port/types.js';
import { GENESIS_HASH, chainHash, chainHashV1 } from './hash-event.js';
import { walkArchive } from './retention/walk-archive.js';
import type { VerifyFailureReason, VerifyOptions, VerifyResult } from './types.js';

const BASE_COLUMNS = 'position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash';
/** A file not yet migrated to v6 (e.g. a backup, read by `cairn verify`) has only v1 rows. */
const V1_FILE_COLUMNS = `${BASE_COLUMNS}, NULL AS thread_id, 1 AS hash_version`;
const COLUMNS = `${BASE_COLUMNS}, thread_id, hash_version`;

/** Rows per statement: small enough that a batch dies young (cheap GC), large enough to amortise the query and its await. */
export const VERIFY_BATCH = 2_000;

type Row = [number, string, number, string, string, number, string, string, string | null, string, string, string, string | null, number];
type Failure = { reason: VerifyFailureReason; detail: string };

/**
 * Walks the whole journal in position order and names the FIRST broken link. Every row must
 * hash to its own stored hash and extend its workspace's and its stream's sequence by one.
 * Its link depends on its `hash_version`: a v2 row's `prev_hash` is the hash of the previous
 * row of its workspace (whatever that row's version: a workspace's first v2 row links to its
 * last v1 row), genesis for a workspace's first row; v1 rows (written before migration 0006,
 * always a prefix of the file) form one chain over the file, each at the previous position + 1.
 * Rows are read in batches of raw arrays, so memory does not grow with the journal (only with
 * the number of workspaces and streams, whose heads it remembers). `reader` is one read
 * transaction (`port.read(q => verifyJournal(q))`), so it checks one consistent snapshot even
 * while another process appends; it yields to the event loop between batches, holding that
 * read meanwhile (on SQLite the store's read connection: give a long walk a port of its own,
 * `createSqliteReadPort`, as `cairn verify` does). Events cut off the end of
 * a workspace (or a whole workspace) cannot be seen from inside the file: that is what signed
 * checkpoints (`verifyCheckpoints`) are for.
 */
export async function verifyJournal(reader: ReadContext, options: VerifyOptions = {}): Promise<VerifyResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? VERIFY_BATCH));
  const hasVersions = await reader.dialect.hasColumn(reader, 'journal_event', 'hash_version');
  const columns = hasVersions ? COLUMNS : V1_FILE_COLUMNS;
  const first = `SELECT ${columns} FROM journal_event ORDER BY position LIMIT ?`;
  const next = `SELECT ${columns} FROM journal_event WHERE position > ? ORDER BY position LIMIT ?`;
  const walk = new ChainWalk();
  const archived = await startFromArchive(reader, walk, options.archiveDir);
  if (archived.failure) return archived.failure;
  for (;;) {
    const rows = walk.checked === 0 ? await reader.values<Row>(first, [batchSize]) : await reader.values<Row>(next, [walk.lastPosition, batchSize]);
    for (const row of rows) {
      const failure = walk.check(row);
      if (failure) return { ok: false, checked: walk.checked, position: Number(row[0]), ...failure, ...where(row) };
    }
    options.onProgress?.(walk.checked);
    if (rows.length < batchSize) return { ok: true, checked: walk.checked, lastPosition: walk.lastPosition, ...(options.archiveDir === undefined ? {} : { archived: archived.events }) };
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface RetentionPoint {
  workspace_id: string;
  workspace_seq: number;
  hash: string;
}

/**
 * Seeds the walk with what the archive holds before each workspace's retention point (migration
 * 0007): its segments walked and checked (`walkArchive`), ending exactly at the point, so the
 * first live row must link to the last archived event like any other row. Without an archive
 * directory the point itself (and the stream heads recorded with it) is the seed.
 */
async function startFromArchive(reader: ReadContext, walk: ChainWalk, archiveDir: string | undefined): Promise<{ events: number; failure?: VerifyResult }> {
  if (!(await reader.dialect.hasTable(reader, 'journal_retention'))) return { events: 0 };
  const points = await reader.all<RetentionPoint>('SELECT workspace_id, workspace_seq, hash FROM journal_retention ORDER BY workspace_id');
  let events = 0;
  for (const point of points) {
    if (archiveDir === undefined) {
      walk.seed(point.workspace_id, point.workspace_seq, point.hash, new Map());
      continue;
    }
    const head = walkArchive(archiveDir, point.workspace_id, { upToSeq: point.workspace_seq });
    if ('reason' in head) {
      const { segment, position, reason, detail, workspaceSeq } = head;
      return { events, failure: { ok: false, checked: walk.checked + events, segment, position, reason, detail, workspaceId: point.workspace_id, ...(workspaceSeq === undefined ? {} : { workspaceSeq }) } };
    }
    if (head.seq !== point.workspace_seq || head.hash !== point.hash) {
      const detail = `the archive of workspace ${point.workspace_id} ends at seq ${head.seq} (${head.hash}), its retention point is seq ${point.workspace_seq} (${point.hash}): segments are missing or were replaced`;
      return { events, failure: { ok: false, checked: walk.checked + events, position: 0, reason: 'archive_mismatch', detail, workspaceId: point.workspace_id, workspaceSeq: head.seq + 1 } };
    }
    walk.seed(point.workspace_id, head.seq, head.hash, head.streams);
    events += head.events;
  }
  if (archiveDir === undefined) {
    const streams = await reader.values<[string, string, number]>('SELECT stream_type, stream_id, stream_seq FROM journal_stream_retention');
    for (const [type, id, seq] of streams) walk.seedStream(type, id, seq);
  }
  return { events };
}

/** A workspace's chain as walked so far; mutated in place, one object per workspace. */
interface WorkspaceHead {
  seq: number;
  hash: string;
}

class ChainWalk {
  checked = 0;
  lastPosition = 0;
  /** The v1 chain's head: the previous row of the file while rows are v1. */
  #lastV1Hash = GENESIS_HASH;
  #seenV2 = false;
  readonly #workspaces = new Map<string, WorkspaceHead>();
  /** stream type -> stream id -> last seq: no key string built per row. */
  readonly #streamHeads = new Map<string, Map<string, number>>();

  /** Starts a workspace's chain after its archived events (the retention point). */
  seed(workspaceId: string, seq: number, hash: string, streams: Map<string, Map<string, number>>): void {
    this.#workspaces.set(workspaceId, { seq, hash });
    for (const [type, ids] of streams) for (const [id, streamSeq] of ids) this.seedStream(type, id, streamSeq);
  }

  seedStream(streamType: string, streamId: string, streamSeq: number): void {
    let streams = this.#streamHeads.get(streamType);
    if (streams === undefined) this.#streamHeads.set(streamType, (streams = new Map()));
    if ((streams.get(streamId) ?? 0) < streamSeq) streams.set(streamId, streamSeq);
  }

  check(row: Row): Failure | undefined {
    if (!wellTyped(row)) return { reason: 'malformed_row', detail: 'a column holds a value of the wrong storage type' };
    // Indexed reads, not array destructuring (which goes through the iterator protocol).
    const position = row[0];
    const workspaceId = row[1];
    const workspaceSeq = row[2];
    const streamType = row[3];
    const streamId = row[4];
    const streamSeq = row[5];
    const prevHash = row[10];
    const hash = row[11];
    const version = row[13];
    let workspace = this.#workspaces.get(workspaceId);
    if (workspace === undefined) this.#workspaces.set(workspaceId, (workspace = { seq: 0, hash: GENESIS_HASH }));

    if (version === 2) {
      this.#seenV2 = true;
      if (workspaceSeq !== workspace.seq + 1) {
        return { reason: 'workspace_seq_gap', detail: `expected workspace_seq ${workspace.seq + 1}, found ${workspaceSeq}` };
      }
      if (prevHash !== workspace.hash) {
        return { reason: 'prev_hash_mismatch', detail: `prev_hash ${prevHash} is not the hash of its workspace's previous row ${workspace.hash}` };
      }
      const computed = chainHash(position, row[9], workspaceId, workspaceSeq, streamType, streamId, streamSeq, row[12], row[6], row[8], row[7], prevHash);
      if (computed !== hash) return { reason: 'hash_mismatch', detail: `stored hash ${hash}, computed ${computed}` };
    } else if (version === 1) {
      if (this.#seenV2) return { reason: 'hash_version_order', detail: 'a hash_version 1 row after hash_version 2 rows' };
      if (position !== this.lastPosition + 1) {
        return { reason: 'position_gap', detail: `expected position ${this.lastPosition + 1}, found ${position}` };
      }
      if (prevHash !== this.#lastV1Hash) {
        return { reason: 'prev_hash_mismatch', detail: `prev_hash ${prevHash} is not the previous row's hash ${this.#lastV1Hash}` };
      }
      const computed = chainHashV1(position, row[9], workspaceId, workspaceSeq, streamType, streamId, streamSeq, row[6], row[8], row[7], prevHash);
      if (computed !== hash) return { reason: 'hash_mismatch', detail: `stored hash ${hash}, computed ${computed}` };
      if (workspaceSeq !== workspace.seq + 1) {
        return { reason: 'workspace_seq_gap', detail: `expected workspace_seq ${workspace.seq + 1}, found ${workspaceSeq}` };
      }
      this.#lastV1Hash = hash;
    } else {
      return { reason: 'malformed_row', detail: `unknown hash_version ${String(version)}` };
    }
    let streams = this.#streamHeads.get(streamType);
    if (streams === undefined) this.#streamHeads.set(streamType, (streams = new Map()));
    const streamHead = streams.get(streamId) ?? 0;
    if (streamSeq !== streamHead + 1) {
      return { reason: 'stream_seq_gap', detail: `expected stream_seq ${streamHead + 1}, found ${streamSeq}` };
    }
    workspace.seq = workspaceSeq;
    workspace.hash = hash;
    streams.set(streamId, streamSeq);
    this.lastPosition = position;
    this.checked++;
    return undefined;
  }
}

function where(row: Row): { workspaceId?: string; workspaceSeq?: number } {
  return typeof row[1] === 'string' && Number.isSafeInteger(row[2]) ? { workspaceId: row[1], workspaceSeq: row[2] } : {};
}

function wellTyped(row: Row): boolean {
  return (
    Number.isSafeInteger(row[0]) &&
    typeof row[1] === 'string' &&
    Number.isSafeInteger(row[2]) &&
    typeof row[3] === 'string' &&
    typeof row[4] === 'string' &&
    Number.isSafeInteger(row[5]) &&
    typeof row[6] === 'string' &&
    typeof row[7] === 'string' &&
    (row[8] === null || typeof row[8] === 'string') &&
    typeof row[9] === 'string' &&
    typeof row[10] === 'string' &&
    typeof row[11] === 'string' &&
    (row[12] === null || typeof row[12] === 'string')
  );
}
