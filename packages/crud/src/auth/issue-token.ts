import { randomBytes } from 'node:crypto';
import { AuthTokenCreateParams, CairnError, TokenId, type AuthToken, type TokenKind } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { hashSecret, insertToken, toAuthToken, type TokenRow } from './token-rows.js';

/** `auth/token/create`'s params plus what the caller decides: the kind, and which token issues it. */
export interface TokenIssueParams {
  kind: TokenKind;
  /** A `workspace` token's workspaces (1..256, each must exist); an operator token names none. */
  workspace_ids?: string[];
  label?: string;
  expires_in_seconds?: number;
  /** The issuing token's id; null or absent: the operator's CLI. */
  created_by?: string | null;
}

export interface TokenIssueResult {
  token: AuthToken;
  /** The bearer value: answered once, never stored (only its SHA-256), never logged. */
  secret: string;
}

/** Every bearer value starts with it, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_SECRET_PREFIX = 'cairn_';

/**
 * Issues a token: 256 random bits as `cairn_<base64url>`, of which gateway.db keeps only the
 * SHA-256. A workspace token names at least one workspace and every one must exist
 * (`not_found`); an operator token names none (`invalid_params`).
 */
export async function issueToken(store: StoreContext, params: TokenIssueParams): Promise<TokenIssueResult> {
  const { kind, created_by: createdBy = null, ...rest } = params ?? ({} as TokenIssueParams);
  const p = parseParams(AuthTokenCreateParams, rest, 'auth/token/create');
  if (kind !== 'operator' && kind !== 'workspace') {
    throw invalid(`kind must be 'operator' or 'workspace'`, '/kind');
  }
  if (createdBy !== null) parseParams(TokenId, createdBy, 'auth/token/create');
  const workspaceIds = p.workspace_ids ?? [];
  if (kind === 'operator' && workspaceIds.length > 0) throw invalid('an operator token names no workspace', '/workspace_ids');
  if (kind === 'workspace' && workspaceIds.length === 0) throw invalid('a workspace token names at least one workspace', '/workspace_ids');
  const secret = TOKEN_SECRET_PREFIX + randomBytes(32).toString('base64url');
  const tokenId = store.newId('tok');
  return store.write(async (ctx) => {
    for (const workspaceId of workspaceIds) await requireWorkspace(ctx, workspaceId);
    const now = store.now();
    const row: TokenRow = {
      token_id: tokenId,
      token_hash: hashSecret(secret),
      kind,
      workspace_ids: JSON.stringify(workspaceIds),
      label: p.label === undefined ? '' : store.redactText(p.label),
      created_at: now,
      expires_at: p.expires_in_seconds === undefined ? null : new Date(Date.parse(now) + p.expires_in_seconds * 1000).toISOString(),
      revoked_at: null,
      created_by: createdBy,
    };
    await insertToken(ctx, row);
    const { token_hash: _hash, ...record } = row;
    return { token: toAuthToken(record), secret };
  });
}

function invalid(message: string, path: string): CairnError {
  return new CairnError('invalid_params', `auth/token/create: ${message}`, {
    details: { operation: 'auth/token/create', issues: [{ path, message }] },
  });
}
