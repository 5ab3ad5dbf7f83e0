import { afterEach, describe, expect } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '@cairn/gateway';
import { itBuilt, runBuilt } from './testing/built-cli.js';

let root: string;

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const cairn = (args: string[], home: string) => runBuilt(args, { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent' } });
const blobPath = (home: string, ws: string, sha: string) => join(home, 'artifacts', 'workspaces', ws, 'blobs', 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);

describe('cairn artifacts gc and cairn verify (the built CLI)', () => {
  itBuilt('gc --dry-run shows an old orphan blob and removes nothing; gc removes it and keeps the referenced one; verify names corrupt and missing blobs', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-artifacts-'));
    const home = join(root, 'home');
    const gateway = await startGateway({ home, env: {}, settings: { log_level: 'silent', agent: { runtime: 'external' } }, listen: { host: '127.0.0.1', port: 0 } });
    const ws = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
    const kept = await gateway.services.artifacts.ingestBytes({ workspace_id: ws, name: 'kept.txt', source_kind: 'api' }, Buffer.from('referenced bytes'));
    // Bytes with no row, as a crash between the rename and the commit leaves them, two days old.
    const orphan = await gateway.services.artifacts.blobs.put(ws, Buffer.from('orphan bytes'));
    await gateway.close();
    const old = new Date(Date.now() - 48 * 3_600_000);
    utimesSync(blobPath(home, ws, orphan.sha256), old, old);

    const dry = await cairn(['--json', 'artifacts', 'gc', '--dry-run'], home);
    expect({ code: dry.code, stderr: dry.stderr }).toEqual({ code: 0, stderr: '' });
    const plan = JSON.parse(dry.stdout) as { plan: { orphan_blobs: unknown[] }; report: unknown };
    expect(plan).toMatchObject({ plan: { orphan_blobs: [{ workspace_id: ws, sha256: orphan.sha256, reason: 'file_without_row' }] }, report: null });
    expect(existsSync(blobPath(home, ws, orphan.sha256))).toBe(true);
    const human = await cairn(['artifacts', 'gc', '--dry-run'], home);
    expect(human.stdout).toContain('orphan blobs: 1');

    const gc = await cairn(['--json', 'artifacts', 'gc'], home);
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ report: { blobs_deleted: 1, bytes_deleted: 12 } });
    expect(existsSync(blobPath(home, ws, orphan.sha256))).toBe(false);
    expect(existsSync(blobPath(home, ws, kept.sha256))).toBe(true);

    const clean = await cairn(['--json', 'verify'], home);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, blobs: { checked: true, ok: true, report: { checked: 1, ok: 1 } } });

    writeFileSync(blobPath(home, ws, kept.sha256), 'tampered bytes!!');
    const corrupt = await cairn(['--json', 'verify'], home);
    expect(corrupt.code).toBe(1);
    expect(JSON.parse(corrupt.stdout)).toMatchObject({ ok: false, blobs: { ok: false, report: { corrupt: [{ workspace_id: ws, sha256: kept.sha256 }], missing: [] } } });
    const lines = await cairn(['verify'], home);
    expect(lines.stdout).toContain(`CORRUPT ${ws} ${kept.sha256}`);

    rmSync(blobPath(home, ws, kept.sha256));
    const missing = await cairn(['--json', 'verify'], home);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ blobs: { report: { missing: [{ sha256: kept.sha256 }], corrupt: [] } } });
  }, 90_000);
});
