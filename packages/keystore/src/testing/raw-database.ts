import { join } from 'node:path';
import { openSqliteDatabase } from '@cairn/sqlite';

/** Runs raw SQL against `<home>/keystore.db` behind the keystore's back (tampering tests). */
export async function withRawKeystoreDb<T>(home: string, work: (query: (sql: string, params?: unknown[]) => Promise<unknown[]>) => Promise<T>): Promise<T> {
  const ds = await openSqliteDatabase({ path: join(home, 'keystore.db') });
  try {
    return await work((sql, params) => ds.query(sql, params) as Promise<unknown[]>);
  } finally {
    await ds.destroy();
  }
}
