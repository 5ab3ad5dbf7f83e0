import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { runTs } from '@cairn/tooling/child';
import type { TaskCreateParams } from '@cairn/protocol';
import { Cron } from 'croner';
import { openTempStore, type TempStore } from '../testing/temp-store.js';

const CHILD = join(import.meta.dirname, 'testing/scheduler-child.ts');
// A simulated day with a DST change in it (Europe/Berlin springs forward at 01:00Z).
const FROM = Date.parse('2026-03-29T00:00:00.000Z');
const TO = FROM + 24 * 60 * 60 * 1000;
const STEP = 10 * 60 * 1000;
const WORKSPACES = ['wa', 'wb', 'wc', 'wd'];
const CRONS: Array<[string, string]> = [
  ['0 */3 * * *', 'Europe/Berlin'],
  ['30 */6 * * *', 'America/New_York'],
  ['15 1-23/4 * * *', 'Europe/Berlin'],
  ['45 2 * * *', 'Europe/Berlin'], // 02:45 does not exist that day
];
const INTERVALS_H = [4, 6, 8];
const TASKS = 240;

async function waitFor(files: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!files.every((f) => existsSync(f))) {
    if (Date.now() > deadline) throw new Error(`children not ready: ${files.filter((f) => !existsSync(f)).join(', ')}`);
    await sleep(5);
  }
}

/** The tasks, and the instants each must fire at, computed here independently of crud's trigger math. */
function plan(): Array<{ params: TaskCreateParams; expected: string[] }> {
  const out: Array<{ params: TaskCreateParams; expected: string[] }> = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < TASKS; i++) {
    const workspace_id = WORKSPACES[i % WORKSPACES.length]!;
    const base = { workspace_id, task_id: `t${i}`, title: `t${i}`, executor_kind: 'system' as const };
    const kind = i % 3;
    if (kind === 0) {
      const [expression, time_zone] = CRONS[(i / 3) % CRONS.length | 0]!;
      const expected = new Cron(expression, { timezone: time_zone, paused: true }).nextRuns(100, new Date(FROM - 1)).map((d) => d.toISOString()).filter((s) => Date.parse(s) <= TO);
      out.push({ params: { ...base, triggers: [{ kind: 'cron', expression, time_zone, catch_up: { mode: 'all' } }] }, expected });
    } else if (kind === 1) {
      const every = INTERVALS_H[i % INTERVALS_H.length]! * 3_600_000;
      const start = FROM + ((i * 7) % 180) * 60_000;
      const expected: string[] = [];
      for (let t = start; t <= TO; t += every) expected.push(iso(t));
      out.push({ params: { ...base, triggers: [{ kind: 'interval', every_ms: every, start_at: iso(start), catch_up: { mode: 'all' } }] }, expected });
    } else if (i % 2 === 0) {
      const when = FROM + ((i * 37) % 1440) * 60_000;
      out.push({ params: { ...base, triggers: [{ kind: 'scheduled_at', at: iso(when) }] }, expected: [iso(when)] });
    } else {
      out.push({ params: { ...base, triggers: [{ kind: 'immediate' }] }, expected: [iso(FROM)] });
    }
  }
  return out;
}

describe('two scheduler processes on one database', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
    for (const ws of WORKSPACES) await temp.store.workspaces.create({ workspace_id: ws, name: ws });
  });
  afterEach(async () => temp.cleanup());

  it('race over a simulated day of cron, interval and one-shot triggers: every due firing happens exactly once', async () => {
    const tasks = plan();
    for (const { params } of tasks) await temp.store.tasks.create(params, { now: new Date(FROM) });
    const owners = ['sched-a', 'sched-b'];
    const ready = owners.map((o) => join(temp.dir, `ready-${o}`));
    const go = join(temp.dir, 'go');
    const args = (o: string, i: number) => [temp.url ?? temp.path, ready[i]!, go, o, new Date(FROM).toISOString(), new Date(TO).toISOString(), String(STEP)];
    const children = owners.map((o, i) => runTs(CHILD, args(o, i)));
    await waitFor(ready, 25_000);
    writeFileSync(go, '');
    const results = await Promise.all(children);
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const reports = results.map((r) => JSON.parse(r.stdout.trim()) as { owner: string; fired: number; claimed: number });

    const runs = await temp.store.context.read((q) =>
      q.all<{ task_id: string; scheduled_for: string; attempt: number; status: string; lease_owner: string; claim_count: number }>(
        'SELECT task_id, scheduled_for, attempt, status, lease_owner, claim_count FROM task_run ORDER BY task_id, scheduled_for',
      ),
    );
    const expectedTotal = tasks.reduce((n, t) => n + t.expected.length, 0);
    expect(runs).toHaveLength(expectedTotal);
    const byTask = new Map<string, string[]>();
    for (const run of runs) byTask.set(run.task_id, [...(byTask.get(run.task_id) ?? []), run.scheduled_for]);
    for (const { params, expected } of tasks) expect([params.task_id, byTask.get(params.task_id!) ?? []]).toEqual([params.task_id, expected]);
    // Each run claimed once, by one of the two, and finished.
    for (const run of runs) expect([run.attempt, run.status, run.claim_count, owners.includes(run.lease_owner)]).toEqual([1, 'succeeded', 1, true]);
    expect(reports.reduce((n, r) => n + r.fired, 0)).toBe(expectedTotal);
    expect(reports.reduce((n, r) => n + r.claimed, 0)).toBe(expectedTotal);
    // Both really took part.
    for (const r of reports) expect(r.claimed).toBeGreaterThan(0);
    // One-shots ended; recurring tasks wait for their next instant.
    const statuses = await temp.store.context.read((q) => q.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM task GROUP BY status ORDER BY status'));
    expect(statuses).toEqual([{ status: 'completed', n: TASKS / 3 }, { status: 'scheduled', n: (2 * TASKS) / 3 }]);
  }, 120_000);
});
