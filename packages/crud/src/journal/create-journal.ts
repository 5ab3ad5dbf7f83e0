import { CairnError } from '@cairn/protocol';
import type { Dialect } from '../port/dialect.js';
import type { WriteContext } from '../port/types.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, JOURNAL_HASH_VERSION, hashEvent } from './hash-event.js';
import { idempotencyDigest } from './idempotency-key.js';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { redactPayload } from './redact-payload.js';
import type { AppendResult, Journal, JournalEvent, JournalEventInput, JournalOptions, JournalReader, PendingEvent, StreamType } from './types.js';

const STREAM_TYPES: ReadonlySet<string> = new Set<StreamType>(['turn', 'thread', 'task', 'artifact', 'audit']);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

const SELECT_BY_KEY = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?`;
const SELECT_KEY_USED = 'SELECT 1 AS used FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?';
const SELECT_WORKSPACE_HEAD = 'SELECT workspace_seq AS seq, hash FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq DESC LIMIT 1';
const SELECT_STREAM_HEAD = 'SELECT stream_seq AS seq, workspace_id AS "workspaceId" FROM journal_event WHERE stream_type = ? AND stream_id = ? ORDER BY stream_seq DESC LIMIT 1';
/** A stream whose events all went to the archive continues from the head retention recorded (migration 0007). */
const SELECT_RETAINED_STREAM_HEAD = 'SELECT stream_seq AS seq, workspace_id AS "workspaceId" FROM journal_stream_retention WHERE stream_type = ? AND stream_id = ?';
const INSERT_EVENT = `INSERT INTO journal_event (${EVENT_COLUMNS}, hash_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${JOURNAL_HASH_VERSION})`;

/** The INSERT with its dialect's key-conflict clause, built once per dialect (the hot path allocates no SQL). */
let insertSql: { dialect: Dialect; sql: string } | undefined;
function insertEventSql(dialect: Dialect): string {
  if (insertSql?.dialect !== dialect) insertSql = { dialect, sql: INSERT_EVENT + dialect.journalKeyConflict };
  return insertSql.sql;
}

/**
 * The journal's write side. `append` must run inside a write transaction (a storage
 * port's write job, after the event log took the workspace's lock): it reads its workspace's head (seq and hash: the chain is per
 * workspace) and its stream's head under that write lock, because another process may have
 * appended since this one last looked; within one transaction it remembers them (see
 * `transactionHeads`), across transactions never. Nothing it reads or checks is shared by two
 * workspaces except `position`, which only orders the file (see `nextPosition`). The database
 * checks the same heads again (migration 0006's insert trigger), so a caller that appends
 * outside the lock, or with a head it remembered wrongly, fails instead of forking a chain.
 */
export function createJournal(options: JournalOptions = {}): Journal {
  const extra = options.redact;
  const now = options.now ?? (() => new Date().toISOString());
  const redact = (payload: unknown): unknown => {
    const redacted = redactPayload(payload);
    // The hook's output goes through the JSON normalisation again: it may return anything.
    return extra ? redactPayload(extra(redacted)) : redacted;
  };

  const append = async (ctx: WriteContext, input: JournalEventInput): Promise<AppendResult> => {
    assertEventInput(input);
    const key = input.idempotencyKey === undefined ? null : idempotencyDigest(input.idempotencyKey);
    if (key !== null) {
      const first = await findByKey(ctx, input.workspaceId, key);
      if (first) return { event: first, duplicate: true };
    }
    const pending = pendingEvent(input, redact(input.payload), key, input.recordedAt ?? now());
    return { event: await place(ctx, pending), duplicate: false };
  };

  const findByKey = async (ctx: JournalReader, workspaceId: string, key: string): Promise<JournalEvent | undefined> => {
    const row = await ctx.get<JournalEventRow>(SELECT_BY_KEY, [workspaceId, key]);
    return row ? toJournalEvent(row) : undefined;
  };

  /**
   * Gives a checked, redacted event its place (position, sequences, hash link) and stores it.
   * The caller has validated it (`assertEventInput`), redacted its payload and looked its
   * key up: the event log, which decides between the two whether the event is journaled at all.
   */
  const place = async (ctx: WriteContext, input: PendingEvent): Promise<JournalEvent> => {
    const key = input.idempotencyKey;
    const payload = input.payload;
    const payloadText = canonicalJson(payload);
    const recordedAt = input.recordedAt;

    // Where a refused insert would abort the transaction (PostgreSQL), the key is looked up
    // first; the answer is the same refusal the event log resolves by reading the key.
    if (key !== null && ctx.dialect.journalKeyLookupFirst && (await ctx.get(SELECT_KEY_USED, [input.workspaceId, key]))) throw keyUsed();
    const heads = transactionHeads(ctx);
    // Remembered heads are used without an await (a group commit's later jobs); only a first read costs one.
    const workspace = heads.workspaces.get(input.workspaceId) ?? (await readWorkspaceHead(ctx, heads, input.workspaceId));
    const stream = streamHeadOf(heads, input) ?? (await readStreamHead(ctx, heads, input));
    const fields = {
      position: await ctx.dialect.nextJournalPosition(ctx, heads.position),
      recordedAt,
      workspaceId: input.workspaceId,
      workspaceSeq: workspace.seq + 1,
      streamType: input.streamType,
      streamId: input.streamId,
      streamSeq: stream.seq + 1,
      threadId: input.threadId ?? null,
      type: input.type,
      idempotencyKey: key,
      payload: payloadText,
      prevHash: workspace.hash,
    };
    const hash = hashEvent(fields);
    const { changes } = await ctx.run(insertEventSql(ctx.dialect), [
      fields.position,
      fields.workspaceId,
      fields.workspaceSeq,
      fields.streamType,
      fields.streamId,
      fields.streamSeq,
      fields.type,
      payloadText,
      key,
      recordedAt,
      fields.prevHash,
      hash,
      fields.threadId,
    ]);
    // Where the dialect's insert skips a reused key instead of failing (PostgreSQL): the same
    // answer as SQLite's trigger gives, a refusal the event log resolves by reading the key.
    if (changes === 0) throw keyUsed();
    heads.position = fields.position;
    workspace.seq = fields.workspaceSeq;
    workspace.hash = hash;
    stream.seq = fields.streamSeq;
    options.onAppended?.(fields.workspaceId);
    return { ...fields, payload, hash };
  };

  return { append, place, findByKey, redact, now, heldText: options.heldText };
}

function keyUsed(): CairnError {
  return new CairnError('conflict', 'journal event refused: the idempotency key was already used in this workspace');
}

/** A workspace's chain head: its newest seq and that row's hash (genesis before its first). */
interface WorkspaceHead {
  seq: number;
  hash: string;
}

interface StreamHead {
  seq: number;
  workspaceId: string;
}

/** The heads as this transaction has seen or moved them; read from the file at most once each. */
interface TransactionHeads {
  position?: number;
  workspaces: Map<string, WorkspaceHead>;
  streams: Map<string, StreamHead>;
}

const HEADS = Symbol('journal heads');

/**
 * Inside one write transaction (it holds the workspace's lock: SQLite's one write lock, or
 * what the dialect's `lockWorkspace` took) nothing else moves the heads, so the
 * jobs of a group commit reuse what the first append read and then advanced: ~3 head reads
 * saved per event when 64 appends share a commit. `scratch` dies with the transaction and is
 * emptied when a job's savepoint is rolled back, so a head is never remembered past the rows
 * it describes; nothing is kept across transactions (another process may append in between).
 * Appends run one after another in their job, never inside a nested ORM transaction whose own
 * rollback the coordinator would not see; if one ever did, the insert trigger would refuse
 * the next append (wrong head), not fork the chain.
 */
function transactionHeads(ctx: WriteContext): TransactionHeads {
  let heads = ctx.scratch.get(HEADS) as TransactionHeads | undefined;
  if (!heads) {
    heads = { workspaces: new Map(), streams: new Map() };
    ctx.scratch.set(HEADS, heads);
  }
  return heads;
}

async function readWorkspaceHead(ctx: WriteContext, heads: TransactionHeads, workspaceId: string): Promise<WorkspaceHead> {
  const head = (await ctx.get<WorkspaceHead>(SELECT_WORKSPACE_HEAD, [workspaceId])) ?? { seq: 0, hash: GENESIS_HASH };
  heads.workspaces.set(workspaceId, head);
  return head;
}

type StreamRef = Pick<PendingEvent, 'workspaceId' | 'streamType' | 'streamId'>;
const streamKey = (input: StreamRef): string => `${input.streamType}\u0000${input.streamId}`;

/** The stream's head as this transaction remembers it, if it does. */
function streamHeadOf(heads: TransactionHeads, input: StreamRef): StreamHead | undefined {
  const head = heads.streams.get(streamKey(input));
  if (head) assertStreamWorkspace(head, input);
  return head;
}

async function readStreamHead(ctx: WriteContext, heads: TransactionHeads, input: StreamRef): Promise<StreamHead> {
  const head =
    (await ctx.get<StreamHead>(SELECT_STREAM_HEAD, [input.streamType, input.streamId])) ??
    (await ctx.get<StreamHead>(SELECT_RETAINED_STREAM_HEAD, [input.streamType, input.streamId])) ?? { seq: 0, workspaceId: input.workspaceId };
  heads.streams.set(streamKey(input), head);
  assertStreamWorkspace(head, input);
  return head;
}

/** A stream lives in one workspace (the trigger insists too), so its head is guarded by that workspace's lock. */
function assertStreamWorkspace(head: StreamHead, input: StreamRef): void {
  if (head.workspaceId !== input.workspaceId) {
    // Never names the other workspace: ids do not leak across workspaces.
    throw new CairnError('conflict', `journal event refused: stream ${input.streamType}/${input.streamId} belongs to another workspace`);
  }
}

/** A checked input as projectors and `place` see it: its payload already redacted, its key already a digest. */
export function pendingEvent(
  input: Pick<JournalEventInput, 'workspaceId' | 'streamType' | 'streamId' | 'threadId' | 'type'>,
  payload: unknown,
  keyDigest: string | null,
  recordedAt: string,
): PendingEvent {
  return {
    workspaceId: input.workspaceId,
    streamType: input.streamType,
    streamId: input.streamId,
    threadId: input.threadId ?? null,
    type: input.type,
    payload,
    idempotencyKey: keyDigest,
    recordedAt,
  };
}

/** What `append` checks of an event before anything else; the event log checks the same before it decides. */
export function assertEventInput(input: JournalEventInput): void {
  const bad = (what: string): never => {
    throw new CairnError('invalid_params', `journal event refused: ${what}`);
  };
  if (typeof input.workspaceId !== 'string' || input.workspaceId === '') bad('workspaceId must be a non-empty string');
  if (!STREAM_TYPES.has(input.streamType)) bad(`streamType must be one of ${[...STREAM_TYPES].join(', ')}`);
  if (typeof input.streamId !== 'string' || input.streamId === '') bad('streamId must be a non-empty string');
  if (typeof input.type !== 'string' || input.type === '') bad('type must be a non-empty string');
  if (input.idempotencyKey !== undefined && (typeof input.idempotencyKey !== 'string' || input.idempotencyKey === '')) {
    bad('idempotencyKey must be a non-empty string when given');
  }
  if (input.threadId !== undefined && (typeof input.threadId !== 'string' || input.threadId === '')) bad('threadId must be a non-empty string when given');
  if (input.recordedAt !== undefined && (!ISO_UTC.test(input.recordedAt) || Number.isNaN(Date.parse(input.recordedAt)))) {
    bad('recordedAt must be ISO-8601 UTC (e.g. 2025-01-31T12:00:00.000Z)');
  }
}
