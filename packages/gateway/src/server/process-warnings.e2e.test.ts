import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';

const FIXTURE = join(import.meta.dirname, '../testing/fixtures/start-and-stop.ts');
let root: string;

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a started gateway', () => {
  // In a real child, not in jest's sandbox: Node prints every process warning (Fastify's
  // FSTDEP deprecations, ExperimentalWarning, MaxListeners...) to stderr, so stderr must be empty.
  it('emits no process warning from start to close', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-warnings-'));
    const result = await runTs(FIXTURE, [join(root, 'home')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('status 200');
    // Request logging stays off through the LogController that replaced the deprecated option.
    const messages = lines.slice(0, -1).map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('cairn gateway ready');
    expect(messages.filter((msg) => /request/.test(msg))).toEqual([]);
  });
});
