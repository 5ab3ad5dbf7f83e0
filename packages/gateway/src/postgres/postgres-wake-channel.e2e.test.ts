import { afterEach, describe, expect, it } from '@jest/globals';
import { createPostgresNotifier, openPostgresDatabase } from '@cairn/postgres';
import { createTestDatabase } from '@cairn/tooling/postgres';
import type { WakeChannel } from '../notify/wake-sources.js';
import { journalChannelName, startPostgresWakeChannel } from './postgres-wake-channel.js';

type DataSource = Awaited<ReturnType<typeof openPostgresDatabase>>;
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

const quiet = { warn: () => {}, info: () => {} };

async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function open(url: string): Promise<DataSource> {
  const ds = await openPostgresDatabase({ url });
  cleanup.push(() => ds.destroy());
  return ds;
}

describe('the PostgreSQL wake channel', () => {
  it('names its channel after the schema', () => {
    expect(journalChannelName(undefined)).toBe('cairn_journal');
    expect(journalChannelName('public')).toBe('cairn_journal');
    expect(journalChannelName('tenant_a')).toBe('cairn_journal_tenant_a');
    expect(journalChannelName('x'.repeat(63))).toHaveLength(63);
  });

  it('coalesces a burst of publishes per workspace into one NOTIFY in flight and one after, and wakes the other side with the workspace id', async () => {
    const { url } = await createTestDatabase('gw_wake');
    const [a, b] = [await open(url), await open(url)];
    const heard: string[] = [];
    const stop = await createPostgresNotifier({ dataSource: b, channel: 'cairn_journal' }).listen((p) => heard.push(p));
    cleanup.push(stop);
    const wokenOnB: string[] = [];
    const onB = await startPostgresWakeChannel({ postgres: { dataSource: b }, onWake: (w) => wokenOnB.push(w), watched: () => [], log: quiet });
    cleanup.push(() => onB.close());
    const onA: WakeChannel = await startPostgresWakeChannel({ postgres: { dataSource: a }, onWake: () => {}, watched: () => [], log: quiet });
    for (let i = 0; i < 50; i++) onA.publish('ws_a');
    onA.publish('ws_b');
    // close() lets the NOTIFYs in flight, and the one owed after them, go out first.
    await onA.close();
    await until(() => heard.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.filter((p) => p === 'ws_a')).toHaveLength(2);
    expect(heard.filter((p) => p === 'ws_b')).toHaveLength(1);
    await until(() => wokenOnB.length >= 3);
    expect(wokenOnB.sort()).toEqual(['ws_a', 'ws_a', 'ws_b']);
    onA.publish('ws_late'); // after close: nothing, and no throw
  });

  it('re-reads every watched workspace once its lost LISTEN connection is back', async () => {
    const { url } = await createTestDatabase('gw_wake_lost');
    const ds = await open(url);
    const woken: string[] = [];
    const warnings: string[] = [];
    const channel = await startPostgresWakeChannel({
      postgres: { dataSource: ds },
      onWake: (w) => woken.push(w),
      watched: () => ['ws_1', 'ws_2'],
      log: { info: () => {}, warn: (_obj, msg) => warnings.push(msg) },
    });
    cleanup.push(() => channel.close());
    await ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "cairn_journal"'`);
    await until(() => woken.length >= 2);
    expect(woken).toEqual(['ws_1', 'ws_2']);
    expect(warnings.some((m) => m.includes('LISTEN connection lost'))).toBe(true);
  });
});
