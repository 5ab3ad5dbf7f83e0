import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { CairnError } from '@cairn/protocol';
import type { CairnEnv } from '../env.js';

/** Every path of a runtime home, derived from its root; nothing inside stores an absolute path. */
export interface RuntimePaths {
  home: string;
  gatewayDb: string;
  keystoreDb: string;
  keystoreKey: string;
  settingsFile: string;
  artifactsDir: string;
  uploadSessionsDir: string;
  backupsDir: string;
  /** The journal's archive segments (retention): `archive/<workspace>/<first>-<last>.jsonl.gz`. */
  archiveDir: string;
}

/**
 * `$CAIRN_HOME`, else `~/.cairn`; always absolute, never with `..` segments. A home that is
 * itself a symlink (an operator pointing `~/.cairn` at another disk) is resolved here, once,
 * to the directory it names: the home is where the operator put it, while a link *inside*
 * it, which could lead out of the home, is refused when the home is opened.
 */
export function resolveRuntimeHome(env: CairnEnv): string {
  const raw = env.home ?? join(env.userHome ?? homedir(), '.cairn');
  if (raw.split(/[\\/]+/).includes('..')) {
    throw new CairnError('invalid_params', `runtime home must not contain '..' segments: ${raw}`, { details: { home: raw } });
  }
  const home = isAbsolute(raw) ? raw : resolve(raw);
  try {
    return realpathSync(home);
  } catch {
    return home; // not created yet (or unreachable: opening it reports why)
  }
}

export function runtimePaths(home: string): RuntimePaths {
  return {
    home,
    gatewayDb: join(home, 'gateway.db'),
    keystoreDb: join(home, 'keystore.db'),
    keystoreKey: join(home, 'keystore.key'),
    settingsFile: join(home, 'gateway-settings.toml'),
    artifactsDir: join(home, 'artifacts'),
    uploadSessionsDir: join(home, 'artifacts', 'upload_sessions'),
    backupsDir: join(home, 'backups'),
    archiveDir: join(home, 'archive'),
  };
}
