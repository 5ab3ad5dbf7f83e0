import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { METHODS, type AuthToken, type MethodName } from '@cairn/protocol';
import { RpcSocket, type RpcAnswer, type TestGateway } from '@cairn/gateway/testing';
import { expectValid, gatewayAt, tempRoot, waitUntil } from './testing/e2e-support.js';

// Who may reach what, over the wire: handshake refusals, a token that stops holding while
// connected, and a token scoped to workspace A asking for everything of workspace B.

const dirs = tempRoot('cairn-auth-');
let gateway: TestGateway;
let operator: RpcSocket;
const open: RpcSocket[] = [];

/** B's contents: none of these may appear in any answer to A's token. */
const B = { workspace: 'ws-b-private', thread: 'thread-b-private', title: 'b-confidential-title', turn: 'turn-b-private' };
const MISSING = { workspace: 'ws-never-created', thread: 'thread-never-created', turn: 'turn-never-created' };
const A = { workspace: 'ws-a-scope', thread: 'thread-a-1', turn: 'turn-a-1' };
let scopedSecret: string;
type WorkspacePage = { items: Array<{ workspace_id: string }>; next_cursor: string | null };

async function socket(token: string | undefined): Promise<RpcSocket> {
  const s = await RpcSocket.open(gateway.rpcUrl, token);
  open.push(s);
  return s;
}

async function checked<T>(s: RpcSocket, method: MethodName, params: unknown): Promise<T> {
  const result = await s.call<T>(method, params);
  expectValid(METHODS[method].result, result, `result of ${method}`);
  return result;
}

beforeAll(async () => {
  gateway = await gatewayAt(dirs.home('home'), { agent: { builtin_delta_interval_ms: 0 } });
  operator = await socket(gateway.operatorToken);
  for (const ws of [A.workspace, B.workspace]) await checked(operator, 'workspace/create', { workspace_id: ws, name: ws });
  await checked(operator, 'thread/start', { workspace_id: B.workspace, thread_id: B.thread, title: B.title });
  await checked(operator, 'turn/start', { workspace_id: B.workspace, thread_id: B.thread, turn_id: B.turn, input: [{ type: 'text', text: 'b private input' }] });
  await operator.waitFor(() => operator.notifications.find((n) => n.method === 'turn/completed'));
  scopedSecret = await gateway.scopedToken([A.workspace]);
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await gateway?.close();
  dirs.cleanup();
}, 60_000);

describe('the handshake refuses with HTTP 401', () => {
  it('no token, a bad token, a revoked token', async () => {
    await expect(RpcSocket.open(gateway.rpcUrl, undefined)).rejects.toMatchObject({ status: 401 });
    await expect(RpcSocket.open(gateway.rpcUrl, 'cairn_bogus-token-value')).rejects.toMatchObject({ status: 401 });
    await expect(RpcSocket.open(gateway.rpcUrl, undefined, { protocols: ['cairn.v1', 'cairn.bearer.cairn_bogus'] })).rejects.toMatchObject({ status: 401 });
    const issued = await checked<{ token: AuthToken; secret: string }>(operator, 'auth/token/create', { label: 'to revoke' });
    (await socket(issued.secret)).close();
    await checked(operator, 'auth/token/revoke', { token_id: issued.token.token_id });
    await expect(RpcSocket.open(gateway.rpcUrl, issued.secret)).rejects.toMatchObject({ status: 401 });
  });

  it('an expired token (and a connection made before it expired answers unauthorized, then closes 4001)', async () => {
    const issued = await checked<{ token: AuthToken; secret: string }>(operator, 'auth/token/create', { label: 'short', expires_in_seconds: 1 });
    const early = await socket(issued.secret);
    expect((await early.call<{ token: AuthToken }>('auth/me')).token.token_id).toBe(issued.token.token_id);
    const expiresAt = Date.parse(issued.token.expires_at!);
    await waitUntil(() => Date.now() > expiresAt + 50, 'the token to expire', 10_000);
    await expect(RpcSocket.open(gateway.rpcUrl, issued.secret)).rejects.toMatchObject({ status: 401 });
    const answer = await early.request('auth/me');
    expect(answer.error?.data.code).toBe('unauthorized');
    await early.waitFor(() => early.closed);
    expect(early.closed?.code).toBe(4001);
  });
});

