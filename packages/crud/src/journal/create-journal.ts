import { CairnError } from '@cairn/protocol';
import type { WriteContext } from '@cairn/sqlite';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, hashEvent } from './hash-event.js';
import { idempotencyDigest } from './idempotency-key.js';
import { EVENT_COLUMNS, toJournalEvent, type JournalEventRow } from './journal-row.js';
import { redactPayload } from './redact-payload.js';
import type { AppendResult, Journal, JournalEvent, JournalEventInput, JournalOptions, JournalReader, PendingEvent, StreamType } from './types.js';

const STREAM_TYPES: ReadonlySet<string> = new Set<StreamType>(['turn', 'task', 'audit']);
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

const SELECT_BY_KEY = `SELECT ${EVENT_COLUMNS} FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?`;
const SELECT_CHAIN_HEAD = 'SELECT position, hash FROM journal_event ORDER BY position DESC LIMIT 1';
const SELECT_WORKSPACE_HEAD = 'SELECT max(workspace_seq) AS seq FROM journal_event WHERE workspace_id = ?';
const SELECT_STREAM_HEAD = 'SELECT max(stream_seq) AS seq FROM journal_event WHERE stream_type = ? AND stream_id = ?';
const INSERT_EVENT = `INSERT INTO journal_event (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * The journal's write side. `append` must run inside a write transaction (a
 * `SqliteWriteCoordinator` job): it reads the chain, workspace and stream heads under that
 * write lock, because another process may have appended since this one last looked; within
 * one transaction it remembers them (see `transactionHeads`), across transactions never. The
 * database checks the same heads again (migration 0002's insert trigger), so a caller that
 * appends outside the lock, or with a head it remembered wrongly, fails instead of forking
 * the chain.
 */
export function createJournal(options: JournalOptions = {}): Journal {
  const extra = options.redact;
  const now = options.now ?? (() => new Date().toISOString());
  const redact = (payload: unknown): unknown => {
    const redacted = redactPayload(payload);
    // The hook's output goes through the JSON normalisation again: it may return anything.
    return extra ? redactPayload(extra(redacted)) : redacted;
  };

  const append = (ctx: WriteContext, input: JournalEventInput): AppendResult => {
    assertEventInput(input);
    const key = input.idempotencyKey === undefined ? null : idempotencyDigest(input.idempotencyKey);
    if (key !== null) {
      const first = findByKey(ctx, input.workspaceId, key);
      if (first) return { event: first, duplicate: true };
    }
    const pending = { ...input, payload: redact(input.payload), idempotencyKey: key, recordedAt: input.recordedAt ?? now() };
    return { event: place(ctx, pending), duplicate: false };
  };

  const findByKey = (ctx: JournalReader, workspaceId: string, key: string): JournalEvent | undefined => {
    const row = ctx.get<JournalEventRow>(SELECT_BY_KEY, [workspaceId, key]);
    return row ? toJournalEvent(row) : undefined;
  };

  /**
   * Gives a checked, redacted event its place (position, sequences, hash link) and stores it.
   * The caller has validated it (`assertEventInput`), redacted its payload and looked its
   * key up: the event log, which decides between the two whether the event is journaled at all.
   */
  const place = (ctx: WriteContext, input: PendingEvent): JournalEvent => {
    const key = input.idempotencyKey;
    const payload = input.payload;
    const payloadText = canonicalJson(payload);
    const recordedAt = input.recordedAt;

    const heads = transactionHeads(ctx);
    const streamKey = `${input.streamType}\u0000${input.streamId}`;
    const chain = (heads.chain ??= ctx.get<ChainHead>(SELECT_CHAIN_HEAD) ?? { position: 0, hash: GENESIS_HASH });
    const workspaceHead = heads.workspaces.get(input.workspaceId) ?? ctx.get<{ seq: number | null }>(SELECT_WORKSPACE_HEAD, [input.workspaceId])?.seq ?? 0;
    const streamHead = heads.streams.get(streamKey) ?? ctx.get<{ seq: number | null }>(SELECT_STREAM_HEAD, [input.streamType, input.streamId])?.seq ?? 0;

    const fields = {
      position: chain.position + 1,
      recordedAt,
      workspaceId: input.workspaceId,
      workspaceSeq: workspaceHead + 1,
      streamType: input.streamType,
      streamId: input.streamId,
      streamSeq: streamHead + 1,
      type: input.type,
      idempotencyKey: key,
      payload: payloadText,
      prevHash: chain.hash,
    };
    const hash = hashEvent(fields);
    ctx.run(INSERT_EVENT, [
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
    ]);
    heads.chain = { position: fields.position, hash };
    heads.workspaces.set(fields.workspaceId, fields.workspaceSeq);
    heads.streams.set(streamKey, fields.streamSeq);
    return { ...fields, payload, hash };
  };

  return { append, place, findByKey, redact, now, heldText: options.heldText };
}

interface ChainHead {
  position: number;
  hash: string;
}

/** The heads as this transaction has seen or moved them; read from the file at most once each. */
interface TransactionHeads {
  chain?: ChainHead;
  workspaces: Map<string, number>;
  streams: Map<string, number>;
}

const HEADS = Symbol('journal heads');

/**
 * Inside one write transaction (it holds the write lock) nothing else moves the heads, so the
 * jobs of a group commit reuse what the first append read and then advanced: ~3 head reads
 * saved per event when 64 appends share a commit. `scratch` dies with the transaction and is
 * emptied when a job's savepoint is rolled back, so a head is never remembered past the rows
 * it describes; nothing is kept across transactions (another process may append in between).
 * Appends run synchronously in their job, never inside a nested ORM transaction whose own
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
  if (input.recordedAt !== undefined && (!ISO_UTC.test(input.recordedAt) || Number.isNaN(Date.parse(input.recordedAt)))) {
    bad('recordedAt must be ISO-8601 UTC (e.g. 2025-01-31T12:00:00.000Z)');
  }
}
