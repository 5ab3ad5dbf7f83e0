import { Column, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { ThreadEntity } from '../thread/thread-entity.js';
import { WorkspaceEntity } from '../workspace/workspace-entity.js';

/**
 * A turn: the read model of one turn stream of the journal, written by crud's
 * `TurnProjector` in the transaction that appended the event. `turn_id` is unique across the
 * gateway. UNIQUE (thread_id, thread_seq) orders a thread's history; the status index serves
 * startup repair ("terminal turn without completion time" is a seek on it). JSON columns are
 * text: `sandbox_policy`, `error`, `usage`.
 */
@Entity({ name: 'turn' })
@Unique('uq_turn_thread_seq', ['threadId', 'threadSeq'])
@Index('idx_turn_status_completed', ['status', 'completedAt'])
export class TurnEntity {
  @PrimaryColumn({ name: 'turn_id', type: 'text' })
  turnId!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_turn_workspace' })
  workspaceId!: string;

  @Column({ name: 'thread_id', type: 'text' })
  @ForeignKey(() => ThreadEntity, { name: 'fk_turn_thread' })
  threadId!: string;

  /** 1, 2, 3, ... in the order turns started in the thread. */
  @Column({ name: 'thread_seq', type: 'integer' })
  threadSeq!: number;

  /** `running` | `recovering` | `completed` | `failed` | `cancelled`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'sandbox_policy', type: 'text', nullable: true })
  sandboxPolicy!: string | null;

  @Column({ name: 'model', type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'usage', type: 'text', nullable: true })
  usage!: string | null;

  @Column({ name: 'item_count', type: 'integer' })
  itemCount!: number;

  /** Recoveries opened and not yet closed; the turn is `recovering` while above zero. */
  @Column({ name: 'open_recoveries', type: 'integer' })
  openRecoveries!: number;

  /** Stream sequence of the last event projected here. */
  @Column({ name: 'last_seq', type: 'integer' })
  lastSeq!: number;

  @Column({ name: 'started_at', type: 'text' })
  startedAt!: string;

  @Column({ name: 'updated_at', type: 'text' })
  updatedAt!: string;

  @Column({ name: 'completed_at', type: 'text', nullable: true })
  completedAt!: string | null;
}
