import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Per workspace, the retention point (gateway migration 0007): the newest event moved out of
 * `journal_event` into an archive segment. Triggers let it only move forward, to a live event;
 * crud writes it through its write coordinator, in the transaction that deletes the rows.
 */
@Entity({ name: 'journal_retention' })
export class JournalRetentionEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'workspace_seq', type: 'integer' })
  workspaceSeq!: number;

  @Column({ name: 'position', type: 'integer' })
  position!: number;

  @Column({ name: 'hash', type: 'text' })
  hash!: string;

  @Column({ name: 'retained_at', type: 'text' })
  retainedAt!: string;
}

/** The head of a stream whose events all left `journal_event` (migration 0007): the next event continues it. */
@Entity({ name: 'journal_stream_retention' })
export class JournalStreamRetentionEntity {
  @PrimaryColumn({ name: 'stream_type', type: 'text' })
  streamType!: string;

  @PrimaryColumn({ name: 'stream_id', type: 'text' })
  streamId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'stream_seq', type: 'integer' })
  streamSeq!: number;
}
