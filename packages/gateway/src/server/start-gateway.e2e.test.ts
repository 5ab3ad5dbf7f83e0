import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode } from '@cairn/protocol';
import { openSqliteDatabase } from '@cairn/sqlite';
import { startGateway, type RunningGateway } from './start-gateway.js';
import { startTestGateway } from '@cairn/gateway/testing';
import { openDatabaseProbe } from '../runtime/readiness-probe.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

function freshRoot(): string {
  root = mkdtempSync(join(tmpdir(), 'cairn-gateway-'));
  return root;
}

describe('startGateway', () => {
  it('creates the runtime home, migrates gateway.db and answers /healthz and /readyz on loopback', async () => {
    const home = join(freshRoot(), 'home');
    gateway = await startTestGateway(home);
    expect(gateway.port).toBeGreaterThan(0);

    const health = await fetch(`${gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ready');
    expect(body.checks['database']?.ok).toBe(true);
    expect(body.checks['migrations']?.ok).toBe(true);

    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'gateway.db')).mode & 0o777).toBe(0o600);
  });

  it('reads the settings file of the home', async () => {
    const home = freshRoot();
    writeFileSync(join(home, 'gateway-settings.toml'), 'log_level = "silent"\n[listen]\nhost = "127.0.0.1"\nport = 0\n');
    gateway = await startGateway({ home, env: {} });
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('refuses to start on a gateway.db whose schema is newer than this build, and writes nothing', async () => {
    const home = freshRoot();
    const first = await startTestGateway(home);
    await first.close();
    const db = await openSqliteDatabase({ path: join(home, 'gateway.db') });
    await db.query(
      "INSERT INTO schema_migration (service, version, name, checksum, applied_at) VALUES ('gateway', 999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')",
    );
    await db.destroy();
    let caught: unknown;
    try {
      gateway = await startTestGateway(home);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeDefined();
    const cause = (caught as { cause?: { code?: string; message?: string } }).cause;
    expect(cause?.code).toBe('schema_too_new');
    expect(cause?.message).toContain('999');
  });

  it('refuses an invalid settings file with a clear error', async () => {
    const home = freshRoot();
    writeFileSync(join(home, 'gateway-settings.toml'), '[listen]\nport = "many"\n');
    let caught: unknown;
    try {
      gateway = await startGateway({ home, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'invalid_params')).toBe(true);
    expect((caught as Error).message).toContain('/listen/port');
  });
});

describe('readiness probe', () => {
  it('reports a database whose migrations are pending as not ready', async () => {
    const path = join(freshRoot(), 'gateway.db');
    const db = await openSqliteDatabase({ path });
    await db.destroy();
    const probe = await openDatabaseProbe(path, () => true);
    try {
      const report = await probe.probe();
      expect(report.ready).toBe(false);
      expect(report.checks['database']?.ok).toBe(true);
      expect(report.checks['migrations']).toMatchObject({ ok: false });
    } finally {
      await probe.close();
    }
  });

  it('reports a closed runtime as not ready', async () => {
    const home = freshRoot();
    gateway = await startTestGateway(home);
    await gateway.runtime.close();
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe('not_ready');
  });
});
