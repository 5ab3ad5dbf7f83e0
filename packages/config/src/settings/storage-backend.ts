import { CairnError } from '@cairn/protocol';
import type { CairnEnv } from '../env.js';
import type { GatewaySettings } from './schema.js';

/** The schema the PostgreSQL keystore lives in (`@cairn/keystore`'s default), never the gateway's. */
export const POSTGRES_KEYSTORE_SCHEMA = 'cairn_keystore';
/** Schemas Cairn keeps for itself beside the gateway's: `storage.database_schema` may not name one. */
const RESERVED_SCHEMAS = [POSTGRES_KEYSTORE_SCHEMA, 'cairn_amcheck', 'pg_catalog', 'information_schema'];

/** Where a gateway keeps its state: SQLite files in the home, or schemas on a PostgreSQL server. */
export type StorageBackend =
  | { kind: 'sqlite' }
  | {
      kind: 'postgres';
      /** The URL as given; it may carry a password (from the environment only): redact it before printing. */
      url: string;
      /** Where the URL came from. */
      source: 'CAIRN_DATABASE_URL' | 'storage.database_url';
      /** gateway.db's role. */
      schema: string;
      /** keystore.db's role. */
      keystoreSchema: string;
    };

/**
 * `CAIRN_DATABASE_URL`, else `storage.database_url`, else SQLite in the home. A URL must be
 * `postgres://` or `postgresql://` (`invalid_params` otherwise, `details.reason`
 * `unsupported_database_url`). A password is accepted from the environment only: settings
 * files are read by many and backed up with the home (see `assertNoPasswordInSettings`).
 * No message here ever quotes a URL: it may carry a password.
 */
export function resolveStorageBackend(settings: GatewaySettings, env: CairnEnv = {}): StorageBackend {
  const fromEnv = env.databaseUrl;
  const url = fromEnv ?? settings.storage.database_url;
  if (url === undefined) return { kind: 'sqlite' };
  const source = fromEnv !== undefined ? 'CAIRN_DATABASE_URL' : 'storage.database_url';
  parseDatabaseUrl(url, source);
  return { kind: 'postgres', url, source, schema: settings.storage.database_schema, keystoreSchema: POSTGRES_KEYSTORE_SCHEMA };
}

/** Part of settings validation: `storage.database_url` is a PostgreSQL URL without a password, `database_schema` not one of Cairn's own. */
export function checkStorageSettings(storage: GatewaySettings['storage'], origin: string): void {
  if (RESERVED_SCHEMAS.includes(storage.database_schema)) {
    throw new CairnError('invalid_params', `storage.database_schema in ${origin} names ${storage.database_schema}, a schema Cairn keeps for itself; choose another`, {
      details: { origin, reason: 'reserved_schema' },
    });
  }
  if (storage.database_url === undefined) return;
  const url = parseDatabaseUrl(storage.database_url, `storage.database_url in ${origin}`);
  if (url.password !== '' || url.searchParams.has('password')) {
    throw new CairnError(
      'invalid_params',
      `storage.database_url in ${origin} holds a password; settings must not: remove it and give the password through ` +
        'CAIRN_DATABASE_URL (the whole URL, in the environment), a ~/.pgpass file or PGPASSWORD',
      { details: { origin, reason: 'password_in_settings' } },
    );
  }
}

function parseDatabaseUrl(text: string, where: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CairnError('invalid_params', `${where} is not a URL; expected postgres://user@host:port/database`, {
      details: { reason: 'unsupported_database_url', where },
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new CairnError(
      'invalid_params',
      `${where} has the scheme '${url.protocol.replace(/:$/, '')}'; only postgres:// and postgresql:// are supported (no URL at all keeps SQLite in the home)`,
      { details: { reason: 'unsupported_database_url', where, scheme: url.protocol.replace(/:$/, '') } },
    );
  }
  return url;
}
