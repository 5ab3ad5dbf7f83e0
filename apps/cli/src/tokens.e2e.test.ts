import { afterEach, describe, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type RunningGateway } from '@cairn/gateway';
import { RpcSocket } from '@cairn/gateway/testing';
import { itBuilt, runBuilt } from './testing/built-cli.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

const cairn = (args: string[], home: string) => runBuilt(args, { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent' } });

describe('cairn token (the built CLI)', () => {
  itBuilt('issue prints the value once; the gateway accepts it; list never shows it; revoke closes the live connection', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-tokens-'));
    const home = join(root, 'home');
    const issued = await cairn(['--json', 'token', 'issue', '--label', 'laptop'], home);
    expect(issued.code).toBe(0);
    const { token, secret } = JSON.parse(issued.stdout) as { token: { token_id: string; kind: string }; secret: string };
    expect(token.kind).toBe('operator');
    expect(secret).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    // The database keeps a hash, never the value.
    expect(readFileSync(join(home, 'gateway.db')).includes(secret)).toBe(false);

    gateway = await startGateway({ home, env: {}, settings: { log_level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } });
    const socket = await RpcSocket.open(gateway.rpcUrl, secret);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');

    const scoped = await cairn(['--json', 'token', 'issue', '--workspace', workspace.workspace_id, '--expires-in', '3600'], home);
    const scopedToken = JSON.parse(scoped.stdout) as { token: { kind: string; workspace_ids: string[]; expires_at: string | null } };
    expect(scopedToken.token).toMatchObject({ kind: 'workspace', workspace_ids: [workspace.workspace_id] });
    expect(scopedToken.token.expires_at).not.toBeNull();

    const listed = await cairn(['token', 'list'], home);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(token.token_id);
    expect(listed.stdout).not.toContain(secret);

    const revoked = await cairn(['--json', 'token', 'revoke', token.token_id], home);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ revoked: true });
    // The idle connection is closed by the gateway's token sweep (every few seconds), code 4001.
    await socket.waitFor(() => socket.closed, 20_000).catch(() => undefined);
    expect(socket.closed?.code).toBe(4001);
    await expect(RpcSocket.open(gateway.rpcUrl, secret)).rejects.toMatchObject({ status: 401 });
    expect(JSON.parse((await cairn(['--json', 'token', 'revoke', token.token_id], home)).stdout)).toMatchObject({ revoked: false });
    expect((await cairn(['--json', 'token', 'list'], home)).stdout).not.toContain(token.token_id);
    expect((await cairn(['--json', 'token', 'list', '--all'], home)).stdout).toContain(token.token_id);
  }, 60_000);

  itBuilt('refuses a bad lifetime and an unknown workspace with one clear line', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-tokens-'));
    const home = join(root, 'home');
    const bad = await cairn(['token', 'issue', '--expires-in', 'soon'], home);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const unknown = await cairn(['--json', 'token', 'issue', '--workspace', 'ws-nope'], home);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: 'not_found' } });
    const missing = await cairn(['token', 'revoke', 'tok_nope'], home);
    expect(missing.code).toBe(1);
  }, 60_000);
});
