import type { CrudStore } from '@cairn/crud';
import type { AuthToken, AuthTokenRevokeResult, PageResult } from '@cairn/protocol';
import { openPostgresGatewayStore } from '../postgres/open-postgres-store.js';
import { preparePostgresHome } from '../postgres/prepare-postgres-home.js';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { openGatewayStore, prepareRuntimeHome } from './startup.js';

export interface IssueTokenOptions extends RuntimeOptions {
  /** Absent: an operator token. */
  workspaceIds?: string[];
  label?: string;
  expiresInSeconds?: number;
}

/**
 * The store of a runtime home for the operator's token commands, through a start's checks
 * (home hardened, database checked, migrated). Safe while a gateway serves the home: writes
 * are ordered by the database (SQLite's write lock with busy retries, or PostgreSQL).
 */
export async function withRuntimeStore<T>(options: RuntimeOptions, work: (store: CrudStore) => Promise<T>): Promise<T> {
  const { paths, settings, backend } = resolveRuntime(options);
  let store: CrudStore;
  if (backend.kind === 'postgres') {
    await preparePostgresHome(paths, settings, backend, options.log);
    store = await openPostgresGatewayStore(backend, paths);
  } else {
    await prepareRuntimeHome(paths, settings, { log: options.log, which: ['gateway'] });
    store = await openGatewayStore(paths, settings);
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `cairn token issue`: a new bearer token; its value is in the answer only (the database keeps its SHA-256). */
export function issueToken(options: IssueTokenOptions): Promise<{ token: AuthToken; secret: string }> {
  return withRuntimeStore(options, (store) =>
    store.tokens.issue({
      kind: options.workspaceIds === undefined ? 'operator' : 'workspace',
      ...(options.workspaceIds === undefined ? {} : { workspace_ids: options.workspaceIds }),
      ...(options.label === undefined ? {} : { label: options.label }),
      ...(options.expiresInSeconds === undefined ? {} : { expires_in_seconds: options.expiresInSeconds }),
      created_by: null,
    }),
  );
}

/** `cairn token list`: every token (metadata only), newest first, every page. */
export function listTokens(options: RuntimeOptions & { includeRevoked?: boolean }): Promise<AuthToken[]> {
  return withRuntimeStore(options, async (store) => {
    const all: AuthToken[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page: PageResult<AuthToken> = await store.tokens.list({ include_revoked: options.includeRevoked ?? false, limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      if (page.next_cursor === null) return all;
      cursor = page.next_cursor;
    }
  });
}

/** `cairn token revoke`: a running gateway refuses the token at its next check (within seconds) and closes its connections. */
export function revokeToken(options: RuntimeOptions & { tokenId: string }): Promise<AuthTokenRevokeResult> {
  return withRuntimeStore(options, (store) => store.tokens.revoke({ token_id: options.tokenId }));
}
