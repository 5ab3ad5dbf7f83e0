import { hash } from 'node:crypto';

/** Versions the encoding below: a new encoding gets a new tag, so old rows keep verifying. */
export const JOURNAL_HASH_TAG = 'cairn.journal.v1';

/** `prev_hash` of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored column of a journal row except `hash` itself, as stored. */
export interface HashedFields {
  position: number;
  recordedAt: string;
  workspaceId: string;
  workspaceSeq: number;
  streamType: string;
  streamId: string;
  streamSeq: number;
  type: string;
  idempotencyKey: string | null;
  /** The canonical JSON text exactly as stored. */
  payload: string;
  prevHash: string;
}

/**
 * Hex SHA-256 of one row. Every field is written as a netstring, `<UTF-8 byte length>:<bytes>,`,
 * so the encoding can be split back into its fields in exactly one way: no two different rows
 * share an input (without the lengths, stream `ab` + type `c` and stream `a` + type `bc` would).
 * A NULL idempotency key is `-,`, which no netstring starts with. The tag comes first so a
 * journal hash can never be replayed as the hash of anything else Cairn signs or hashes.
 * Covering every column (not only the payload) means no stored byte of an event can change
 * without `verify` noticing; chaining `prev_hash` means no event can be removed or reordered.
 */
export function hashEvent(f: HashedFields): string {
  const input =
    TAG +
    field(String(f.position)) +
    field(f.recordedAt) +
    field(f.workspaceId) +
    field(String(f.workspaceSeq)) +
    field(f.streamType) +
    field(f.streamId) +
    field(String(f.streamSeq)) +
    field(f.type) +
    (f.idempotencyKey === null ? '-,' : field(f.idempotencyKey)) +
    field(f.payload) +
    field(f.prevHash);
  return hash('sha256', input, 'hex');
}

function field(value: string): string {
  return `${Buffer.byteLength(value, 'utf8')}:${value},`;
}

const TAG = field(JOURNAL_HASH_TAG);
