/** The environment variable that names the PostgreSQL database of a gateway. */
export const DATABASE_URL_ENV = 'CAIRN_DATABASE_URL';

/**
 * `CAIRN_DATABASE_URL` if set and not blank, else `undefined`. The one place this package
 * reads the environment; `env` is a parameter so callers and tests can pass their own.
 */
export function databaseUrlFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const value = env[DATABASE_URL_ENV]?.trim();
  return value ? value : undefined;
}
