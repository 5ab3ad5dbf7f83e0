import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import * as api from './index.js';

// The README is the reference for this package: a runtime export it does not mention fails
// here (type-only exports are checked by review), and its example must run as printed.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it.each(Object.keys(api))('documents the export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('has an example that runs against a fresh home', async () => {
    const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const home = mkdtempSync(join(tmpdir(), 'cairn-crud-readme-'));
    try {
      const script = join(home, 'example.mts');
      writeFileSync(script, example!.replace("from '@cairn/crud'", `from '${join(import.meta.dirname, 'index.ts')}'`));
      const run = await runTs(script, [], { env: { CAIRN_HOME: home } });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain("[ 'applied', 'applied', 'applied', 'applied', 'applied' ] true");
      expect(run.stdout).toContain('The fixture lost its trailing newline.');
      expect(run.stdout).toMatch(/'turn\.started',\s+'item\.started',[\s\S]*'turn\.completed'\s+\] \{ ok: true, checked: 7, lastPosition: 7 \}/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
