import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import * as api from './index.js';

// The README is the reference for this package: a runtime export it does not mention fails
// here (type-only exports are checked by review), and its example must run as printed.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const packages = join(import.meta.dirname, '..', '..');

describe('README.md', () => {
  it.each(Object.keys(api))('documents the export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('has an example that runs against a fresh directory and prints what the README says', async () => {
    const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'cairn-artifacts-readme-'));
    try {
      const script = join(dir, 'example.mts');
      writeFileSync(script, example!.replace(/from '@cairn\/(artifacts|config|crud)'/g, (_m, pkg: string) => `from '${join(packages, pkg, 'src', 'index.ts')}'`));
      const run = await runTs(script, []);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain('notes.md text 14');
      expect(run.stdout).toContain("[ 'result.json' ]");
      expect(run.stdout).toMatch(/claimed: 3,\s+ready: 3/);
      expect(run.stdout).toContain('# Notes\n\nhello');
      expect(run.stdout.trim().endsWith('2 0')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
