import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthToken, checkValue } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { manualClock, type ManualClock } from '../testing/manual-clock.js';
import { readTableRows } from '../testing/table-rows.js';
import { openTempStore, type TempStore } from '../testing/temp-store.js';
import type { CrudStore } from '../store/crud-store.js';
import type { ReadContext } from '../port/types.js';
import { hashSecret } from './token-rows.js';

/** Every user table of the database (SQLite's own and FTS5's shadow tables included). */
async function allTables(q: ReadContext): Promise<string[]> {
  const rows =
    q.dialect.name === 'sqlite'
      ? await q.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      : await q.all<{ name: string }>('SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = current_schema()');
  return rows.map((r) => r.name);
}

describe('store.tokens', () => {
  let temp: TempStore;
  let store: CrudStore;
  let clock: ManualClock;
  let ws: string;
  beforeAll(async () => {
    clock = manualClock();
    temp = await openTempStore({ clock });
    store = temp.store;
    ws = (await store.workspaces.create({ workspace_id: 'ws-a', name: 'A' })).workspace_id;
    await store.workspaces.create({ workspace_id: 'ws-b', name: 'B' });
  });
  afterAll(async () => temp.cleanup());

  it('issues a token whose secret authenticates it, and answers the record the protocol describes', async () => {
    const { token, secret } = await store.tokens.issue({ kind: 'workspace', workspace_ids: [ws, 'ws-b'], label: 'ci runner' });
    expect(secret).toMatch(/^cairn_[A-Za-z0-9_-]{43}$/);
    expect(token).toEqual({
      token_id: expect.stringMatching(/^tok_/),
      kind: 'workspace',
      workspace_ids: [ws, 'ws-b'],
      label: 'ci runner',
      created_at: expect.stringMatching(/Z$/),
      expires_at: null,
      revoked_at: null,
      created_by: null,
    });
    expect(checkValue(AuthToken, token).ok).toBe(true);
    expect(await store.tokens.authenticate(secret)).toEqual(token);
    expect(await store.tokens.get({ token_id: token.token_id })).toEqual(token);

    const op = await store.tokens.issue({ kind: 'operator', created_by: token.token_id });
    expect(op.token).toMatchObject({ kind: 'operator', workspace_ids: [], label: '', created_by: token.token_id });
    expect(op.secret).not.toBe(secret);
    expect(await store.tokens.authenticate(op.secret)).toEqual(op.token);
  });

  it('answers undefined for an unknown secret, a near miss, and what is not a secret at all', async () => {
    const { secret } = await store.tokens.issue({ kind: 'operator' });
    expect(await store.tokens.authenticate(`cairn_${'A'.repeat(43)}`)).toBeUndefined();
    expect(await store.tokens.authenticate(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await store.tokens.authenticate('')).toBeUndefined();
    expect(await store.tokens.authenticate('x'.repeat(10_000))).toBeUndefined();
    expect(await store.tokens.authenticate(undefined as never)).toBeUndefined();
  });

  it('refuses a revoked token, and revoking again changes nothing', async () => {
    const { token, secret } = await store.tokens.issue({ kind: 'workspace', workspace_ids: [ws] });
    const first = await store.tokens.revoke({ token_id: token.token_id });
    expect(first).toEqual({ token: { ...token, revoked_at: expect.stringMatching(/Z$/) }, revoked: true });
    expect(await store.tokens.authenticate(secret)).toBeUndefined();
    clock.tick(5000);
    const again = await store.tokens.revoke({ token_id: token.token_id });
    expect(again).toEqual({ token: first.token, revoked: false });
    expect(await store.tokens.get({ token_id: token.token_id })).toEqual(first.token);
    await expectCode(store.tokens.revoke({ token_id: 'tok_unknown' }), 'not_found');
    await expectCode(store.tokens.get({ token_id: 'tok_unknown' }), 'not_found');
  });

  it('refuses an expired token by the store clock', async () => {
    const { token, secret } = await store.tokens.issue({ kind: 'operator', expires_in_seconds: 60 });
    expect(token.expires_at).toBe(new Date(Date.parse(token.created_at) + 60_000).toISOString());
    clock.tick(30_000);
    expect(await store.tokens.authenticate(secret)).toEqual(token);
    clock.tick(30_000);
    expect(await store.tokens.authenticate(secret)).toBeUndefined();
  });

  it('refuses a workspace token naming an unknown workspace, writing nothing', async () => {
    const before = (await store.tokens.list({ include_revoked: true, limit: 500 })).items.length;
    const error = await expectCode(store.tokens.issue({ kind: 'workspace', workspace_ids: [ws, 'ws-missing'] }), 'not_found');
    expect(error.details).toEqual({ workspace_id: 'ws-missing' });
    expect((await store.tokens.list({ include_revoked: true, limit: 500 })).items).toHaveLength(before);
  });

  it('refuses malformed params with invalid_params', async () => {
    await expectCode(store.tokens.issue({ kind: 'workspace' }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'workspace', workspace_ids: [] }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'workspace', workspace_ids: [ws, ws] }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'operator', workspace_ids: [ws] }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'admin' } as never), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'operator', label: '' }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'operator', expires_in_seconds: 0 }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'operator', created_by: '../x' }), 'invalid_params');
    await expectCode(store.tokens.issue({ kind: 'operator', extra: 1 } as never), 'invalid_params');
    await expectCode(store.tokens.list({ limit: 0 }), 'invalid_params');
    await expectCode(store.tokens.list({ cursor: 'garbage' }), 'invalid_params');
    await expectCode(store.tokens.get({} as never), 'invalid_params');
  });

  it('keeps only the hash: the secret is in no column of any table', async () => {
    const { token, secret } = await store.tokens.issue({ kind: 'operator', label: 'hash only' });
    const body = secret.slice('cairn_'.length);
    const rows = await store.context.read((q) => readTableRows(q, 'auth_token', 'token_id'));
    const row = rows.find((r) => r.token_id === token.token_id);
    expect(row).toMatchObject({ token_hash: hashSecret(secret), kind: 'operator', workspace_ids: '[]', label: 'hash only' });
    for (const value of rows.flatMap((r) => Object.values(r))) expect(String(value)).not.toContain(body);
    const everything = await store.context.read(async (q) => {
      const out: unknown[] = [];
      for (const table of await allTables(q)) out.push(...(await q.all(`SELECT * FROM "${table}"`)));
      return JSON.stringify(out);
    });
    expect(everything).toContain(hashSecret(secret));
    expect(everything).not.toContain(body);
  });
});

