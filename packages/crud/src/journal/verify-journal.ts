import { nativeHandle, type NativeDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { GENESIS_HASH, hashEvent } from './hash-event.js';
import { EVENT_COLUMNS } from './journal-row.js';
import type { VerifyFailureReason, VerifyOptions, VerifyResult } from './types.js';

const FIRST_BATCH = `SELECT ${EVENT_COLUMNS} FROM journal_event ORDER BY position LIMIT ?`;
const NEXT_BATCH = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE position > ? ORDER BY position LIMIT ?`;

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
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 10_000));
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
  readonly #streamHeads = new Map<string, number>();

  check(row: Row): Failure | undefined {
    const [position, workspaceId, workspaceSeq, streamType, streamId, streamSeq, type, payload, idempotencyKey, recordedAt, prevHash, hash] = row;
    if (!wellTyped(row)) return { reason: 'malformed_row', detail: 'a column holds a value of the wrong storage type' };
    if (position !== this.lastPosition + 1) {
      return { reason: 'position_gap', detail: `expected position ${this.lastPosition + 1}, found ${position}` };
    }
    if (prevHash !== this.#lastHash) {
      return { reason: 'prev_hash_mismatch', detail: `prev_hash ${prevHash} is not the previous row's hash ${this.#lastHash}` };
    }
    const computed = hashEvent({
      position,
      recordedAt,
      workspaceId,
      workspaceSeq,
      streamType,
      streamId,
      streamSeq,
      type,
      idempotencyKey,
      payload,
      prevHash,
    });
    if (computed !== hash) return { reason: 'hash_mismatch', detail: `stored hash ${hash}, computed ${computed}` };
    const workspaceHead = this.#workspaceHeads.get(workspaceId) ?? 0;
    if (workspaceSeq !== workspaceHead + 1) {
      return { reason: 'workspace_seq_gap', detail: `expected workspace_seq ${workspaceHead + 1}, found ${workspaceSeq}` };
    }
    const streamKey = `${streamType}\u0000${streamId}`;
    const streamHead = this.#streamHeads.get(streamKey) ?? 0;
    if (streamSeq !== streamHead + 1) {
      return { reason: 'stream_seq_gap', detail: `expected stream_seq ${streamHead + 1}, found ${streamSeq}` };
    }
    this.#workspaceHeads.set(workspaceId, workspaceSeq);
    this.#streamHeads.set(streamKey, streamSeq);
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
