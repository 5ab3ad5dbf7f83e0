import { createHash } from 'node:crypto';
import { CairnError, type AuthToken, type TokenKind } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

/** One `auth_token` row (gateway migration 0008). Never the bearer value: only its SHA-256. */
export interface TokenRow {
  token_id: string;
  token_hash: string;
  kind: string;
  workspace_ids: string;
  label: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_by: string | null;
}

/** Every column but `token_hash`: what a record is made from, so the hash never leaves the file either. */
export const TOKEN_COLUMNS = 'token_id, kind, workspace_ids, label, created_at, expires_at, revoked_at, created_by';

export type TokenRecordRow = Omit<TokenRow, 'token_hash'>;

export function toAuthToken(row: TokenRecordRow): AuthToken {
  return {
    token_id: row.token_id,
    kind: row.kind as TokenKind,
    workspace_ids: JSON.parse(row.workspace_ids) as string[],
    label: row.label,
    created_at: row.created_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    created_by: row.created_by,
  };
}

/** Hex SHA-256 of the bearer value: the only form of it gateway.db holds, and the lookup key. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

const FIND = `SELECT ${TOKEN_COLUMNS} FROM auth_token WHERE token_id = ?`;

export async function requireToken(q: ReadContext, tokenId: string): Promise<TokenRecordRow> {
  const row = await q.get<TokenRecordRow>(FIND, [tokenId]);
  if (!row) throw new CairnError('not_found', 'token not found', { details: { token_id: tokenId } });
  return row;
}

export async function insertToken(ctx: WriteContext, row: TokenRow): Promise<void> {
  await ctx.run(
    'INSERT INTO auth_token (token_id, token_hash, kind, workspace_ids, label, created_at, expires_at, revoked_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [row.token_id, row.token_hash, row.kind, row.workspace_ids, row.label, row.created_at, row.expires_at, row.revoked_at, row.created_by],
  );
}
