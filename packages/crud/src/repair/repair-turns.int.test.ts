import { TEST_BACKEND } from '../testing/backend.js';
import { itSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import { REPAIR_KINDS, type RepairKind } from './repair-findings.js';
import type { RepairReport } from './repair-turns.js';
import { openTurnFixture, text, type TurnFixture } from '../turns/testing/turn-fixture.js';

const FAR_FUTURE = '2030-01-01T00:00:00.000Z';
const started = (item_id: string, extra: object = {}): TurnEventPayload => ({ type: 'item.started', item_id, item_type: 'command', ...extra });
const done = (item_id: string): TurnEventPayload => ({ type: 'item.completed', item_id, status: 'completed' });

function counts(report: RepairReport): Record<RepairKind, [number, number, number]> {
  return Object.fromEntries(REPAIR_KINDS.map((k) => [k, [report[k].detected, report[k].repaired, report[k].remaining]])) as Record<
    RepairKind,
    [number, number, number]
  >;
}

describe('startup repair of the turn read models', () => {
  let fx: TurnFixture;
  beforeEach(async () => {
    fx = await openTurnFixture();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  /** Damage a crash of an older build (or a bug) could leave; the current projector never writes it. */
  async function damage(): Promise<void> {
    // a: a completed turn whose tool item is still in progress.
    await fx.append('a', text('a'));
    await fx.append('a', started('a1'));
    await fx.append('a', done('a1'));
    await fx.append('a', { type: 'turn.completed' });
    // c: a failed turn with an attempt still running under a finished item.
    await fx.append('c', text('c'));
    await fx.append('c', started('c1'));
    await fx.append('c', done('c1'));
    await fx.append('c', { type: 'turn.failed', error: { code: 'x', message: 'y' } });
    // d: a cancelled turn without completion time.
    await fx.append('d', text('d'));
    await fx.append('d', { type: 'turn.cancelled' });
    await fx.store.context.write(async (ctx) => {
      await ctx.run("UPDATE turn_item SET status = 'in_progress', completed_at = NULL WHERE turn_id = 'a'");
      await ctx.run("UPDATE turn_item_attempt SET status = 'running', ended_at = NULL WHERE turn_id = 'a'");
      await ctx.run("UPDATE turn_item_attempt SET status = 'running', ended_at = NULL WHERE turn_id = 'c'");
      await ctx.run("UPDATE turn SET completed_at = NULL WHERE turn_id = 'd'");
    });
  }

  it('detects each kind, fixes it with a journaled repair event, and leaves nothing remaining', async () => {
    await damage();
    // b: a running turn whose tool timed out (detected), no retry; b2: past its deadline, never detected.
    await fx.append('b', text('b'));
    await fx.append('b', started('b1', { timeout_ms: 1000 }));
    await fx.append('b', { type: 'item.timeout_detected', item_id: 'b1' });
    await fx.append('b', started('b2', { timeout_ms: 1000 }));
    // Not damage: a timed-out item with a retry scheduled, an item within its deadline, a recovering turn.
    await fx.append('b', started('b3', { timeout_ms: 1000 }));
    await fx.append('b', { type: 'item.timeout_detected', item_id: 'b3' });
    await fx.append('b', { type: 'retry.scheduled', item_id: 'b3', attempt: 2, due_at: FAR_FUTURE });
    // A deadline years ahead fits SQLite's 64-bit INTEGER only (PostgreSQL's timeout_ms is 32-bit,
    // see the migration README); there, an item without a deadline is the same non-damage.
    await fx.append('b', started('b4', TEST_BACKEND === 'sqlite' ? { timeout_ms: 365 * 24 * 3600 * 1000 * 100 } : {}));
    await fx.append('e', text('e'));
    await fx.append('e', started('e1', { timeout_ms: 1 }));
    await fx.append('e', { type: 'item.timeout_detected', item_id: 'e1' });
    await fx.append('e', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'e1', reason: 'timeout' });
    const positionBefore = (await fx.rows('journal_event')).length;

    const report = await fx.repair.turns({ now: FAR_FUTURE });
    expect(counts(report)).toEqual({
      terminal_tool_payload_in_progress: [1, 1, 0],
      timed_out_tool_payload_in_progress: [2, 2, 0],
      terminal_turn_running_attempt: [1, 1, 0],
      terminal_turn_without_completion_time: [1, 1, 0],
    });

    const repairs = (await fx.rows('journal_event', 'position')).slice(positionBefore);
    expect(repairs.map((e) => [e.stream_id, e.type, JSON.parse(e.payload as string).repair.kind])).toEqual([
      ['a', 'item.completed', 'terminal_tool_payload_in_progress'],
      ['b', 'item.completed', 'timed_out_tool_payload_in_progress'],
      ['b', 'item.completed', 'timed_out_tool_payload_in_progress'],
      ['c', 'item.completed', 'terminal_turn_running_attempt'],
      ['d', 'turn.cancelled', 'terminal_turn_without_completion_time'],
    ]);
    const items = await fx.rows('turn_item', 'turn_id, item_id');
    expect(items.filter((i) => i.status === 'in_progress').map((i) => i.item_id)).toEqual(['b3', 'b4', 'e1']);
    expect(items.find((i) => i.item_id === 'a1')).toMatchObject({ status: 'failed', reason: 'repaired_after_crash' });
    expect(items.find((i) => i.item_id === 'b1')).toMatchObject({ status: 'failed', error: expect.stringContaining('timed_out') });
    expect((await fx.rows('turn_item_attempt')).filter((a) => a.status === 'running').map((a) => a.item_id)).toEqual(['b4']);
    const d = (await fx.rows('turn')).find((t) => t.turn_id === 'd')!;
    const dChanges = (await fx.rows('turn_status_change')).filter((c) => c.turn_id === 'd');
    expect(d.completed_at).toBe(dChanges[dChanges.length - 1]!.changed_at);

    // A second pass finds nothing and writes nothing.
    const again = await fx.repair.turns({ now: FAR_FUTURE });
    expect(Object.values(counts(again)).flat().every((n) => n === 0)).toBe(true);
    expect((await fx.rows('journal_event')).length).toBe(positionBefore + 5);
  });

  // SQLite's query plans (EXPLAIN QUERY PLAN).
  itSqlite('runs each detection from a status index, never a scan of the history', async () => {
    const plans = await fx.store.context.read(async (q) => {
      const plan = async (sql: string) => (await q.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)).map((r) => r.detail).join(' | ');
      return [
        await plan("SELECT i.turn_id FROM turn_item i JOIN turn t ON t.turn_id = i.turn_id WHERE i.status = 'in_progress' AND t.status IN ('completed', 'failed', 'cancelled')"),
        await plan("SELECT a.turn_id FROM turn_item_attempt a JOIN turn t ON t.turn_id = a.turn_id WHERE a.status = 'running' AND t.status IN ('completed', 'failed', 'cancelled')"),
        await plan("SELECT turn_id FROM turn WHERE status IN ('completed', 'failed', 'cancelled') AND completed_at IS NULL"),
      ];
    });
    expect(plans[0]).toMatch(/SEARCH i USING INDEX idx_turn_item_status/);
    expect(plans[1]).toMatch(/SEARCH a USING INDEX idx_turn_item_attempt_status/);
    expect(plans[2]).toMatch(/SEARCH turn USING INDEX idx_turn_status_completed/);
    for (const plan of plans) expect(plan).not.toMatch(/SCAN (i|a|t|turn)\b/);
  });

  it('repairs journal-derived damage so that a rebuild reproduces the repaired state', async () => {
    await fx.append('b', text('b'));
    await fx.append('b', started('b1', { timeout_ms: 1000 }));
    await fx.append('b', { type: 'item.timeout_detected', item_id: 'b1' });
    await fx.repair.turns({ now: FAR_FUTURE });
    const before = [await fx.rows('turn_item', 'turn_id, item_id'), await fx.rows('turn_timeline_entry', 'turn_id, seq'), await fx.rows('turn', 'turn_id')];
    await fx.repair.rebuild();
    expect([await fx.rows('turn_item', 'turn_id, item_id'), await fx.rows('turn_timeline_entry', 'turn_id, seq'), await fx.rows('turn', 'turn_id')]).toEqual(before);
  });
});
