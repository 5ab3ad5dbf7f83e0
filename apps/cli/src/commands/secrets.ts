import type { Command } from 'commander';
import type { CairnEnv } from '@cairn/config';
import { openRuntimeKeystore, type RuntimeKeystore } from '@cairn/gateway';
import { SECRET_KINDS, type SecretKind } from '@cairn/protocol';
import type { GlobalOptions } from '../cli.js';
import { CliError, usageError } from '../errors.js';
import { output } from './output.js';
import { readSecretValue } from './read-secret.js';

/** The gateway's own entries (held-text key, journal signing key): listed, never set or deleted by hand. */
const RESERVED_SERVICE = 'cairn';

type Add = (parent: Command, name: string) => Command;

async function withKeystore<T>(env: CairnEnv, global: GlobalOptions, create: boolean, work: (opened: RuntimeKeystore) => Promise<T>): Promise<T> {
  const opened = await openRuntimeKeystore({ env, create, ...(global.home !== undefined ? { home: global.home } : {}) });
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

function assertNotReserved(service: string): void {
  if (service === RESERVED_SERVICE) {
    throw usageError(`service '${RESERVED_SERVICE}' holds the gateway's own keys (held-text key, journal signing key); they are not set or deleted by hand`);
  }
}

function parseKind(kind: string): SecretKind {
  if (!(SECRET_KINDS as readonly string[]).includes(kind)) throw usageError(`--kind must be one of ${SECRET_KINDS.join(', ')}`);
  return kind as SecretKind;
}

/** `cairn secrets set|list|delete|rotate-master-key`: the home's keystore (keystore.db, or its PostgreSQL schema). Values never reach stdout. */
export function registerSecretsCommands(secrets: Command, add: Add, env: CairnEnv, global: () => GlobalOptions): void {
  add(secrets, 'set')
    .description('store the value read from stdin (never from the command line) under secret://<service>/<id>')
    .argument('<service>', 'a slug: provider, mcp.github, ...')
    .argument('<id>', 'the id within the service')
    .option('--kind <kind>', 'provider_api_key, generic, ... (default generic; kept on update)')
    .option('--label <label>', 'a description (listed and logged: never a secret)')
    .action(async (service: string, id: string, options: { kind?: string; label?: string }) => {
      assertNotReserved(service);
      const kind = options.kind === undefined ? undefined : parseKind(options.kind);
      const value = await readSecretValue(`value for secret://${service}/${id}`);
      const info = await withKeystore(env, global(), true, ({ keystore }) =>
        keystore.set(service, id, value, {
          ...(kind !== undefined ? { kind } : {}),
          ...(options.label !== undefined ? { label: options.label } : {}),
        }),
      );
      output(global(), info, () => [`stored ${info.ref} (version ${info.version}, kind ${info.kind})`]);
    });

  add(secrets, 'list')
    .description('metadata of every secret (never a value)')
    .option('--service <service>', 'only this service')
    .action(async (options: { service?: string }) => {
      const filter = options.service !== undefined ? { service: options.service } : {};
      // No keystore.db yet is an empty list, not a reason to create one (with a key) on a read.
      const listed = await withKeystore(env, global(), false, ({ keystore }) => keystore.list(filter)).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 'not_found') return [];
        throw error;
      });
      output(global(), listed, () =>
        listed.length === 0
          ? ['no secrets']
          : listed.map((s) => `${s.ref}  ${s.kind}  v${s.version}  updated ${s.updatedAt}${s.label !== null ? `  ${JSON.stringify(s.label)}` : ''}`),
      );
    });

  add(secrets, 'delete')
    .description('remove secret://<service>/<id>; exit 1 when there is none')
    .argument('<service>')
    .argument('<id>')
    .action(async (service: string, id: string) => {
      assertNotReserved(service);
      const deleted = await withKeystore(env, global(), false, ({ keystore }) => keystore.delete(service, id)).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 'not_found') return false;
        throw error;
      });
      if (!deleted) throw new CliError('not_found', `no secret ${service}/${id} in this home's keystore`);
      output(global(), { deleted: true, service, id }, () => [`deleted secret ${service}/${id}`]);
    });

  add(secrets, 'rotate-master-key')
    .description('re-encrypt every secret under a new master key (generated into keystore.key; with CAIRN_MASTER_KEY, read from stdin)')
    .option('--new-key-stdin', 'read the new key (base64 or hex of 32 bytes) from stdin: required when the key comes from CAIRN_MASTER_KEY')
    .action(async (options: { newKeyStdin?: boolean }) => {
      const newKey = options.newKeyStdin ? await readSecretValue('new master key') : undefined;
      const result = await withKeystore(env, global(), false, async (opened) => {
        try {
          return { ...(await opened.rotateMasterKey(newKey)), where: opened.backend.kind === 'sqlite' ? opened.paths.keystoreDb : 'PostgreSQL keystore schema' };
        } catch (error) {
          // The keystore's refusal to generate a key it cannot store (CAIRN_MASTER_KEY): say how to give one.
          if (newKey === undefined && (error as { code?: unknown }).code === 'invalid_params') {
            throw usageError(`${(error as Error).message}: cairn secrets rotate-master-key --new-key-stdin < new.key, then set CAIRN_MASTER_KEY to the new key before the next start`);
          }
          throw error;
        }
      });
      output(global(), result, () => [
        `rotated the master key of ${result.where}: ${result.previousKeyId} -> ${result.keyId}, ${result.reencrypted} secret(s) re-encrypted`,
        ...(newKey !== undefined ? ['set CAIRN_MASTER_KEY to the new key on every gateway before its next start'] : []),
      ]);
    });
}
