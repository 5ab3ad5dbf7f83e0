import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertStraceUsable, collapseRuns, forEachBounded, isSharedMemoryStep, listKillPoints, runKilledAt, type KillPoint } from '@cairn/tooling/kill-points';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { readKeyFile } from '../key-source/key-file.js';
import { crashValueFor } from '../testing/fixtures/crash-values.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';

// Kills a keystore child at each file-system step of a first start and of a master-key
// rotation (strace, see @cairn/tooling/kill-points), then opens the home again: it must open,
// and every secret the child acknowledged (and every secret there before) must read back.
const CHILD = join(import.meta.dirname, '..', 'testing', 'fixtures', 'keystore-steps.ts');
const SEEDED = 20;
const BUDGET_MS = 90_000; // typically 10-20 s per scenario; the bound is for a loaded CI machine
// The child must use keystore.key, whatever the developer's shell exports.
const CHILD_ENV = { CAIRN_MASTER_KEY: '' };

type Scenario = 'first-start' | 'rotate';

interface Outcome {
  killed: number;
  completed: number;
  /** Kills that hit another step than the one asked for (the child is not quite deterministic). */
  shifted: number;
  failures: string[];
}

/** Opens the home as the next start would and checks what must have survived. */
async function checkHome(home: string, acked: string[], seeded: number): Promise<string[]> {
  const problems: string[] = [];
  const keystore = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) }).catch((error: unknown) => {
    problems.push(`does not open: ${(error as Error).message}`);
    return undefined;
  });
  if (!keystore) return problems;
  try {
    for (const id of acked) {
      if ((await keystore.get('provider', id)) !== crashValueFor(id)) problems.push(`acknowledged ${id} lost`);
    }
    for (let i = 0; i < seeded; i++) {
      if ((await keystore.get('provider', `seeded-${i}`)) !== crashValueFor(`seeded-${i}`)) problems.push(`seeded-${i} lost`);
    }
    const key = readKeyFile(join(home, 'keystore.key'));
    if (!key.ok || key.key.id !== keystore.keyId) problems.push(`keystore.key does not hold the key in use (${key.ok ? key.key.id : key.reason})`);
  } finally {
    await keystore.close();
  }
  const left = readdirSync(home).filter((name) => name.endsWith('.cairn-tmp') || name === 'keystore.key.next');
  if (left.length > 0) problems.push(`left behind after the next open: ${left.join(', ')}`);
  return problems;
}

describe('the keystore killed at each file-system step', () => {
  let root: string;
  let seededHome: string;
  beforeAll(async () => {
    assertStraceUsable();
    root = mkdtempSync(join(tmpdir(), 'cairn-keystore-steps-'));
    seededHome = join(root, 'seeded');
    const keystore = await openSqliteKeystore({ home: seededHome, keySource: createFileMasterKeySource(seededHome) });
    for (let i = 0; i < SEEDED; i++) await keystore.set('provider', `seeded-${i}`, crashValueFor(`seeded-${i}`));
    await keystore.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const homeFor = (scenario: Scenario, name: string): string => {
    const home = join(root, `${scenario}-${name}`);
    if (scenario === 'rotate') cpSync(seededHome, home, { recursive: true });
    return home;
  };

  async function killAtEveryStep(scenario: Scenario): Promise<Outcome & { steps: number; points: number }> {
    const deadline = Date.now() + BUDGET_MS;
    const listed = await listKillPoints(CHILD, (attempt) => [scenario, homeFor(scenario, `count-${attempt}`)], { within: [root], env: CHILD_ENV });
    expect(listed.run.stdout).toContain(scenario === 'rotate' ? 'rotated ' : 'acked first-b');
    const points = collapseRuns(listed.points.filter((p) => !isSharedMemoryStep(p)));
    const outcome: Outcome = { killed: 0, completed: 0, shifted: 0, failures: [] };
    const ran = await forEachBounded(points, 2, deadline, async (point: KillPoint, index) => {
      const home = homeFor(scenario, `kill-${index}`);
      const run = await runKilledAt(CHILD, [scenario, home], point, { env: CHILD_ENV });
      if (run.signal === 'SIGKILL') outcome.killed++;
      else outcome.completed++;
      if (run.landed && (run.landed.syscall !== point.syscall || run.landed.occurrence !== point.occurrence)) outcome.shifted++;
      const acked = run.stdout.split('\n').flatMap((line) => (line.startsWith('acked ') ? [line.slice(6)] : []));
      for (const problem of await checkHome(home, acked, scenario === 'rotate' ? SEEDED : 0)) {
        outcome.failures.push(`killed at ${point.syscall}#${point.occurrence} ${point.call.slice(0, 90)}: ${problem}`);
      }
      rmSync(home, { recursive: true, force: true });
    });
    expect(ran).toBe(points.length); // the budget was enough for every step
    return { ...outcome, steps: listed.points.length, points: points.length };
  }

  it(
    'first start (openSqliteKeystore({ home }) on a fresh home, then two sets): every home opens again, nothing acknowledged is lost',
    async () => {
      const outcome = await killAtEveryStep('first-start');
      if (process.env.CAIRN_TEST_VERBOSE) console.log('first start', { ...outcome, failures: outcome.failures.length });
      expect(outcome.failures).toEqual([]);
      expect(outcome.killed).toBe(outcome.points);
      expect(outcome.shifted).toBeLessThanOrEqual(outcome.points / 10);
    },
    BUDGET_MS + 30_000,
  );

  it(
    'master-key rotation (set, rotate, set): every home opens again under the key its file names, nothing acknowledged is lost',
    async () => {
      const outcome = await killAtEveryStep('rotate');
      if (process.env.CAIRN_TEST_VERBOSE) console.log('rotation', { ...outcome, failures: outcome.failures.length });
      expect(outcome.failures).toEqual([]);
      expect(outcome.killed).toBe(outcome.points);
      expect(outcome.shifted).toBeLessThanOrEqual(outcome.points / 10);
    },
    BUDGET_MS + 30_000,
  );
});
