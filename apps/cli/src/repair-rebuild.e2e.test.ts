import { afterEach, describe, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRuntime } from '@cairn/gateway';
import { itBuilt, runBuilt } from './testing/built-cli.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const cairn = (args: string[], home: string) => runBuilt(args, { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent' } });

/** A home with one completed turn of two items, written through the store. */
async function seeded(): Promise<{ home: string; ws: string }> {
  root = mkdtempSync(join(tmpdir(), 'cairn-cli-repair-'));
  const home = join(root, 'home');
  const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
  try {
    const { workspace_id: ws } = await runtime.store.workspaces.ensureDefault();
    await runtime.store.threads.start({ workspace_id: ws, thread_id: 'thr' });
    let n = 0;
    const append = (turn: string, event: Record<string, unknown>) =>
      runtime.store.turns.appendEvent({ workspace_id: ws, thread_id: 'thr', turn_id: turn, idempotency_key: `k${++n}`, event: event as never });
    await append('t1', { type: 'turn.started', input: [{ type: 'text', text: 'hello' }] });
    await append('t1', { type: 'item.started', item_id: 'a', item_type: 'agent_message' });
    await append('t1', { type: 'item.agent_message.delta', item_id: 'a', delta: 'hi there' });
    await append('t1', { type: 'item.completed', item_id: 'a', status: 'completed' });
    await append('t1', { type: 'turn.completed' });
    return { home, ws };
  } finally {
    await runtime.close();
  }
}

/** Raw SQL on the closed home's gateway.db, as a crash or a bug in a read model would leave it. */
async function damage(home: string, sql: string): Promise<void> {
  const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
  try {
    await runtime.store.sqlite!.dataSource.query(sql);
  } finally {
    await runtime.close();
  }
}

async function itemsOf(home: string, ws: string): Promise<Array<{ item_id: string; status: string; text: string | null }>> {
  const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
  try {
    const page = await runtime.store.turns.items({ workspace_id: ws, turn_id: 't1' });
    return page.items.map((i) => ({ item_id: i.item_id, status: i.status, text: i.text }));
  } finally {
    await runtime.close();
  }
}

describe('cairn repair and cairn rebuild (the built CLI)', () => {
  itBuilt('rebuild replays the journal into read models a bug rewrote', async () => {
    const { home, ws } = await seeded();
    const before = await itemsOf(home, ws);
    expect(before).toEqual([{ item_id: 'a', status: 'completed', text: 'hi there' }]);
    await damage(home, "UPDATE turn_item SET text = 'rewritten by a bug', status = 'failed'");
    expect(await itemsOf(home, ws)).toEqual([{ item_id: 'a', status: 'failed', text: 'rewritten by a bug' }]);
    const run = await cairn(['--json', 'rebuild'], home);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { events: number; violations: unknown[] };
    expect(report.events).toBeGreaterThanOrEqual(6);
    expect(report.violations).toEqual([]);
    expect(await itemsOf(home, ws)).toEqual(before);
  }, 60_000);

  itBuilt('repair closes the open item of a turn a crash left terminal, and says what it did', async () => {
    const { home, ws } = await seeded();
    await damage(home, "UPDATE turn_item SET status = 'in_progress', completed_at = NULL");
    const run = await cairn(['--json', 'repair'], home);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { turns: Record<string, { detected: number; repaired: number; remaining: number }>; artifactUsage: unknown };
    expect(report.artifactUsage).toEqual({ detected: 0, repaired: 0, remaining: 0 });
    const repaired = Object.values(report.turns).reduce((sum, c) => sum + c.repaired, 0);
    expect(repaired).toBeGreaterThanOrEqual(1);
    expect((await itemsOf(home, ws))[0]?.status).not.toBe('in_progress');
    // Nothing left: a second run finds nothing.
    const again = JSON.parse((await cairn(['--json', 'repair'], home)).stdout) as { turns: Record<string, { detected: number }> };
    expect(Object.values(again.turns).every((c) => c.detected === 0)).toBe(true);
  }, 60_000);
});
