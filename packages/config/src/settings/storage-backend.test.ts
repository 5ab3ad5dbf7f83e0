import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCairnError } from '@cairn/protocol';
import { readCairnEnv } from '../env.js';
import { loadSettings, validateSettings } from './load-settings.js';
import { resolveStorageBackend } from './storage-backend.js';

function errorOf(fn: () => unknown): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (isCairnError(error)) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    throw error;
  }
  throw new Error('expected an error');
}

describe('resolveStorageBackend', () => {
  it('keeps SQLite in the home when no URL is given', () => {
    expect(resolveStorageBackend(validateSettings({}), {})).toEqual({ kind: 'sqlite' });
  });

  it('takes CAIRN_DATABASE_URL (password allowed) over storage.database_url', () => {
    const env = readCairnEnv({ CAIRN_DATABASE_URL: ' postgres://cairn:hunter22@db:5432/cairn ' });
    expect(env.databaseUrl).toBe('postgres://cairn:hunter22@db:5432/cairn');
    const settings = validateSettings({ storage: { database_url: 'postgresql://other@db2/other', database_schema: 'gw' } });
    expect(resolveStorageBackend(settings, env)).toEqual({
      kind: 'postgres',
      url: 'postgres://cairn:hunter22@db:5432/cairn',
      source: 'CAIRN_DATABASE_URL',
      schema: 'gw',
      keystoreSchema: 'cairn_keystore',
    });
    expect(resolveStorageBackend(settings, {})).toMatchObject({ kind: 'postgres', url: 'postgresql://other@db2/other', source: 'storage.database_url' });
    expect(resolveStorageBackend(validateSettings({}), readCairnEnv({ CAIRN_DATABASE_URL: '  ' }))).toEqual({ kind: 'sqlite' });
  });

  it('refuses a password in a settings file, pointing at the environment, without echoing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
    try {
      const file = join(dir, 'gateway-settings.toml');
      for (const url of ['postgres://cairn:hunter22@db/cairn', 'postgresql://cairn@db/cairn?sslmode=require&password=hunter22']) {
        writeFileSync(file, `[storage]\ndatabase_url = "${url}"\n`);
        const error = errorOf(() => loadSettings({ file }));
        expect(error).toMatchObject({ code: 'invalid_params', details: { reason: 'password_in_settings' } });
        expect(error.message).toContain('CAIRN_DATABASE_URL');
        expect(error.message).toContain('.pgpass');
        expect(error.message).toContain(file);
        expect(JSON.stringify(error)).not.toContain('hunter22');
      }
      // Without a password the file is fine (libpq's .pgpass / PGPASSWORD supply it).
      writeFileSync(file, '[storage]\ndatabase_url = "postgres://cairn@db/cairn"\n');
      expect(loadSettings({ file }).settings.storage.database_url).toBe('postgres://cairn@db/cairn');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses any other scheme, from either source, naming the scheme and never the URL', () => {
    const fromSettings = errorOf(() => validateSettings({ storage: { database_url: 'mysql://root@db/cairn' } }));
    expect(fromSettings).toMatchObject({ code: 'invalid_params', details: { reason: 'unsupported_database_url', scheme: 'mysql' } });
    expect(fromSettings.message).toMatch(/only postgres:\/\/ and postgresql:\/\//);
    const fromEnv = errorOf(() => resolveStorageBackend(validateSettings({}), { databaseUrl: 'sqlite://u:hunter22@x/gateway.db' }));
    expect(fromEnv).toMatchObject({ code: 'invalid_params', details: { reason: 'unsupported_database_url', where: 'CAIRN_DATABASE_URL' } });
    const notUrl = errorOf(() => resolveStorageBackend(validateSettings({}), { databaseUrl: 'host=db password=hunter22' }));
    expect(notUrl.message).toMatch(/CAIRN_DATABASE_URL is not a URL/);
    expect(JSON.stringify([fromEnv, notUrl])).not.toContain('hunter22');
  });

  it('refuses a schema name Cairn keeps for itself, or one that is not a plain identifier', () => {
    expect(errorOf(() => validateSettings({ storage: { database_schema: 'cairn_keystore' } }))).toMatchObject({ details: { reason: 'reserved_schema' } });
    expect(errorOf(() => validateSettings({ storage: { database_schema: 'Bad-Name' } })).code).toBe('invalid_params');
  });
});
