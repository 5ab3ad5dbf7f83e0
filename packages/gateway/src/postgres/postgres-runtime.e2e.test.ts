import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresDatabase } from '@cairn/postgres';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { inspectRuntime } from '../runtime/inspect-runtime.js';
import { verifyRuntime } from '../runtime/verify-runtime.js';
import { startGateway, type RunningGateway } from '../server/start-gateway.js';
import { turnAppender } from '../testing/gateway-fixture.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

const start = (home: string, url: string) =>
  startGateway({ home, env: { databaseUrl: url }, settings: { log_level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } });
const readyz = async (g: RunningGateway) => {
  const response = await fetch(`${g.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, { ok: boolean; detail?: string }> } };
};

describe('a gateway on PostgreSQL', () => {
  it('starts, is ready, keeps what was appended across a restart, and doctor and verify find it clean', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-gw-'));
    const home = join(root, 'home');
    const { url } = await createTestDatabase('gw_smoke');
    gateway = await start(home, url);
    expect(gateway.runtime.backend).toMatchObject({ kind: 'postgres', schema: 'public', keystoreSchema: 'cairn_keystore' });
    expect(gateway.runtime.store.postgres).toBeDefined();
    expect(await readyz(gateway)).toMatchObject({ status: 200, body: { status: 'ready', checks: { database: { ok: true }, migrations: { ok: true }, schema: { ok: true } } } });

    const { store, keystore } = gateway.runtime;
    await keystore.set('provider', 'acme', 'acme-key-value-000111', { kind: 'provider_api_key' });
    const ws = await store.workspaces.ensureDefault();
    await store.threads.start({ workspace_id: ws.workspace_id, thread_id: 'thr-1' });
    const append = turnAppender(store, { workspace_id: ws.workspace_id, thread_id: 'thr-1', turn_id: 'turn-1' });
    await append({ type: 'turn.started', input: [{ type: 'text', text: 'hello from postgres, key acme-key-value-000111' }] });
    await append({ type: 'turn.completed' });
    await gateway.close();

    gateway = await start(home, url);
    expect((await readyz(gateway)).status).toBe(200);
    const turn = await gateway.runtime.store.turns.get({ workspace_id: ws.workspace_id, turn_id: 'turn-1' });
    expect(JSON.stringify(turn)).toContain('hello from postgres');
    expect(JSON.stringify(turn)).not.toContain('acme-key-value-000111'); // the keystore's redactor, as on SQLite
    expect(await gateway.runtime.secrets.resolve('secret://provider/acme')).toBe('acme-key-value-000111');
    expect(gateway.runtime.recovery.recoveryClaims).toMatchObject({ remaining: 0 });
    await gateway.close();
    gateway = undefined;

    const health = await inspectRuntime({ home, env: { databaseUrl: url } });
    expect(health).toMatchObject({ ok: true, backend: 'postgres', keystore: { ok: true, status: 'current', secrets: expect.any(Number) } });
    const verify = await verifyRuntime({ home, env: { databaseUrl: url } });
    expect(verify).toMatchObject({ ok: true, journal: { ok: true }, checkpoints: { checked: true, ok: true } });
    expect((verify.journal as { checked: number }).checked).toBeGreaterThan(0);
  });

  it('/readyz goes not ready while the server refuses connections, and ready again when it takes them', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-gw-'));
    const { url, name } = await createTestDatabase('gw_readyz');
    gateway = await start(join(root, 'home'), url);
    expect((await readyz(gateway)).status).toBe(200);
    const admin = await openPostgresDatabase({ url: url.replace(`/${name}`, '/postgres'), poolSize: 1 });
    try {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cairn-readyz'`, [name]);
      let lost = await readyz(gateway);
      for (let i = 0; i < 20 && lost.status === 200; i++) lost = await readyz(gateway);
      expect(lost).toMatchObject({ status: 503, body: { status: 'not_ready', checks: { database: { ok: false } } } });
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      let back = await readyz(gateway);
      for (let i = 0; i < 20 && back.status !== 200; i++) back = await readyz(gateway);
      expect(back.status).toBe(200);
    } finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
      await admin.destroy();
    }
  });

  it('refuses a gateway schema newer than this build before serving', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-gw-'));
    const home = join(root, 'home');
    const { url } = await createTestDatabase('gw_newer');
    gateway = await start(home, url);
    await gateway.close();
    gateway = undefined;
    const ds = await openPostgresDatabase({ url });
    try {
      await ds.query(`INSERT INTO public.schema_migration (service, version, name, checksum, applied_at) VALUES ('gateway', 999, 'future', 'x', '2099-01-01T00:00:00Z')`);
    } finally {
      await ds.destroy();
    }
    await expect(start(home, url)).rejects.toMatchObject({ code: 'schema_too_new' });
  });
});
