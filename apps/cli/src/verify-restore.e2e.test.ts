import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { runTs } from '@cairn/tooling/child';
import { CAIRN_MAIN, serveChild } from './testing/serve-child.js';

const main = CAIRN_MAIN;
let root: string;
let home: string;
let server: ChildProcess | undefined;

afterEach(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.on('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

const env = () => ({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '', CAIRN_MASTER_KEY: '' });

/** `cairn serve` in a child process (killed by afterEach if a test leaves it running); resolves once it listens. */
async function serve(): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const served = await serveChild(env());
  server = served.child;
  return served;
}

const cairn = (...args: string[]) => runTs(main, args, { env: env() });

describe('cairn verify and cairn restore (child processes)', () => {
  it('verify is clean on a served home; restore refuses while the gateway runs, then restores with a marker verify reports', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-restore-'));
    home = join(root, 'home');
    let gateway = await serve();
    expect(await gateway.stop()).toBe(0);
    const clean = await cairn('verify', '--json');
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe(''); // no progress bar: stderr is a pipe here
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, journal: { ok: true } });

    const backup = await cairn('backup', '--json');
    expect(backup.code).toBe(0);

    gateway = await serve();
    const refused = await cairn('restore');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^cairn: (database_in_use|busy): .* is open in another process \(a running gateway\?\): stop it first/m);
    expect(await gateway.stop()).toBe(0);

    const restored = await cairn('restore', '--json');
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ marker: { workspaces: expect.any(Number) } });
    const after = await cairn('verify');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^home .*: ok$/m);
    expect(after.stdout).toMatch(/journal ok/);

    // A gateway.db that is not a database at all: verify names it and exits 1.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(home, 'gateway.db'), 'not a database');
    const broken = await cairn('verify', '--json');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false });
  }, 120_000); // two gateway starts and seven CLI runs, each a fresh tsx child on a shared 2-core box
});
