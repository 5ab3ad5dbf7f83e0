import type { Command } from 'commander';
import type { CairnEnv } from '@cairn/config';
import { issueToken, listTokens, revokeToken } from '@cairn/gateway';
import type { AuthToken } from '@cairn/protocol';
import type { GlobalOptions } from '../cli.js';
import { usageError } from '../errors.js';
import { output } from './output.js';

type Add = (parent: Command, name: string) => Command;

function describe(token: AuthToken): string {
  const scope = token.kind === 'operator' ? 'operator' : `workspaces ${token.workspace_ids.join(',')}`;
  const state = token.revoked_at !== null ? `revoked ${token.revoked_at}` : token.expires_at !== null ? `expires ${token.expires_at}` : 'no expiry';
  return `${token.token_id}  ${scope}  ${state}  created ${token.created_at}${token.label ? `  ${JSON.stringify(token.label)}` : ''}`;
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1) throw usageError('--expires-in must be a whole number of seconds, at least 1');
  return seconds;
}

/**
 * `cairn token issue|list|revoke`: bearer tokens of the gateway on this home. The value of a
 * new token is printed once (stdout, or `secret` in `--json`); the database keeps its SHA-256.
 */
export function registerTokenCommands(token: Command, add: Add, env: CairnEnv, global: () => GlobalOptions): void {
  const home = () => (global().home !== undefined ? { home: global().home } : {});
  add(token, 'issue')
    .description('issue a bearer token: operator (every workspace) unless --workspace names the workspaces it may reach')
    .option('--workspace <id...>', 'scope the token to these workspaces')
    .option('--label <label>', 'what the token is for (listed: never a secret)')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: no expiry)')
    .action(async (options: { workspace?: string[]; label?: string; expiresIn?: string }) => {
      const issued = await issueToken({
        env,
        ...home(),
        ...(options.workspace !== undefined ? { workspaceIds: options.workspace } : {}),
        ...(options.label !== undefined ? { label: options.label } : {}),
        ...(options.expiresIn !== undefined ? { expiresInSeconds: parseSeconds(options.expiresIn) } : {}),
      });
      output(global(), issued, () => [issued.secret, `(${describe(issued.token)}: shown once, keep it like a password)`]);
    });

  add(token, 'list')
    .description('every token (never a token value), newest first')
    .option('--all', 'include revoked tokens')
    .action(async (options: { all?: boolean }) => {
      const tokens = await listTokens({ env, ...home(), includeRevoked: options.all ?? false });
      output(global(), tokens, () => (tokens.length === 0 ? ['no tokens'] : tokens.map(describe)));
    });

  add(token, 'revoke')
    .description('revoke a token by its id (tok_...): gateways refuse it within seconds and close its connections')
    .argument('<token-id>')
    .action(async (tokenId: string) => {
      const result = await revokeToken({ env, ...home(), tokenId });
      output(global(), result, () => [result.revoked ? `revoked ${tokenId}` : `${tokenId} was already revoked (${result.token.revoked_at})`]);
    });
}
