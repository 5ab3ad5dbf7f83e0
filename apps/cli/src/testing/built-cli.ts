import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { it } from '@jest/globals';

/** The repository root and the built `cairn` (apps/cli/dist/main.js). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const BUILT_MAIN = join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js');

/**
 * `it` when the CLI is built, else `it.skip`: these tests run what users run (`npm test` builds
 * first); a bare jest run on an unbuilt tree skips them rather than building inside a test.
 */
export const itBuilt: typeof it.skip = existsSync(BUILT_MAIN) ? it : it.skip;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `cairn` with `args`, `input` on stdin (closed when absent), and only the given env besides PATH and HOME. */
export function runBuilt(args: string[], options: { env: NodeJS.ProcessEnv; input?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_MAIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
