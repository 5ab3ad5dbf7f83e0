import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { Value } from 'typebox/value';
import { CairnError } from '@cairn/protocol';
import type { CairnEnv } from '../env.js';
import { GatewaySettingsSchema, type GatewaySettings } from './schema.js';
import { findLiteralSecrets } from './literal-secrets.js';
import { checkStorageSettings } from './storage-backend.js';
import { checkTaskSettings } from './task-settings.js';

export interface LoadedSettings {
  settings: GatewaySettings;
  /** The settings file that was read, or null when only defaults and env applied. */
  file: string | null;
}

/**
 * Defaults, then `gateway-settings.toml` if present, then environment overrides; the result
 * is validated as a whole and any problem is reported with its path. A credential written
 * in clear into the file is refused: settings hold `secret://` refs only.
 */
export function loadSettings(options: { file?: string; env?: CairnEnv } = {}): LoadedSettings {
  const env = options.env ?? {};
  let raw: Record<string, unknown> = {};
  let file: string | null = null;
  if (options.file && existsSync(options.file)) {
    file = options.file;
    try {
      raw = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new CairnError('invalid_params', `cannot parse ${file}: ${(cause as Error).message}`, { details: { file } });
    }
  }
  applyEnv(raw, env);
  return { settings: validateSettings(raw, file ?? '<defaults>'), file };
}

/** Validates a settings object (from TOML, JSON or code) and fills defaults. */
export function validateSettings(input: unknown, origin = '<settings>'): GatewaySettings {
  const candidate = Value.Default(GatewaySettingsSchema, Value.Clone(input ?? {}));
  const problems = Value.Errors(GatewaySettingsSchema, candidate).map((e) => `${e.instancePath || '/'}: ${e.message}`);
  if (problems.length > 0) {
    throw new CairnError('invalid_params', `invalid settings in ${origin}: ${problems.join('; ')}`, { details: { origin, problems } });
  }
  const literal = findLiteralSecrets(candidate);
  if (literal.length > 0) {
    throw new CairnError('invalid_params', `settings in ${origin} hold credentials in clear at ${literal.join(', ')}; store them with 'cairn secrets set' and use secret:// refs`, {
      details: { origin, paths: literal },
    });
  }
  const settings = candidate as GatewaySettings;
  checkStorageSettings(settings.storage, origin);
  checkTaskSettings(settings.tasks, origin);
  return settings;
}

function applyEnv(raw: Record<string, unknown>, env: CairnEnv): void {
  if (env.listen !== undefined) {
    const listen = (raw['listen'] ??= {}) as Record<string, unknown>;
    const match = /^(?:(.+):)?(\d{1,5})$/.exec(env.listen);
    if (!match) throw new CairnError('invalid_params', `CAIRN_LISTEN must be 'host:port' or 'port', got '${env.listen}'`);
    if (match[1] !== undefined) listen['host'] = match[1].replace(/^\[(.*)\]$/, '$1');
    listen['port'] = Number(match[2]);
  }
  if (env.logLevel !== undefined) raw['log_level'] = env.logLevel;
}
