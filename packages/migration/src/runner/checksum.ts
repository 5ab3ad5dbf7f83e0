import { createHash } from 'node:crypto';
import type { Migration } from './types.js';

/**
 * SHA-256 (hex) over the migration's name and its `up` statements, each prefixed with its
 * UTF-8 byte length, so that moving text across a statement boundary (`['a; b']` versus
 * `['a;', ' b']`) changes the checksum. `down` is deliberately outside: fixing a broken
 * rollback does not change what an applied migration did.
 *
 * This encoding is stored in every database ever migrated: changing it would make every
 * applied migration look edited. Never change it; version it if it must evolve.
 */
export function migrationChecksum(migration: Pick<Migration, 'name' | 'up'>): string {
  const hash = createHash('sha256');
  for (const part of [migration.name, ...migration.up]) {
    hash.update(`${Buffer.byteLength(part, 'utf8')}:`);
    hash.update(part, 'utf8');
  }
  return hash.digest('hex');
}
