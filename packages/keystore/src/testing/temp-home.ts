import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh runtime home under the OS temp dir; `cleanup` removes it with every -wal/-shm/key file. */
export function createTempHome(prefix = 'cairn-keystore-'): { home: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { home: join(root, 'home'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A clock the test moves by hand. */
export function createManualClock(start = Date.parse('2026-01-01T00:00:00.000Z')): { now: () => Date; advance: (ms: number) => void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => void (t += ms) };
}
