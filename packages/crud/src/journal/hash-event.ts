import { hash } from 'node:crypto';

/**
 * Versions the encodings below: a new encoding gets a new tag, so old rows keep verifying.
 * v1: rows written before gateway migration 0006, one chain over the whole file.
 * v2: every row since, one chain per workspace, `thread_id` covered.
 */
export const JOURNAL_HASH_TAG_V1 = 'cairn.journal.v1';
export const JOURNAL_HASH_TAG = 'cairn.journal.v2';

/** The `hash_version` new rows are written with. */
export const JOURNAL_HASH_VERSION = 2;

/** `prev_hash` of the first event (of the file for v1, of its workspace for v2). */
export const GENESIS_HASH = '0'.repeat(64);

/** Every stored column of a v1 journal row except `hash` itself, as stored. */
export interface HashedFieldsV1 {
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

/** Every stored column of a v2 row except `hash` (and `hash_version`, which the tag stands for). */
export interface HashedFields extends HashedFieldsV1 {
  threadId: string | null;
}

/**
 * Hex SHA-256 of one v2 row. Every field is written as a netstring, `<UTF-8 byte length>:<bytes>,`,
 * so the encoding can be split back into its fields in exactly one way: no two different rows
 * share an input (without the lengths, stream `ab` + type `c` and stream `a` + type `bc` would).
 * A NULL (thread id, idempotency key) is `-,`, which no netstring starts with. The tag comes
 * first so a journal hash can never be replayed as the hash of anything else Cairn signs or
 * hashes, nor a v2 row's hash as a v1 row's. Covering every column (not only the payload)
 * means no stored byte of an event can change without `verify` noticing; chaining
 * `prev_hash` (the previous event of the same workspace) means no event can be removed from
 * or reordered within its workspace.
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
    f.threadId,
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
  threadId: string | null,
  type: string,
  idempotencyKey: string | null,
  payload: string,
  prevHash: string,
): string {
  const input =
    TAG_V2 +
    integer(position) +
    field(recordedAt) +
    field(workspaceId) +
    integer(workspaceSeq) +
    field(streamType) +
    field(streamId) +
    integer(streamSeq) +
    (threadId === null ? '-,' : field(threadId)) +
    field(type) +
    (idempotencyKey === null ? '-,' : field(idempotencyKey)) +
    field(payload) +
    field(prevHash);
  return hash('sha256', input, 'hex');
}

/** The hash of a row written before migration 0006 (`hash_version` 1): never written any more, only verified. */
export function hashEventV1(f: HashedFieldsV1): string {
  return chainHashV1(
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

export function chainHashV1(
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
    TAG_V1 +
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

const TAG_V1 = field(JOURNAL_HASH_TAG_V1);
const TAG_V2 = field(JOURNAL_HASH_TAG);
