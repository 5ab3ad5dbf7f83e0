import type { RuntimePaths } from '@cairn/config';
import { createPostgresReadPort } from '@cairn/crud';
import { openPostgresKeystore } from '@cairn/keystore';
import { checkPostgresIntegrity, redactUrl } from '@cairn/postgres';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { walkJournal, type DatabaseVerifyReport, type ListedCheckpoints, type RuntimeVerifyReport } from '../runtime/verify-runtime.js';
import { openBackendDatabase, schemaExists, schemaLabel, scrub } from './postgres-target.js';

/**
 * `cairn verify` on PostgreSQL: `checkPostgresIntegrity` over the gateway's and the keystore's
 * schemas (amcheck only where the extension is installed: verify creates nothing), the
 * journal's chains (the shared archive directory, then the live rows, in one REPEATABLE READ
 * snapshot) and the keystore schema's signed checkpoints against them, read first so that a
 * checkpoint a live gateway records meanwhile is never newer than the journal it is compared
 * with. Safe beside running gateways. The keystore's open (to read the checkpoints) migrates a
 * keystore schema an older build left, as a start would.
 */
export async function verifyPostgresRuntime(
  paths: RuntimePaths,
  backend: PostgresBackend,
  onProgress?: (checked: number, total: number) => void,
): Promise<DatabaseVerifyReport> {
  const where = redactUrl(backend.url);
  const integrity: RuntimeVerifyReport['integrity'] = {};
  const probe = await openBackendDatabase(backend, { schema: 'pg_catalog', poolSize: 1, applicationName: 'cairn-verify' });
  let present: string[];
  try {
    present = [];
    for (const schema of [backend.schema, backend.keystoreSchema]) if (await schemaExists(probe, schema)) present.push(schema);
    if (present.length > 0) {
      const installed = ((await probe.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'amcheck'")) as unknown[]).length > 0;
      const result = await checkPostgresIntegrity(probe, { schemas: present, amcheck: installed });
      integrity[`PostgreSQL schemas ${present.join(', ')} at ${where}`] = result.ok ? { ok: true } : { ok: false, problems: result.problems };
    }
  } finally {
    await probe.destroy();
  }
  const listed = present.includes(backend.keystoreSchema)
    ? await readCheckpoints(paths, backend)
    : ({ checked: false, ok: true, reason: `no schema ${backend.keystoreSchema}: no checkpoint was ever recorded` } as const);
  let walked: Pick<DatabaseVerifyReport, 'journal' | 'checkpoints' | 'blobRows'>;
  if (!present.includes(backend.schema)) {
    walked = {
      journal: { ok: false, reason: 'missing', detail: `${schemaLabel(backend, 'gateway')} does not exist` },
      checkpoints: 'checkpoints' in listed ? { checked: false, ok: listed.checkpoints.length === 0, reason: 'no gateway schema to compare with' } : listed,
      blobRows: null,
    };
  } else {
    const ds = await openBackendDatabase(backend, { schema: backend.schema, poolSize: 1, applicationName: 'cairn-verify' });
    try {
      walked = await walkJournal(createPostgresReadPort(ds), listed, paths.archiveDir, onProgress);
    } catch (error) {
      walked = {
        journal: { ok: false, reason: 'unreadable', detail: `cannot read the journal of ${schemaLabel(backend, 'gateway')}: ${scrub((error as Error).message, backend.url)}` },
        checkpoints: { checked: false, ok: false, reason: 'no readable journal to compare with' },
        blobRows: null,
      };
    } finally {
      await ds.destroy();
    }
  }
  const ok = Object.values(integrity).every((r) => r.ok) && walked.journal.ok && walked.checkpoints.ok;
  return { home: paths.home, ok, integrity, ...walked };
}

async function readCheckpoints(paths: RuntimePaths, backend: PostgresBackend): Promise<ListedCheckpoints> {
  let keystore;
  try {
    keystore = await openPostgresKeystore({ url: backend.url, schema: backend.keystoreSchema, home: paths.home });
  } catch (error) {
    return { checked: false, ok: false, reason: `cannot open ${schemaLabel(backend, 'keystore')} to read the checkpoints: ${scrub((error as Error).message, backend.url)}` };
  }
  try {
    const log = await keystore.journalCheckpoints({ createKey: false });
    return { checkpoints: await log.list(), keyId: log.keyId, publicKey: log.publicKey };
  } finally {
    await keystore.close();
  }
}
