import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One try of one delivery.
 */
@Entity({ name: 'task_delivery_attempt' })
export class TaskDeliveryAttemptEntity {
  @PrimaryColumn({ name: 'delivery_id', type: 'text' })
  deliveryId!: string;

  @PrimaryColumn({ name: 'attempt', type: 'integer' })
  attempt!: number;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'owner', type: 'text' })
  owner!: string;

  @Column({ name: 'outcome', type: 'text' })
  outcome!: string;

  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus!: number | null;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'attempted_at', type: 'text' })
  attemptedAt!: string;
}
