import { CairnError, type AuthToken } from '@cairn/protocol';

/** Who a connection acts as: the token it authenticated with, and what that token may reach. */
export interface Principal {
  readonly token: AuthToken;
  readonly operator: boolean;
  /** The workspaces a workspace token may reach (empty for an operator, who reaches all). */
  readonly workspaces: ReadonlySet<string>;
}

export function principalOf(token: AuthToken): Principal {
  return { token, operator: token.kind === 'operator', workspaces: new Set(token.workspace_ids) };
}

export function canReach(principal: Principal, workspaceId: string): boolean {
  return principal.operator || principal.workspaces.has(workspaceId);
}

/**
 * Refuses a workspace outside the token's scope. The answer is the same whether or not the
 * workspace exists, so a scoped token cannot probe for other workspaces' ids.
 */
export function requireWorkspace(principal: Principal, workspaceId: string): void {
  if (!canReach(principal, workspaceId)) {
    throw new CairnError('forbidden_workspace', "the token's scope does not include this workspace", { details: { workspace_id: workspaceId } });
  }
}

export function requireOperator(principal: Principal, what: string): void {
  if (!principal.operator) throw new CairnError('forbidden_workspace', `${what} needs an operator token`);
}