describe('a token revoked while connected', () => {
  it('gets no more answers: its next request is unauthorized or finds the socket closed 4001', async () => {
    const issued = await checked<{ token: AuthToken; secret: string }>(operator, 'auth/token/create', { label: 'victim', workspace_ids: [A.workspace] });
    const victim = await socket(issued.secret);
    expect((await victim.call<{ token: AuthToken }>('auth/me')).token.token_id).toBe(issued.token.token_id);
    const other = await socket(gateway.operatorToken);
    const revoked = await checked<{ token: AuthToken }>(other, 'auth/token/revoke', { token_id: issued.token.token_id });
    expect(revoked.token.revoked_at).not.toBeNull();
    if (!victim.closed) {
      victim.send(JSON.stringify({ jsonrpc: '2.0', id: 'after', method: 'workspace/get', params: { workspace_id: A.workspace } }));
    }
    await victim.waitFor(() => victim.closed);
    expect(victim.closed?.code).toBe(4001);
    const after = victim.answers.find((a) => a.id === 'after');
    if (after) expect(after.error?.data.code).toBe('unauthorized');
    expect(victim.answers.filter((a) => a.result !== undefined)).toHaveLength(1); // the auth/me before
    await expect(RpcSocket.open(gateway.rpcUrl, issued.secret)).rejects.toMatchObject({ status: 401 });
  });
});

describe('a token revoked elsewhere (another gateway, the CLI) while connected', () => {
  it('answers the next request unauthorized and closes 4001', async () => {
    const issued = await gateway.runtime.store.tokens.issue({ kind: 'workspace', workspace_ids: [A.workspace], label: 'revoked by the cli' });
    const victim = await socket(issued.secret);
    expect((await victim.call<{ token: AuthToken }>('auth/me')).token.token_id).toBe(issued.token.token_id);
    await gateway.runtime.store.tokens.revoke({ token_id: issued.token.token_id });
    // What this gateway knows of the token expires after its recheck interval; skip the wait.
    gateway.services.tokens.forget(issued.token.token_id);
    const answer = await victim.request('workspace/get', { workspace_id: A.workspace });
    expect(answer.error?.data.code).toBe('unauthorized');
    expect(answer.result).toBeUndefined();
    await victim.waitFor(() => victim.closed);
    expect(victim.closed?.code).toBe(4001);
  });
});

