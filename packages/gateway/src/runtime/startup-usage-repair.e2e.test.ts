import { afterAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { gatewayAt, tempRoot } from '../e2e/testing/e2e-support.js';
import type { TestGateway } from '../testing/gateway-fixture.js';

// Startup recovery recomputes artifact usage counters a hand edit (or an old bug) left wrong,
// on SQLite and PostgreSQL: reported `{ detected, repaired, remaining }` like the other repairs.

const dirs = tempRoot('cairn-usage-repair-');
afterAll(() => dirs.cleanup());

describe.each(['sqlite', 'postgres'] as const)('startup recovery repairs artifact usage (%s)', (backend) => {
  it('a tampered counter is recomputed from its rows at the next start, and a clean start finds nothing', async () => {
    const env = backend === 'postgres' ? { databaseUrl: (await createTestDatabase('gw_usage_repair')).url } : {};
    const home = dirs.home(backend);
    let gateway: TestGateway | undefined = await gatewayAt(home, { agent: { runtime: 'external' } }, { env });
    try {
      expect(gateway.runtime.recovery.artifactUsage).toEqual({ detected: 0, repaired: 0, remaining: 0 });
      const { store } = gateway.runtime;
      const ws = await store.workspaces.ensureDefault();
      await gateway.services.artifacts.ingestBytes({ workspace_id: ws.workspace_id, name: 'a.txt', source_kind: 'api' }, Buffer.from('twelve bytes'));
      const right = await store.artifacts.usage({ workspace_id: ws.workspace_id });
      expect(right).toMatchObject({ bytes: 12, files: 1 });
      await store.context.write(async (ctx) => {
        await ctx.run('UPDATE artifact_usage SET bytes = ?, files = ? WHERE workspace_id = ?', [999, 7, ws.workspace_id]);
      });
      expect(await store.artifacts.usage({ workspace_id: ws.workspace_id })).toMatchObject({ bytes: 999, files: 7 });
      await gateway.close();
      gateway = undefined;

      gateway = await gatewayAt(home, { agent: { runtime: 'external' } }, { env });
      expect(gateway.runtime.recovery.artifactUsage).toEqual({ detected: 1, repaired: 1, remaining: 0 });
      expect(await gateway.runtime.store.artifacts.usage({ workspace_id: ws.workspace_id })).toEqual(right);
      await gateway.close();
      gateway = undefined;

      gateway = await gatewayAt(home, { agent: { runtime: 'external' } }, { env });
      expect(gateway.runtime.recovery.artifactUsage).toEqual({ detected: 0, repaired: 0, remaining: 0 });
    } finally {
      await gateway?.close();
    }
  }, 90_000);
});
