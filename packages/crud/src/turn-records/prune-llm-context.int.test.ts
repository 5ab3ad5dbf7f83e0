import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import { openRecordsFixture, THREAD, WS, type RecordsFixture } from './testing/records-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = '2025-03-20T00:00:00.000Z';
const daysBefore = (days: number) => new Date(Date.parse(NOW) - days * DAY).toISOString();

describe('store.turnRecords.pruneLlmContext', () => {
  let f: RecordsFixture;
  beforeEach(async () => {
    f = await openRecordsFixture();
  });
  afterEach(async () => f.cleanup());

  /** A turn with a retained context that ended `endedDaysAgo` days before NOW (null: still running). */
  async function turnWithContext(turnId: string, endedDaysAgo: number | null): Promise<void> {
    await f.seedTurn(turnId);
    await f.records.retainLlmContext({ workspace_id: WS, thread_id: THREAD, turn_id: turnId, revision: 1, context: { messages: [{ role: 'user', content: turnId }] } });
    if (endedDaysAgo === null) return;
    const at = daysBefore(endedDaysAgo);
    await f.setTurnStatus(turnId, 'completed', at);
    await f.given({ turnId, type: 'turn.completed', payload: { thread_id: THREAD }, at });
  }
  const remaining = async () => (await f.rows<{ turn_id: string }>('SELECT turn_id FROM turn_llm_context ORDER BY turn_id')).map((r) => r.turn_id);

  it('prunes only contexts of turns that ended more than the TTL ago (default 7 days), never a running turn', async () => {
    await turnWithContext('running', null);
    await turnWithContext('ended-8d', 8);
    await turnWithContext('ended-6d', 6);
    await turnWithContext('ended-30d', 30);
    expect(await f.records.pruneLlmContext({ now: NOW })).toEqual({ pruned: 2, more: false, busy: false });
    expect(await remaining()).toEqual(['ended-6d', 'running']);
    // Years later the running turn's context is still there.
    expect(await f.records.pruneLlmContext({ now: '2030-01-01T00:00:00.000Z' })).toEqual({ pruned: 1, more: false, busy: false });
    expect(await remaining()).toEqual(['running']);
    await expectCode(f.records.getLlmContext({ workspace_id: WS, turn_id: 'ended-8d' }), 'not_found');
  });

  it('honours a configured TTL', async () => {
    await turnWithContext('ended-2d', 2);
    await turnWithContext('ended-1h', 1 / 24);
    expect(await f.records.pruneLlmContext({ now: NOW, ttl_ms: DAY })).toEqual({ pruned: 1, more: false, busy: false });
    expect(await remaining()).toEqual(['ended-1h']);
    expect(await f.records.pruneLlmContext({ now: NOW, ttl_ms: 0 })).toEqual({ pruned: 1, more: false, busy: false });
  });

  it('works in bounded batches, oldest first, and says whether more remain', async () => {
    for (let i = 0; i < 5; i++) await turnWithContext(`old-${i}`, 20 - i);
    expect(await f.records.pruneLlmContext({ now: NOW, batch_size: 2 })).toEqual({ pruned: 2, more: true, busy: false });
    expect(await remaining()).toEqual(['old-2', 'old-3', 'old-4']);
    expect(await f.records.pruneLlmContext({ now: NOW, batch_size: 2 })).toEqual({ pruned: 2, more: true, busy: false });
    expect(await f.records.pruneLlmContext({ now: NOW, batch_size: 2 })).toEqual({ pruned: 1, more: false, busy: false });
    expect(await f.records.pruneLlmContext({ now: NOW, batch_size: 2 })).toEqual({ pruned: 0, more: false, busy: false });
  });

  it('keeps a context whose turn the read model does not show as terminal, or that still has an open recovery job', async () => {
    await turnWithContext('stamped-but-running', null);
    await f.store.context.write((ctx) => ctx.run(`UPDATE turn_llm_context SET turn_terminal_at = ? WHERE turn_id = 'stamped-but-running'`, [daysBefore(30)]));
    await turnWithContext('open-job', 30);
    await f.store.context.write((ctx) =>
      ctx.run(
        `INSERT INTO recovery_job (job_id, workspace_id, turn_id, status, attempt, due_at, ready_at, claim_count, failed_claims, opened_at, updated_at)
         VALUES ('rj_x', ?, 'open-job', 'pending', 0, ?, ?, 0, 0, ?, ?)`,
        [WS, NOW, NOW, NOW, NOW],
      ),
    );
    expect(await f.records.pruneLlmContext({ now: NOW })).toEqual({ pruned: 0, more: false, busy: false });
    expect(await remaining()).toEqual(['open-job', 'stamped-but-running']);
  });

  it('yields to foreground writers: busy, nothing pruned, more: true', async () => {
    await turnWithContext('ended-8d', 8);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const foreground = f.store.context.write(async () => gate);
    expect(await f.records.pruneLlmContext({ now: NOW })).toEqual({ pruned: 0, more: true, busy: true });
    release();
    await foreground;
    expect(await f.records.pruneLlmContext({ now: NOW })).toEqual({ pruned: 1, more: false, busy: false });
  });

  it('refuses bad params', async () => {
    await expectCode(f.records.pruneLlmContext({ batch_size: 0 }), 'invalid_params');
    await expectCode(f.records.pruneLlmContext({ ttl_ms: -1 }), 'invalid_params');
    await expectCode(f.records.pruneLlmContext({ now: 'yesterday' }), 'invalid_params');
  });
});
