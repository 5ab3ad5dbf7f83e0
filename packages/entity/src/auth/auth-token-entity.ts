import { Check, Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * A bearer token the gateway accepts (gateway migration 0008). Never the bearer value: only
 * its hex SHA-256, UNIQUE, so a handshake is authenticated with one index seek.
 * `workspaceIds` is a JSON array (empty for an operator token); revocation stamps
 * `revokedAt`, never deletes the row. `createdBy` is the issuing token's id, NULL for the CLI.
 */
@Entity({ name: 'auth_token' })
@Check('chk_auth_token_kind', `"kind" IN ('operator', 'workspace')`)
@Unique('uq_auth_token_hash', ['tokenHash'])
@Index('idx_auth_token_created', ['createdAt', 'tokenId'])
@Index('idx_auth_token_created_by', ['createdBy', 'createdAt', 'tokenId'])
export class AuthTokenEntity {
  @PrimaryColumn({ name: 'token_id', type: 'text' })
  tokenId!: string;

  /** Hex SHA-256 of the bearer value. */
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** `operator` | `workspace`. */
  @Column({ name: 'kind', type: 'text' })
  kind!: string;

  /** JSON array of workspace ids. */
  @Column({ name: 'workspace_ids', type: 'text' })
  workspaceIds!: string;

  @Column({ name: 'label', type: 'text' })
  label!: string;

  @Column({ name: 'created_at', type: 'text' })
  createdAt!: string;

  @Column({ name: 'expires_at', type: 'text', nullable: true })
  expiresAt!: string | null;

  @Column({ name: 'revoked_at', type: 'text', nullable: true })
  revokedAt!: string | null;

  @Column({ name: 'created_by', type: 'text', nullable: true })
  createdBy!: string | null;
}
