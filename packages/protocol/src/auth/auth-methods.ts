import { Type, type Static } from 'typebox';
import { Timestamp, WorkspaceId, idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';

const strict = { additionalProperties: false } as const;

export const TokenId = idSchema('Token id (`tok_...`): names a token in lists and revocation; not the bearer value.');
export type TokenId = Static<typeof TokenId>;

/** `operator`: every workspace and the operator methods (secrets, tokens of others). `workspace`: only the listed workspaces. */
export const TokenKind = Type.Union([Type.Literal('operator'), Type.Literal('workspace')]);
export type TokenKind = Static<typeof TokenKind>;

/**
 * What the gateway keeps of a token: never the bearer value, which exists only in the answer
 * of `auth/token/create` (or `cairn token issue`); the gateway stores its SHA-256.
 */
export const AuthToken = Type.Object({
  token_id: TokenId,
  kind: TokenKind,
  /** The workspaces a `workspace` token may reach; empty for an operator token. */
  workspace_ids: Type.Array(WorkspaceId),
  label: Type.String({ maxLength: LIMITS.auth.labelLength }),
  created_at: Timestamp,
  expires_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
  /** The token that created it (null: `cairn token issue`). */
  created_by: Type.Union([TokenId, Type.Null()]),
});
export type AuthToken = Static<typeof AuthToken>;

/**
 * A new token. Without `workspace_ids` it is an operator token, which only an operator token
 * may create; a workspace token may create tokens for a subset of its own workspaces.
 */
export const AuthTokenCreateParams = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.auth.labelLength })),
    workspace_ids: Type.Optional(Type.Array(WorkspaceId, { minItems: 1, maxItems: LIMITS.auth.workspacesPerToken, uniqueItems: true })),
    /** Lifetime in seconds; absent: no expiry. */
    expires_in_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.auth.maxLifetimeSeconds })),
  },
  strict,
);
/** `secret` is the bearer value: shown once, never stored, never listed. */
export const AuthTokenCreateResult = Type.Object({ token: AuthToken, secret: Type.String() });

/** An operator token lists every token; a workspace token the tokens it created and itself. */
export const AuthTokenListParams = Type.Object({ include_revoked: Type.Optional(Type.Boolean()), ...PAGE_PARAMS }, strict);
export const AuthTokenListResult = Page(AuthToken);

/** Revoking takes effect at once: this gateway closes the token's connections, others refuse it at their next check. */
export const AuthTokenRevokeParams = Type.Object({ token_id: TokenId }, strict);
export const AuthTokenRevokeResult = Type.Object({ token: AuthToken, revoked: Type.Boolean() });

export const AuthMeParams = Type.Object({}, strict);
export const AuthMeResult = Type.Object({ token: AuthToken });

export type AuthTokenCreateParams = Static<typeof AuthTokenCreateParams>;
export type AuthTokenCreateResult = Static<typeof AuthTokenCreateResult>;
export type AuthTokenListParams = Static<typeof AuthTokenListParams>;
export type AuthTokenListResult = Static<typeof AuthTokenListResult>;
export type AuthTokenRevokeParams = Static<typeof AuthTokenRevokeParams>;
export type AuthTokenRevokeResult = Static<typeof AuthTokenRevokeResult>;
export type AuthMeParams = Static<typeof AuthMeParams>;
export type AuthMeResult = Static<typeof AuthMeResult>;

export const authMethods = defineMethods({
  'auth/token/create': { params: AuthTokenCreateParams, result: AuthTokenCreateResult },
  'auth/token/list': { params: AuthTokenListParams, result: AuthTokenListResult },
  'auth/token/revoke': { params: AuthTokenRevokeParams, result: AuthTokenRevokeResult },
  'auth/me': { params: AuthMeParams, result: AuthMeResult },
});