describe('store.tokens.list', () => {
  let temp: TempStore;
  let store: CrudStore;
  beforeAll(async () => {
    temp = await openTempStore({ clock: manualClock() });
    store = temp.store;
  });
  afterAll(async () => temp.cleanup());

  it('pages newest first, without revoked tokens unless asked, and by issuer', async () => {
    const issuer = (await store.tokens.issue({ kind: 'operator', label: 'issuer' })).token;
    const made = [issuer.token_id];
    for (let i = 0; i < 6; i++) made.push((await store.tokens.issue({ kind: 'operator', label: `t${i}`, created_by: issuer.token_id })).token.token_id);
    await store.tokens.revoke({ token_id: made[3]! });

    const pages = async (params: { include_revoked?: boolean; created_by?: string }): Promise<string[][]> => {
      const out: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.tokens.list({ ...params, limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        out.push(page.items.map((t) => t.token_id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
      return out;
    };
    const newest = [...made].reverse();
    expect((await pages({ include_revoked: true })).flat()).toEqual(newest);
    expect(await pages({ include_revoked: true })).toHaveLength(4);
    expect((await pages({})).flat()).toEqual(newest.filter((id) => id !== made[3]));
    expect((await pages({ created_by: issuer.token_id })).flat()).toEqual(newest.filter((id) => id !== made[3] && id !== issuer.token_id));

    // A cursor is bound to its filters.
    const first = await store.tokens.list({ limit: 2 });
    await expectCode(store.tokens.list({ limit: 2, include_revoked: true, cursor: first.next_cursor! }), 'invalid_params');
    await expectCode(store.tokens.list({ limit: 2, created_by: issuer.token_id, cursor: first.next_cursor! }), 'invalid_params');
  });
});
