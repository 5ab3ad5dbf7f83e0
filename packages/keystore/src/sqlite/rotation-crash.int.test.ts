import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTs } from '@cairn/tooling/child';
import type { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { readKeyFile } from '../key-source/key-file.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { createTempHome } from '../testing/temp-home.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';

const CHILD = join(import.meta.dirname, '..', 'testing', 'fixtures', 'rotate-until-killed.ts');
const SECRETS = 300;
const ITERATIONS = 10;
const BUDGET_MS = 90_000;

const valueFor = (i: number) => createHash('sha256').update(`value-${i}`).digest('base64').repeat(1 + (i % 12));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the rotating child, waits until it has opened the keystore, lets it run `delayMs`, then SIGKILLs it. */
async function rotateThenKill(home: string, delayMs: number): Promise<{ rotations: number; signal: string | null }> {
  const child = spawnTs(CHILD, [home]);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<string | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = Date.now() + 20_000;
  while (!out.includes('ready ')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`child did not start: ${err}`);
    await sleep(5);
  }
  await sleep(delayMs);
  child.kill('SIGKILL');
  const signal = await exited;
  return { rotations: out.split('\n').filter((l) => l.startsWith('rotated ')).length, signal };
}

const keyIn = (path: string): MasterKey | undefined => {
  const read = readKeyFile(path);
  return read.ok ? read.key : undefined;
};

describe('rotation killed at a random point (SIGKILL)', () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ home, cleanup } = createTempHome('cairn-rotation-crash-'));
    const ks = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
    for (let i = 0; i < SECRETS; i++) await ks.set('provider', `key-${i}`, valueFor(i));
    await ks.close();
  });
  afterAll(() => cleanup());

  it(
    'leaves every secret decryptable with the key the key file names, .next resolved',
    async () => {
      const started = Date.now();
      const outcomes = { clean: 0, discarded: 0, promoted: 0 };
      let rotations = 0;
      for (let iteration = 0; iteration < ITERATIONS && Date.now() - started < BUDGET_MS; iteration++) {
        const run = await rotateThenKill(home, Math.floor(Math.random() * 400));
        expect(run.signal).toBe('SIGKILL');
        rotations += run.rotations;

        const keyPath = join(home, 'keystore.key');
        const before = { current: keyIn(keyPath), next: existsSync(keyPath + '.next') ? keyIn(keyPath + '.next') : undefined };

        // A fresh instance settles the interrupted rotation...
        const ks = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
        const keyId = ks.keyId;
        await ks.close();
        expect(existsSync(keyPath + '.next')).toBe(false);
        const named = keyIn(keyPath);
        expect(named?.id).toBe(keyId);
        if (before.next === undefined) outcomes.clean++;
        else if (before.next.id === keyId) outcomes.promoted++;
        else outcomes.discarded++;

        // ...and the key the file now names, used on its own, decrypts every secret.
        const check = await openSqliteKeystore({ home, keySource: createStaticMasterKeySource(named!) });
        try {
          expect(await check.list()).toHaveLength(SECRETS);
          for (let i = 0; i < SECRETS; i++) expect(await check.get('provider', `key-${i}`)).toBe(valueFor(i));
        } finally {
          await check.close();
        }
      }
      expect(rotations).toBeGreaterThan(0);
      if (process.env.CAIRN_TEST_VERBOSE) console.log({ rotations, ...outcomes });
    },
    BUDGET_MS + 30_000,
  );
});
