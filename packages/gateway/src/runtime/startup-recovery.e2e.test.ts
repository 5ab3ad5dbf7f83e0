import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningGateway } from '../server/start-gateway.js';
import { startTestGateway, turnAppender } from '../testing/gateway-fixture.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('startup recovery', () => {
  it('repairs read-model damage a crash left behind before the gateway reports ready', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-recovery-'));
    const home = join(root, 'home');
    gateway = await startTestGateway(home);
    const { store } = gateway.runtime;
    expect(gateway.runtime.recovery.recoveryClaims).toEqual({ detected: 0, repaired: 0, remaining: 0 });
    const ws = await store.workspaces.ensureDefault();
    await store.threads.start({ workspace_id: ws.workspace_id, thread_id: 'thr-1' });
    const append = turnAppender(store, { workspace_id: ws.workspace_id, thread_id: 'thr-1', turn_id: 'turn-1' });
    await append({ type: 'turn.started', input: [{ type: 'text', text: 'hello' }] });
    await append({ type: 'item.started', item_id: 'item-1', item_type: 'command' });
    await append({ type: 'item.completed', item_id: 'item-1', status: 'completed' });
    await append({ type: 'turn.completed' });
    // What a crash of an older build could leave: a finished turn whose tool payload still runs.
    await store.context.write(async (ctx) => {
      await ctx.run("UPDATE turn_item SET status = 'in_progress', completed_at = NULL WHERE turn_id = 'turn-1'");
    });
    await gateway.close();

    gateway = await startTestGateway(home);
    const repaired = gateway.runtime.recovery.turns;
    const totals = Object.values(repaired).reduce(
      (sum, c) => ({ detected: sum.detected + c.detected, repaired: sum.repaired + c.repaired, remaining: sum.remaining + c.remaining }),
      { detected: 0, repaired: 0, remaining: 0 },
    );
    expect(totals).toEqual({ detected: 1, repaired: 1, remaining: 0 });
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const items = await gateway.runtime.store.context.read((q) => q.all<{ status: string }>("SELECT status FROM turn_item WHERE turn_id = 'turn-1'"));
    expect(items.map((i) => i.status)).not.toContain('in_progress');

    await gateway.close();
    gateway = await startTestGateway(home);
    expect(Object.values(gateway.runtime.recovery.turns).every((c) => c.detected === 0)).toBe(true);
  });
});
