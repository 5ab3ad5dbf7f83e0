import { describe, expect, it } from '@jest/globals';
import { withPostgresSession } from '../connection/session.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import { checkPostgresHealth } from './check-health.js';

describe('checkPostgresHealth', () => {
  it('reports a healthy, writable primary', async () => {
    const { dataSource, name } = await openTestPostgresDatabase({ poolSize: 4 });
    try {
      const health = await checkPostgresHealth(dataSource);
      expect(health).toEqual({
        ok: true,
        serverVersion: expect.stringMatching(/^1[5-9]/),
        serverVersionNum: expect.any(Number),
        latencyMs: expect.any(Number),
        inRecovery: false,
        writable: true,
        database: name,
        schema: 'public',
        user: 'cairn',
        pool: { total: expect.any(Number), idle: expect.any(Number), waiting: 0 },
      });
      if (!health.ok) throw new Error('unreachable');
      expect(health.serverVersionNum).toBeGreaterThanOrEqual(150000);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
      expect(health.latencyMs).toBeLessThan(1000);
    } finally {
      await dataSource.destroy();
    }
  });

  it('answers ok: false with a code, never throws: no free connection, or the DataSource gone', async () => {
    const { dataSource } = await openTestPostgresDatabase({ poolSize: 1, connectTimeoutMs: 100 });
    await withPostgresSession(dataSource, async () => {
      expect(await checkPostgresHealth(dataSource)).toMatchObject({ ok: false, code: 'busy', pool: { total: 1, idle: 0 } });
    });
    expect((await checkPostgresHealth(dataSource)).ok).toBe(true);
    await dataSource.destroy();
    expect(await checkPostgresHealth(dataSource)).toMatchObject({ ok: false, code: 'closed', pool: undefined });
  });
});
