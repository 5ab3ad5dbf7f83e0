import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { postgresBinDir } from '@cairn/tooling/postgres/server';
import { createCheckpointSigner } from '../checkpoint/checkpoint-signer.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createHeldTextSealer } from '../redact/held-text-sealer.js';
import { createPostgresKeystoreFixture, type PostgresKeystoreFixture } from '../testing/fixtures/postgres-keystore.js';
import { encodingsOf, scanForValues } from '../testing/scan-home.js';
import { createTempHome } from '../testing/temp-home.js';
import type { PostgresKeystore } from './postgres-keystore.js';
import { storeValuesThroughRotation } from '../testing/fixtures/values-through-rotation.js';

/** Where any needle occurs in `haystack`, in any encoding a leak could take. */
function findIn(haystack: Buffer, needles: ReadonlyArray<{ label: string; value: string }>, where: string): string[] {
  return needles.flatMap(({ label, value }) =>
    encodingsOf(value).flatMap(({ encoding, bytes }) => (haystack.includes(bytes) ? [`${label} as ${encoding} in ${where}`] : [])),
  );
}

/** A column value as bytes: bytea as itself, anything else as its text. */
const bytesOf = (value: unknown): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value === null ? '' : String(value), 'utf8'));

describe('secret values at rest in PostgreSQL', () => {
  let fixture: PostgresKeystoreFixture;
  let home: string;
  let cleanupHome: () => void;
  let ks: PostgresKeystore;
  beforeEach(async () => {
    ({ home, cleanup: cleanupHome } = createTempHome('cairn-pg-at-rest-'));
    fixture = await createPostgresKeystoreFixture();
    ks = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
  });
  afterEach(async () => {
    await fixture.cleanup();
    cleanupHome();
  });

  it('appear in no row, no column of the schema and no pg_dump of the database, through set, update, delete and rotation', async () => {
    const everStored: Array<{ label: string; value: string }> = [];
    const set = async (service: string, id: string, value: string) => {
      everStored.push({ label: `${service}/${id}@${everStored.length}`, value });
      await ks.set(service, id, value, { label: `label of ${id}` });
    };
    await storeValuesThroughRotation(ks, set);
    // The internal keys are secrets too: the held-text data key and the journal signing key.
    const sealer = await createHeldTextSealer(ks);
    const log = await ks.journalCheckpoints();
    await log.record([{ workspaceId: 'ws_a', workspaceSeq: 1, position: 1, hash: 'a'.repeat(64) }], 'interval');
    const held = 'held-back-tail-of-a-secret-0001';
    expect(sealer.open(sealer.seal(held))).toBe(held);
    for (const entry of [{ service: 'cairn', id: 'held-text-key' }, { service: 'cairn', id: 'journal-signing-key' }]) {
      everStored.push({ label: `${entry.service}/${entry.id}`, value: (await ks.get(entry.service, entry.id))! });
    }
    expect((await createCheckpointSigner(ks)).keyId).toBe(log.keyId);

    const findings: string[] = [];
    // 1. Every row of every table of the keystore schema, every column as the driver returns it.
    const columns = (await fixture.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'cairn_keystore' ORDER BY table_name, ordinal_position`,
    )) as Array<{ table_name: string; column_name: string }>;
    const tables = [...new Set(columns.map((c) => c.table_name))];
    expect(tables).toEqual(['keystore_journal_checkpoint', 'keystore_meta', 'keystore_secret', 'schema_migration']);
    for (const table of tables) {
      const rows = await fixture.query(`SELECT * FROM "${table}"`);
      const raw = Buffer.concat(rows.flatMap((row) => Object.values(row).map(bytesOf)));
      findings.push(...findIn(raw, everStored, `rows of ${table}`));
    }
    // 2. pg_dump-style: each column of the schema cast to text by the server (bytea as \x hex).
    for (const { table_name: table, column_name: column } of columns) {
      const rows = (await fixture.query(`SELECT "${column}"::text AS v FROM "${table}"`)) as Array<{ v: string | null }>;
      findings.push(...findIn(Buffer.from(rows.map((r) => r.v ?? '').join('\n'), 'utf8'), everStored, `${table}.${column}::text`));
    }
    // 3. pg_dump itself, of the whole database (both formats it would back up in).
    for (const format of ['plain', 'custom']) {
      const dump = execFileSync(join(postgresBinDir(), 'pg_dump'), [`--format=${format}`, '--no-owner', fixture.url], { maxBuffer: 64 * 1024 * 1024 });
      if (format === 'plain') expect(dump.toString('utf8')).toContain('keystore_secret');
      findings.push(...findIn(dump, everStored, `pg_dump --format=${format}`));
    }
    // 4. The home keeps only the key file.
    findings.push(...scanForValues(home, everStored).map((f) => `${f.label} as ${f.encoding} in ${f.file}`));
    expect(findings).toEqual([]);
    // The scans can see a value: the same search finds one planted in clear.
    const planted = everStored[3]!;
    await fixture.query('UPDATE keystore_secret SET label = ? WHERE id = ?', [planted.value, 'key-3']);
    const [row] = (await fixture.query("SELECT label FROM keystore_secret WHERE id = 'key-3'")) as Array<{ label: string }>;
    expect(findIn(bytesOf(row!.label), [planted], 'label')).not.toEqual([]);
  });
});
