import { afterEach, describe, expect } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METHODS, NOTIFICATIONS, openRpcDocument } from '@cairn/protocol';
import { itBuilt, runBuilt } from './testing/built-cli.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

const env = () => ({ CAIRN_HOME: join(root, 'home'), CAIRN_LOG_LEVEL: 'silent' });

describe('cairn schema export (the built CLI)', () => {
  itBuilt('prints the OpenRPC document without --out, and needs no runtime home', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-schema-'));
    const printed = await runBuilt(['schema', 'export'], { env: env() });
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(JSON.parse(JSON.stringify(openRpcDocument())));
    expect(existsSync(join(root, 'home'))).toBe(false);
  });

  itBuilt('writes openrpc.json and one schema file per method and notification; --json summarises; stale files go', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-schema-'));
    const out = join(root, 'out');
    mkdirSync(join(out, 'methods'), { recursive: true });
    writeFileSync(join(out, 'methods', 'thread.gone.params.json'), '{}');
    writeFileSync(join(out, 'methods', 'README.md'), 'kept: not ours');

    const written = await runBuilt(['--json', 'schema', 'export', '--out', out], { env: env() });
    expect(written.code).toBe(0);
    const summary = JSON.parse(written.stdout) as { methods: number; notifications: number; files: string[]; removed: string[] };
    const methods = Object.keys(METHODS);
    expect(summary).toMatchObject({ out, openrpc: join(out, 'openrpc.json'), methods: methods.length, notifications: Object.keys(NOTIFICATIONS).length });
    expect(summary.removed).toEqual([join('methods', 'thread.gone.params.json')]);
    expect(JSON.parse(readFileSync(join(out, 'openrpc.json'), 'utf8'))).toMatchObject({ openrpc: '1.3.2' });

    const files = readdirSync(join(out, 'methods')).sort();
    const expected = methods.flatMap((m) => [`${m.replaceAll('/', '.')}.params.json`, `${m.replaceAll('/', '.')}.result.json`]);
    expect(files).toEqual([...expected, 'README.md'].sort());
    const params = JSON.parse(readFileSync(join(out, 'methods', 'thread.start.params.json'), 'utf8')) as { type: string };
    expect(params.type).toBe('object');
    expect(readdirSync(join(out, 'notifications')).sort()).toEqual(Object.keys(NOTIFICATIONS).map((n) => `${n.replaceAll('/', '.')}.params.json`).sort());

    const text = await runBuilt(['schema', 'export', '--out', out], { env: env() });
    expect(text.stdout).toMatch(new RegExp(`^wrote ${methods.length * 2} method schemas to `, 'm'));
  });

  itBuilt('an --out that cannot be written is one error line, exit 1', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-schema-'));
    writeFileSync(join(root, 'file'), '');
    const failed = await runBuilt(['--json', 'schema', 'export', '--out', join(root, 'file')], { env: env() });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(failed.stderr)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});
