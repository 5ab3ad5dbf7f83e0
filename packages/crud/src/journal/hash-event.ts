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
  return chainHash(
    f.position,
    f.recordedAt,
    f.workspaceId,
    f.workspaceSeq,
    f.streamType,
    f.streamId,
    f.streamSeq,
    f.type,
    f.idempotencyKey,
    f.payload,
    f.prevHash,
  );
}

/** `hashEvent` without the object, for the verifier's hot loop (one call per stored row). */
export function chainHash(
  position: number,
  recordedAt: string,
  workspaceId: string,
  workspaceSeq: number,
  streamType: string,
  streamId: string,
  streamSeq: number,
  type: string,
  idempotencyKey: string | null,
  payload: string,
  prevHash: string,
): string {
  const input =
    TAG +
    integer(position) +
    field(recordedAt) +
    field(workspaceId) +
    integer(workspaceSeq) +
    field(streamType) +
    field(streamId) +
    integer(streamSeq) +
    field(type) +
    (idempotencyKey === null ? '-,' : field(idempotencyKey)) +
    field(payload) +
    field(prevHash);
  return hash('sha256', input, 'hex');
}

/** Decimal digits are one byte each: no need to ask for the UTF-8 length. */
function integer(value: number): string {
  const digits = String(value);
  return digits.length + ':' + digits + ',';
}

function field(value: string): string {
  return Buffer.byteLength(value, 'utf8') + ':' + value + ',';
}

const TAG = field(JOURNAL_HASH_TAG);