describe("a token scoped to workspace A asking for workspace B", () => {
  /** Each request once with B's real ids and once with ids that exist nowhere. */
  const probes: Array<[MethodName, (ids: typeof MISSING) => Record<string, unknown>]> = [
    ['workspace/get', (ids) => ({ workspace_id: ids.workspace })],
    ['thread/get', (ids) => ({ workspace_id: ids.workspace, thread_id: ids.thread })],
    ['thread/start', (ids) => ({ workspace_id: ids.workspace, thread_id: ids.thread, title: 'intruder' })],
    ['thread/history', (ids) => ({ workspace_id: ids.workspace, thread_id: ids.thread })],
    ['thread/search', (ids) => ({ workspace_id: ids.workspace, query: 'private' })],
    ['turn/get', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    ['turn/start', (ids) => ({ workspace_id: ids.workspace, thread_id: ids.thread, input: [{ type: 'text', text: 'x' }] })],
    ['turn/cancel', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    ['turn/timeline', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    [
      'turn/event/append',
      (ids) => ({ workspace_id: ids.workspace, events: [{ thread_id: ids.thread, turn_id: ids.turn, idempotency_key: 'intrude', event: { type: 'turn.completed' } }] }),
    ],
    ['turn/records/recovery_job/get', (ids) => ({ workspace_id: ids.workspace, job_id: 'job-1' })],
    ['turn/records/recovery_job/list', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    ['turn/records/prompt_manifest/get', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    ['turn/records/bindings/list', (ids) => ({ workspace_id: ids.workspace, turn_id: ids.turn })],
    ['sync/resume', (ids) => ({ workspace_id: ids.workspace, after_seq: 0 })],
    ['sync/resume', (ids) => ({ workspace_id: ids.workspace, after_seq: 0, thread_ids: [ids.thread] })],
    ['auth/token/create', (ids) => ({ workspace_ids: [ids.workspace] })],
    ['auth/token/create', (ids) => ({ workspace_ids: [A.workspace, ids.workspace] })],
  ];
  const normalize = (answer: RpcAnswer, ids: typeof MISSING) =>
    JSON.parse(JSON.stringify(answer.error).replaceAll(ids.workspace, '<ws>').replaceAll(ids.thread, '<thread>').replaceAll(ids.turn, '<turn>')) as unknown;

  it.each(probes.map(([method, params], i) => [`${method} #${i}`, method, params] as const))('%s: forbidden_workspace, identical for an existing and a missing workspace', async (_name, method, params) => {
    const scoped = await socket(scopedSecret);
    const onB = await scoped.request(method, params(B));
    const onMissing = await scoped.request(method, params(MISSING));
    expect(onB.result).toBeUndefined();
    expect(onB.error?.data.code).toBe('forbidden_workspace');
    expect(normalize(onB, B)).toEqual(normalize(onMissing, MISSING));
    const text = JSON.stringify(onB.error);
    for (const hidden of [B.thread, B.title, B.turn, 'private input']) expect(text).not.toContain(hidden);
    await scoped.close();
  });

  it('operator-only methods: secret/list, secret/set, workspace/create, an operator token', async () => {
    const scoped = await socket(scopedSecret);
    for (const [method, params] of [
      ['secret/list', {}],
      ['secret/set', { service: 'provider', id: 'scoped', value: 'sk-should-not-be-stored-123456' }],
      ['secret/delete', { service: 'provider', id: 'scoped' }],
      ['workspace/create', { name: 'scoped made this' }],
      ['workspace/create', { workspace_id: 'ws-scoped-made', name: 'scoped made this' }],
      ['auth/token/create', {}],
      ['auth/token/create', { label: 'operator please' }],
    ] as const) {
      const answer = await scoped.request(method, params);
      expect([method, answer.error?.data.code]).toEqual([method, 'forbidden_workspace']);
    }
    expect((await checked<{ secrets: unknown[] }>(operator, 'secret/list', {})).secrets.filter((s) => JSON.stringify(s).includes('scoped'))).toEqual([]);
    const all = await checked<{ items: Array<{ workspace_id: string; name: string }> }>(operator, 'workspace/list', { limit: 100 });
    expect(all.items.some((w) => w.name === 'scoped made this')).toBe(false);
    // The B thread was not re-opened or retitled, no turn was started or cancelled there.
    const thread = await checked<{ thread: { title: string } }>(operator, 'thread/get', { workspace_id: B.workspace, thread_id: B.thread });
    expect(thread.thread.title).toBe(B.title);
    const history = await checked<{ items: Array<{ turn: { turn_id: string; status: string } }> }>(operator, 'thread/history', { workspace_id: B.workspace, thread_id: B.thread });
    expect(history.items.map((t) => [t.turn.turn_id, t.turn.status])).toEqual([[B.turn, 'completed']]);
    await scoped.close();
  });

  it('a workspace token must name its workspace where the workspace is optional', async () => {
    const scoped = await socket(scopedSecret);
    const answer = await scoped.request('turn/records/recovery_job/claim', { worker_id: 'w1' });
    expect(answer.error?.data.code).toMatch(/forbidden_workspace|invalid_params/);
    await scoped.close();
  });

  it('workspace/list lists only A, on every page, and no cursor carries another workspace', async () => {
    for (let i = 0; i < 4; i++) await checked(operator, 'workspace/create', { workspace_id: `ws-z-other-${i}`, name: `other ${i}` });
    const scoped = await socket(scopedSecret);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const result: WorkspacePage = await checked<WorkspacePage>(scoped, 'workspace/list', { limit: 1, ...(cursor ? { cursor } : {}) });
      seen.push(...result.items.map((w) => w.workspace_id));
      if (result.next_cursor === null) break;
      expect(Buffer.from(result.next_cursor, 'base64url').toString('utf8')).not.toMatch(/ws-b-private|ws-z-other|ws-never|default/);
      cursor = result.next_cursor;
    }
    expect(seen).toEqual([A.workspace]);
    await scoped.close();

    // A token of two workspaces pages over those two alone.
    const two = await socket(await gateway.scopedToken(['ws-z-other-2', A.workspace]));
    const pages: string[][] = [];
    cursor = undefined;
    for (let page = 0; page < 10; page++) {
      const result: WorkspacePage = await checked<WorkspacePage>(two, 'workspace/list', { limit: 1, ...(cursor ? { cursor } : {}) });
      pages.push(result.items.map((w) => w.workspace_id));
      if (result.next_cursor === null) break;
      expect(Buffer.from(result.next_cursor, 'base64url').toString('utf8')).not.toMatch(/ws-b-private|ws-z-other-[013]|default/);
      cursor = result.next_cursor;
    }
    expect(pages).toEqual([[A.workspace], ['ws-z-other-2']]);
    const whole = await checked<{ items: Array<{ workspace_id: string }>; next_cursor: string | null }>(two, 'workspace/list', {});
    expect([whole.items.map((w) => w.workspace_id), whole.next_cursor]).toEqual([[A.workspace, 'ws-z-other-2'], null]);
  });

  it('auth/me and auth/token/list for a scoped token: itself and the tokens it made, nothing else', async () => {
    const scoped = await socket(scopedSecret);
    const me = await checked<{ token: AuthToken }>(scoped, 'auth/me', {});
    expect(me.token).toMatchObject({ kind: 'workspace', workspace_ids: [A.workspace], revoked_at: null });
    expect(JSON.stringify(me)).not.toContain(scopedSecret);
    const child = await checked<{ token: AuthToken; secret: string }>(scoped, 'auth/token/create', { workspace_ids: [A.workspace], label: 'child of scoped' });
    expect(child.token).toMatchObject({ kind: 'workspace', workspace_ids: [A.workspace], created_by: me.token.token_id });
    const list = await checked<{ items: AuthToken[] }>(scoped, 'auth/token/list', {});
    expect(list.items.map((t) => t.token_id).sort()).toEqual([me.token.token_id, child.token.token_id].sort());
    expect(JSON.stringify(list)).not.toContain(child.secret);
    const operatorList = await checked<{ items: AuthToken[] }>(operator, 'auth/token/list', { limit: 100 });
    expect(operatorList.items.length).toBeGreaterThan(2);
    // Another token's id is not revocable by the scoped token, and the answer is that of a missing one.
    const operatorId = operatorList.items.find((t) => t.kind === 'operator')!.token_id;
    const foreign = await scoped.request('auth/token/revoke', { token_id: operatorId });
    const missing = await scoped.request('auth/token/revoke', { token_id: 'tok-does-not-exist' });
    expect(foreign.error?.data.code).toBe('not_found');
    expect(JSON.stringify(foreign.error).replaceAll(operatorId, '<id>')).toBe(JSON.stringify(missing.error).replaceAll('tok-does-not-exist', '<id>'));
    // It may revoke its own child.
    expect((await checked<{ token: AuthToken }>(scoped, 'auth/token/revoke', { token_id: child.token.token_id })).token.revoked_at).not.toBeNull();
    await scoped.close();
  });

  it("works on its own workspace's ids", async () => {
    const scoped = await socket(scopedSecret);
    expect((await checked<{ workspace: { workspace_id: string } }>(scoped, 'workspace/get', { workspace_id: A.workspace })).workspace.workspace_id).toBe(A.workspace);
    await checked(scoped, 'thread/start', { workspace_id: A.workspace, thread_id: A.thread, title: 'mine' });
    await checked(scoped, 'turn/start', { workspace_id: A.workspace, thread_id: A.thread, turn_id: A.turn, input: [{ type: 'text', text: 'mine' }] });
    await scoped.waitFor(() => scoped.notifications.find((n) => n.method === 'turn/completed' && n.params['turn_id'] === A.turn));
    expect(scoped.notifications.every((n) => n.params['workspace_id'] === A.workspace)).toBe(true);
    expect((await checked<{ turn: { status: string } }>(scoped, 'turn/get', { workspace_id: A.workspace, turn_id: A.turn })).turn.status).toBe('completed');
    await checked(scoped, 'thread/get', { workspace_id: A.workspace, thread_id: A.thread });
    await checked(scoped, 'thread/history', { workspace_id: A.workspace, thread_id: A.thread });
    await checked(scoped, 'turn/timeline', { workspace_id: A.workspace, turn_id: A.turn });
    await checked(scoped, 'turn/records/recovery_job/list', { workspace_id: A.workspace, turn_id: A.turn });
    await checked(scoped, 'turn/records/bindings/list', { workspace_id: A.workspace, turn_id: A.turn });
    const resumed = await checked<{ replayed: number; head_seq: number }>(scoped, 'sync/resume', { workspace_id: A.workspace, after_seq: 0 });
    expect(resumed.replayed).toBeGreaterThan(0);
    // A thread id of B inside A's workspace is simply unknown there.
    const crossed = await scoped.request('thread/get', { workspace_id: A.workspace, thread_id: B.thread });
    expect(crossed.error?.data.code).toBe('not_found');
    const crossedTurn = await scoped.request('turn/get', { workspace_id: A.workspace, turn_id: B.turn });
    expect(crossedTurn.error?.data.code).toBe('not_found');
    expect(JSON.stringify([crossed, crossedTurn])).not.toContain(B.title);
    await scoped.close();
  });
});
