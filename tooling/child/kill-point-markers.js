// The child's side of kill-points.js, on its own so that a child bundles nothing else.
import { writeSync } from 'node:fs';

export const MODE_ENV = 'CAIRN_KILL_POINTS';
export const READY = 'kill-points-ready';
export const BEGIN = 'kill-points-begin';
export const END = 'kill-points-end';

/**
 * For the child, once its modules are loaded: the steps after this and before
 * `endKillPoints()` are the ones the parent kills at. In attach mode it first waits until the
 * parent says strace is attached. Markers are written with write(2) on fd 1: one syscall each.
 */
export async function beginKillPoints() {
  if (process.env[MODE_ENV] === 'attach') {
    writeSync(1, `${READY}\n`);
    await new Promise((resolve) => process.stdin.once('data', resolve));
    process.stdin.destroy();
  }
  writeSync(1, `${BEGIN}\n`);
}

export function endKillPoints() {
  writeSync(1, `${END}\n`);
}
