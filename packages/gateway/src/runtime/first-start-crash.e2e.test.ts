import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertStraceUsable,
  collapseRuns,
  forEachBounded,
  isSharedMemoryStep,
  listKillPoints,
  runKilledAt,
  type KillPoint,
} from '@cairn/tooling/kill-points';
import { inspectRuntime } from './inspect-runtime.js';
import { openRuntime } from './open-runtime.js';

// A first `cairn serve` (openRuntime on a fresh home: keystore.db, keystore.key, gateway.db
// migrated, recovery) killed at its file-system steps; then the home must start again, pass
// doctor, and hold the secret the child acknowledged. The keystore's own test kills at every
// step of its part; here the steps are sampled (every key-file step, then evenly) to bound
// the time: each kill run starts a gateway child.
const CHILD = join(import.meta.dirname, '..', 'testing', 'fixtures', 'open-runtime-steps.ts');
const MAX_POINTS = 32;
const BUDGET_MS = 90_000; // typically ~20 s; the bound is for a loaded CI machine
const ENV = { CAIRN_MASTER_KEY: '' };

function sample(points: KillPoint[], max: number): KillPoint[] {
  const keyFile = points.filter((p) => p.call.includes('keystore.key'));
  const rest = points.filter((p) => !keyFile.includes(p));
  const room = Math.max(0, max - keyFile.length);
  const stride = rest.length / Math.max(1, room);
  const picked = rest.length <= room ? rest : Array.from({ length: room }, (_, i) => rest[Math.floor(i * stride)]!);
  return points.filter((p) => keyFile.includes(p) || picked.includes(p));
}

describe('a first start killed at its file-system steps', () => {
  let root: string;
  beforeAll(() => {
    assertStraceUsable();
    root = mkdtempSync(join(tmpdir(), 'cairn-first-start-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it(
    'starts again every time, passes doctor, and keeps the secret it acknowledged',
    async () => {
      const deadline = Date.now() + BUDGET_MS;
      const listed = await listKillPoints(CHILD, (attempt) => [join(root, `count-${attempt}`)], { within: [root], env: ENV });
      expect(listed.run.stdout).toContain('acked first-start');
      const all = collapseRuns(listed.points.filter((p) => !isSharedMemoryStep(p)));
      const points = sample(all, MAX_POINTS);
      expect(points.filter((p) => p.syscall === 'link')).toHaveLength(1); // keystore.key gets its name once

      const failures: string[] = [];
      let killed = 0;
      const ran = await forEachBounded(points, 2, deadline, async (point, index) => {
        const home = join(root, `kill-${index}`);
        const run = await runKilledAt(CHILD, [home], point, { env: ENV });
        if (run.signal === 'SIGKILL') killed++;
        const at = `killed at ${point.syscall}#${point.occurrence} ${point.call.slice(0, 80)}`;
        try {
          const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
          try {
            const value = await runtime.keystore.get('provider', 'first-start');
            if (run.stdout.includes('acked first-start') && value !== `sk-first-start-${home.length}`) failures.push(`${at}: acknowledged secret lost`);
          } finally {
            await runtime.close();
          }
          const health = await inspectRuntime({ home, env: {} });
          if (!health.ok) failures.push(`${at}: doctor after the restart: ${JSON.stringify(health).slice(0, 400)}`);
          const temps = readdirSync(home).filter((name) => name.endsWith('.cairn-tmp'));
          if (temps.length > 0) failures.push(`${at}: ${temps.join(', ')} left after the restart`);
        } catch (error) {
          failures.push(`${at}: does not start again: ${(error as Error).message}`);
        }
        rmSync(home, { recursive: true, force: true });
      });
      if (process.env.CAIRN_TEST_VERBOSE) console.log({ steps: listed.points.length, collapsed: all.length, points: points.length, ran, killed });
      expect(failures).toEqual([]);
      expect(ran).toBe(points.length);
      expect(killed).toBe(points.length);
    },
    BUDGET_MS + 40_000,
  );
});
