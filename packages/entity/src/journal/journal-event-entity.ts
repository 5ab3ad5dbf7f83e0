import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/**
 * One row of the append-only event journal (gateway migration 0002). The database refuses
 * updates and deletes (triggers), so this entity is for schema checks and reads only: crud
 * appends through `createJournal().append` on the write coordinator's prepared statements.
 * `payload` is canonical JSON text (RFC 8785) after secret redaction; `hash` is the hex
 * SHA-256 of the row's length-prefixed fields and `prev_hash` (see crud's journal README):
 * the previous row of the whole file for `hash_version` 1 (rows written before migration
 * 0006), the previous row of the same workspace for version 2.
 */
@Entity({ name: 'journal_event' })
@Unique('uq_journal_event_workspace_seq', ['workspaceId', 'workspaceSeq'])
@Unique('uq_journal_event_stream_seq', ['streamType', 'streamId', 'streamSeq'])
@Unique('uq_journal_event_idempotency', ['workspaceId', 'idempotencyKey'])
export class JournalEventEntity {
  /** Global order across the file, 1, 2, 3, ... (the rowid: the chain walk's index). */
  @PrimaryColumn({ name: 'position', type: 'integer' })
  position!: number;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** Per-workspace position: the resync cursor `seq`. */
  @Column({ name: 'workspace_seq', type: 'integer' })
  workspaceSeq!: number;

  /** `turn` | `task` | `audit`. */
  @Column({ name: 'stream_type', type: 'text' })
  streamType!: string;

  @Column({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ name: 'stream_seq', type: 'integer' })
  streamSeq!: number;

  @Column({ name: 'type', type: 'text' })
  type!: string;

  @Column({ name: 'payload', type: 'text' })
  payload!: string;

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'recorded_at', type: 'text' })
  recordedAt!: string;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ name: 'hash', type: 'text' })
  hash!: string;

  /** The thread the event belongs to, when it belongs to one (envelope, hashed from v2 on). */
  @Column({ name: 'thread_id', type: 'text', nullable: true })
  threadId!: string | null;

  /** 1: global chain, `cairn.journal.v1` (rows before migration 0006); 2: per-workspace chain, `cairn.journal.v2`. */
  @Column({ name: 'hash_version', type: 'integer', default: 1 })
  hashVersion!: number;
}
