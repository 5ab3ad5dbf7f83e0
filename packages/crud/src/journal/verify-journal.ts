import { nativeHandle, type NativeDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { GENESIS_HASH, chainHash } from './hash-event.js';
import { EVENT_COLUMNS } from './journal-row.js';
import type { VerifyFailureReason, VerifyOptions, VerifyResult } from './types.js';

const FIRST_BATCH = `SELECT ${EVENT_COLUMNS} FROM journal_event ORDER BY position LIMIT ?`;
const NEXT_BATCH = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE position > ? ORDER BY position LIMIT ?`;

/** Rows per statement: small enough that a batch dies young (cheap GC), large enough to amortise the query. */
export const VERIFY_BATCH = 2_000;

type Row = [number, string, number, string, string, number, string, string, string | null, string, string, string];
type Failure = { reason: VerifyFailureReason; detail: string };

/**
 * Walks the whole journal in position order and names the FIRST broken link: each row must
 * carry the next position, link to the previous row's hash, hash to its own stored hash, and
 * extend its workspace's and its stream's sequence by one. Rows are read in batches of raw
 * arrays, so memory does not grow with the journal (only with the number of workspaces and
 * streams, whose heads it remembers). Runs in one read transaction, so it checks one
 * consistent snapshot even while another process appends: give it a connection of its own
 * (e.g. the store's read-only one), not the write coordinator's, which cannot begin its
 * transactions while this snapshot is open. Truncating the newest rows cannot be seen from
 * inside the file; compare `lastPosition` with a head recorded elsewhere for that.
 */
export async function verifyJournal(db: DataSource | NativeDatabase, options: VerifyOptions = {}): Promise<VerifyResult> {
  const native = 'prepare' in db ? db : nativeHandle(db);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? VERIFY_BATCH));
  const first = native.prepare(FIRST_BATCH).raw(true);
  const next = native.prepare(NEXT_BATCH).raw(true);
  const ownSnapshot = !native.inTransaction;
  if (ownSnapshot) native.exec('BEGIN');
  try {
    const walk = new ChainWalk();
    for (;;) {
      const rows = (walk.checked === 0 ? first.all(batchSize) : next.all(walk.lastPosition, batchSize)) as Row[];
      for (const row of rows) {
        const failure = walk.check(row);
        if (failure) return { ok: false, checked: walk.checked, position: Number(row[0]), ...failure };
      }
      options.onProgress?.(walk.checked);
      if (rows.length < batchSize) return { ok: true, checked: walk.checked, lastPosition: walk.lastPosition };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    if (ownSnapshot && native.inTransaction) native.exec('COMMIT');
  }
}

class ChainWalk {
  checked = 0;
  lastPosition = 0;
  #lastHash = GENESIS_HASH;
  readonly #workspaceHeads = new Map<string, number>();
  /** stream type -> stream id -> last seq: no key string built per row. */
  readonly #streamHeads = new Map<string, Map<string, number>>();

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
    if (position !== this.lastPosition + 1) {
      return { reason: 'position_gap', detail: `expected position ${this.lastPosition + 1}, found ${position}` };
    }
    if (prevHash !== this.#lastHash) {
      return { reason: 'prev_hash_mismatch', detail: `prev_hash ${prevHash} is not the previous row's hash ${this.#lastHash}` };
    }
    const computed = chainHash(position, row[9], workspaceId, workspaceSeq, streamType, streamId, streamSeq, row[6], row[8], row[7], prevHash);
    if (computed !== hash) return { reason: 'hash_mismatch', detail: `stored hash ${hash}, computed ${computed}` };
    const workspaceHead = this.#workspaceHeads.get(workspaceId) ?? 0;
    if (workspaceSeq !== workspaceHead + 1) {
      return { reason: 'workspace_seq_gap', detail: `expected workspace_seq ${workspaceHead + 1}, found ${workspaceSeq}` };
    }
    let streams = this.#streamHeads.get(streamType);
    if (streams === undefined) this.#streamHeads.set(streamType, (streams = new Map()));
    const streamHead = streams.get(streamId) ?? 0;
    if (streamSeq !== streamHead + 1) {
      return { reason: 'stream_seq_gap', detail: `expected stream_seq ${streamHead + 1}, found ${streamSeq}` };
    }
    this.#workspaceHeads.set(workspaceId, workspaceSeq);
    streams.set(streamId, streamSeq);
    this.#lastHash = hash;
    this.lastPosition = position;
    this.checked++;
    return undefined;
  }
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
    typeof row[11] === 'string'
  );
}
