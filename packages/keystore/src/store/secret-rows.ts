import { CairnError, formatSecretRef, type SecretKind } from '@cairn/protocol';
import type { SealedSecret } from '../crypto/seal-secret.js';
import { isSecretKind } from '../entry/validate-entry.js';
import { compareAddress } from '../entry/compare-address.js';
import type { SecretInfo } from '../keystore.js';
import type { KeystoreStatements } from './keystore-storage.js';

/** `keystore_secret`'s reads and writes, the same SQL on SQLite and PostgreSQL. */
type Statements = KeystoreStatements;

interface MetadataRow {
  service: string;
  id: string;
  kind: string;
  label: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SealedRow {
  service: string;
  id: string;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const METADATA_COLUMNS = 'service, id, kind, label, version, created_at, updated_at';

export async function selectSecretInfo(db: Statements, service: string, id: string): Promise<SecretInfo | undefined> {
  const row = await db.get<MetadataRow>(`SELECT ${METADATA_COLUMNS} FROM keystore_secret WHERE service = ? AND id = ?`, [service, id]);
  return row && toInfo(row);
}

export async function listSecretInfo(db: Statements, service: string | undefined): Promise<SecretInfo[]> {
  const rows =
    service === undefined
      ? await db.all<MetadataRow>(`SELECT ${METADATA_COLUMNS} FROM keystore_secret ORDER BY service, id`)
      : await db.all<MetadataRow>(`SELECT ${METADATA_COLUMNS} FROM keystore_secret WHERE service = ? ORDER BY id`, [service]);
  // Sorted here, not by the database's collation: PostgreSQL's may be a locale's (a, B, b), and
  // the contract is byte order of the UTF-8 (B, a, b), which SQLite's BINARY gives.
  return rows.map(toInfo).sort(compareAddress);
}

export function selectSealedRow(db: Statements, service: string, id: string): Promise<SealedRow | undefined> {
  return db.get<SealedRow>('SELECT service, id, key_id, nonce, ciphertext, tag FROM keystore_secret WHERE service = ? AND id = ?', [service, id]);
}

export function selectAllSealedRows(db: Statements): Promise<SealedRow[]> {
  return db.all<SealedRow>('SELECT service, id, key_id, nonce, ciphertext, tag FROM keystore_secret ORDER BY service, id');
}

export async function secretExists(db: Statements, service: string, id: string): Promise<boolean> {
  return (await db.get('SELECT 1 AS one FROM keystore_secret WHERE service = ? AND id = ?', [service, id])) !== undefined;
}

export async function countSecrets(db: Statements): Promise<number> {
  return Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM keystore_secret'))?.n ?? 0);
}

export async function upsertSecret(db: Statements, info: SecretInfo, sealed: SealedSecret): Promise<void> {
  await db.run(
    `INSERT INTO keystore_secret (service, id, kind, label, version, created_at, updated_at, key_id, nonce, ciphertext, tag)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (service, id) DO UPDATE SET kind = excluded.kind, label = excluded.label, version = excluded.version,
       updated_at = excluded.updated_at, key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext, tag = excluded.tag`,
    [info.service, info.id, info.kind, info.label, info.version, info.createdAt, info.updatedAt, sealed.keyId, sealed.nonce, sealed.ciphertext, sealed.tag],
  );
}

export async function replaceSealed(db: Statements, service: string, id: string, sealed: SealedSecret): Promise<void> {
  await db.run('UPDATE keystore_secret SET key_id = ?, nonce = ?, ciphertext = ?, tag = ? WHERE service = ? AND id = ?', [
    sealed.keyId,
    sealed.nonce,
    sealed.ciphertext,
    sealed.tag,
    service,
    id,
  ]);
}

export async function deleteSecret(db: Statements, service: string, id: string): Promise<boolean> {
  return (await db.run('DELETE FROM keystore_secret WHERE service = ? AND id = ?', [service, id])).changes > 0;
}

export function toSealed(row: SealedRow): SealedSecret {
  return { keyId: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag };
}

function toInfo(row: MetadataRow): SecretInfo {
  if (!isSecretKind(row.kind)) {
    throw new CairnError('integrity_failed', `keystore entry ${row.service}/${row.id} has an unknown kind`, { details: { service: row.service, id: row.id } });
  }
  return {
    ref: formatSecretRef(row.service, row.id),
    service: row.service,
    id: row.id,
    kind: row.kind as SecretKind,
    label: row.label,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
