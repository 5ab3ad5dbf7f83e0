import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runTs } from '@cairn/tooling/child';
import { openRecordsFixture, type RecordsFixture } from '../turn-records/testing/records-fixture.js';
import { seedJobs } from './testing/seed-jobs.js';

const CHILD = join(import.meta.dirname, 'testing/claim-child.ts');
const NOW = '2025-03-10T00:00:00.000Z';

async function waitFor(files: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!files.every((f) => existsSync(f))) {
    if (Date.now() > deadline) throw new Error(`children not ready: ${files.filter((f) => !existsSync(f)).join(', ')}`);
    await sleep(5);
  }
}

describe('recovery job claims across OS processes', () => {
  let f: RecordsFixture;
  beforeEach(async () => {
    f = await openRecordsFixture();
  });
  afterEach(async () => f.cleanup());

  it('two processes claiming the same 200 jobs at once never both win one, and together take them all', async () => {
    const ids = await seedJobs(f, 200);
    const workers = ['proc-a', 'proc-b'];
    const ready = workers.map((w) => join(f.temp.dir, `ready-${w}`));
    const go = join(f.temp.dir, 'go');
    const children = workers.map((w, i) => runTs(CHILD, [f.temp.url ?? f.temp.path, ready[i]!, go, w, NOW]));
    // Both children have opened the file and poll for the same start signal.
    await waitFor(ready, 25_000);
    writeFileSync(go, '');
    const results = await Promise.all(children);
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

    const won = results.map((r) => JSON.parse(r.stdout.trim()) as string[]);
    const all = won.flat();
    expect(all).toHaveLength(ids.length);
    expect(new Set(all)).toEqual(new Set(ids));
    const rows = await f.rows<{ job_id: string; claimed_by: string; claim_count: number }>('SELECT job_id, claimed_by, claim_count FROM recovery_job');
    for (const row of rows) {
      expect(row.claim_count).toBe(1);
      expect(won[workers.indexOf(row.claimed_by)]).toContain(row.job_id);
    }
  }, 60_000);
});
