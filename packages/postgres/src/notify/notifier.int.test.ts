import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { isPostgresStorageError, type PostgresStorageError } from '../errors.js';
import { openPostgresDatabase } from '../open/open-postgres-database.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import { createPostgresNotifier } from './notifier.js';

const opened: DataSource[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy();
});

/** Resolves once `predicate` holds, polling every 10 ms; rejects after `ms`. */
async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function twoDataSources(): Promise<[DataSource, DataSource]> {
  const { dataSource, url } = await openTestPostgresDatabase();
  const second = await openPostgresDatabase({ url });
  opened.push(dataSource, second);
  return [dataSource, second];
}

describe('createPostgresNotifier', () => {
  it('delivers a NOTIFY from one pool to a listener on another, only on its channel', async () => {
    const [a, b] = await twoDataSources();
    const received: string[] = [];
    const listener = createPostgresNotifier({ dataSource: a, channel: 'cairn_test' });
    stops.push(await listener.listen((payload) => received.push(payload)));
    const other = createPostgresNotifier({ dataSource: b, channel: 'cairn_other' });
    const sender = createPostgresNotifier({ dataSource: b, channel: 'cairn_test' });
    await other.notify('not for us');
    await sender.notify('ws_1');
    await sender.notify('ws_2');
    await until(() => received.length >= 2);
    expect(received).toEqual(['ws_1', 'ws_2']);
  });

  it('refuses a channel that is not an identifier and an empty or oversized payload', async () => {
    const [a] = await twoDataSources();
    expect(() => createPostgresNotifier({ dataSource: a, channel: 'bad"name' })).toThrow(expect.objectContaining({ code: 'invalid_options' }));
    const notifier = createPostgresNotifier({ dataSource: a, channel: 'cairn_test' });
    await expect(notifier.notify('')).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(notifier.notify('x'.repeat(8000))).rejects.toMatchObject({ code: 'invalid_options' });
  });

  it('survives pg_terminate_backend of its connection: reports the loss, resyncs with an empty payload, and hears later NOTIFYs', async () => {
    const [a, b] = await twoDataSources();
    const received: string[] = [];
    const errors: PostgresStorageError[] = [];
    const listener = createPostgresNotifier({ dataSource: a, channel: 'cairn_test', reconnect: { baseDelayMs: 20, maxDelayMs: 200 } });
    stops.push(await listener.listen((payload) => received.push(payload), (error) => errors.push(error)));
    const sender = createPostgresNotifier({ dataSource: b, channel: 'cairn_test' });
    await sender.notify('before');
    await until(() => received.includes('before'));

    const listeners = async () =>
      (await b.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "cairn_test"'`)) as Array<{ pid: number }>;
    const [backend] = await listeners();
    expect(backend).toBeDefined();
    await b.query('SELECT pg_terminate_backend($1)', [backend!.pid]);

    await until(() => received.includes(''));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((e) => isPostgresStorageError(e) && e.code === 'connection_failed')).toBe(true);
    const [again] = await listeners();
    expect(again?.pid).not.toBe(backend!.pid);

    await sender.notify('after');
    await until(() => received.includes('after'));
    expect(received).toEqual(['before', '', 'after']);
  });

  it('stops: no more messages, no reconnect, the connection is gone', async () => {
    const [a, b] = await twoDataSources();
    const received: string[] = [];
    const stop = await createPostgresNotifier({ dataSource: a, channel: 'cairn_test' }).listen((p) => received.push(p));
    await stop();
    // The server ends the backend shortly after the client's Terminate message.
    let left = -1;
    for (let i = 0; i < 100 && left !== 0; i++) {
      left = (await b.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "cairn_test"'`))[0].n;
      if (left !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(left).toBe(0);
    await createPostgresNotifier({ dataSource: b, channel: 'cairn_test' }).notify('late');
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
  });
});
