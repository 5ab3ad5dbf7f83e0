/**
 * The one place in @cairn/config that reads the process environment. Everything else takes
 * a `CairnEnv` so tests (and embedders) pass their own.
 */
export interface CairnEnv {
  /** CAIRN_HOME: the runtime home. */
  home?: string;
  /** CAIRN_LISTEN: `host:port`, or just a port. */
  listen?: string;
  /** CAIRN_LOG_LEVEL */
  logLevel?: string;
  /** HOME, for the default `~/.cairn`. */
  userHome?: string;
  /** CAIRN_DATABASE_URL: a PostgreSQL URL (may carry a password; never logged unredacted). */
  databaseUrl?: string;
}

export function readCairnEnv(env: NodeJS.ProcessEnv = process.env): CairnEnv {
  const pick = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const result: CairnEnv = {};
  const home = pick('CAIRN_HOME');
  const listen = pick('CAIRN_LISTEN');
  const logLevel = pick('CAIRN_LOG_LEVEL');
  const userHome = pick('HOME') ?? pick('USERPROFILE');
  if (home !== undefined) result.home = home;
  if (listen !== undefined) result.listen = listen;
  if (logLevel !== undefined) result.logLevel = logLevel;
  if (userHome !== undefined) result.userHome = userHome;
  const databaseUrl = pick('CAIRN_DATABASE_URL');
  if (databaseUrl !== undefined) result.databaseUrl = databaseUrl;
  return result;
}
