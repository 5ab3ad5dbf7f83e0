import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { openTempStore, type TempStore } from '../testing/temp-store.js';
import type { StoragePort } from './types.js';

const count = async (port: StoragePort): Promise<number> =>
  port.read(async (q) => (await q.get<{ n: number }>('SELECT count(*) AS n FROM workspace'))!.n);
const insert = (port: StoragePort, id: string) =>
  port.write((ctx) => ctx.run("INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, 'W', NULL, 'x', 'x')", [id]));

// The SQLite port itself.
describeSqlite('the SQLite storage port', () => {
  let temp: TempStore;
  let port: StoragePort;
  beforeEach(async () => {
    temp = await openTempStore();
    port = temp.store.port;
  });
  afterEach(async () => temp.cleanup());

  it('gives each read its own snapshot, and runs overlapping reads one after the other on the one connection', async () => {
    const log: string[] = [];
    // A read that (against the contract, to show the isolation) waits for a write in the middle.
    const first = port.read(async (q) => {
      log.push('first: begin');
      const before = (await q.get<{ n: number }>('SELECT count(*) AS n FROM workspace'))!.n;
      await insert(port, 'w_during');
      const after = (await q.get<{ n: number }>('SELECT count(*) AS n FROM workspace'))!.n;
      log.push('first: end');
      return [before, after];
    });
    const second = port.read(async (q) => {
      log.push('second: begin');
      return (await q.get<{ n: number }>('SELECT count(*) AS n FROM workspace'))!.n;
    });
    // The first read kept its snapshot although a write committed meanwhile; the second, queued
    // behind it rather than interleaved inside its BEGIN..COMMIT, sees the write.
    expect(await first).toEqual([0, 0]);
    expect(await second).toBe(1);
    expect(log).toEqual(['first: begin', 'first: end', 'second: begin']);
  });

  it('leaves the connection usable after a read fails, and the error is the read’s', async () => {
    // The rejection's message, not toThrow: in a full crud run jest's toThrow has reported this
    // rejection as "did not throw" (its Error check failing on the reason's realm), alone never.
    await expect(port.read((q) => q.get('SELECT * FROM no_such_table'))).rejects.toMatchObject({ message: expect.stringMatching(/no such table/) });
    await insert(port, 'w1');
    expect(await count(port)).toBe(1);
  });

  it('answers statements as promises: rows, changes, and rows as arrays', async () => {
    await insert(port, 'w1');
    await insert(port, 'w2');
    expect(await port.write((ctx) => ctx.run("UPDATE workspace SET name = 'V' WHERE workspace_id <> ?", ['none']))).toMatchObject({ changes: 2 });
    expect(await port.read((q) => q.all('SELECT workspace_id, name FROM workspace ORDER BY workspace_id'))).toEqual([
      { workspace_id: 'w1', name: 'V' },
      { workspace_id: 'w2', name: 'V' },
    ]);
    expect(await port.read((q) => q.values('SELECT workspace_id, name FROM workspace ORDER BY workspace_id'))).toEqual([
      ['w1', 'V'],
      ['w2', 'V'],
    ]);
    expect(await port.write((ctx) => ctx.values('SELECT workspace_id FROM workspace ORDER BY workspace_id'))).toEqual([['w1'], ['w2']]);
  });

  it('rolls a failed write back whole, and a statement error is a rejection, not a throw', async () => {
    const work = port.write(async (ctx) => {
      await ctx.run("INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES ('w1', 'W', NULL, 'x', 'x')");
      const failing = ctx.run('INSERT INTO nowhere VALUES (1)');
      expect(failing instanceof Promise).toBe(true);
      await failing;
    });
    await expect(work).rejects.toThrow(/no such table/);
    expect(await count(port)).toBe(0);
  });

  it('tryWrite answers busy while another write is queued, and runs when none is', async () => {
    const queued = insert(port, 'w1');
    expect(await port.tryWrite(async () => 'ran')).toEqual({ ok: false, reason: 'busy' });
    await queued;
    expect(await port.tryWrite(async () => 'ran')).toEqual({ ok: true, value: 'ran' });
  });

  it('closes after the running read and the queued writes, then refuses both', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reading = port.read(async (q) => {
      await gate;
      return (await q.get<{ n: number }>('SELECT count(*) AS n FROM workspace'))!.n;
    });
    const writing = insert(port, 'w1');
    const closing = port.close();
    release();
    await expect(writing).resolves.toMatchObject({ changes: 1 });
    await expect(reading).resolves.toEqual(expect.any(Number));
    await closing;
    await expect(count(port)).rejects.toMatchObject({ code: 'closed' });
    await expect(insert(port, 'w2')).rejects.toMatchObject({ code: 'closed' });
  });
});
