import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import { CAIRN_MAIN, serveChild } from './testing/serve-child.js';

const main = CAIRN_MAIN;
let home: string;

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function freshHome(): string {
  home = join(mkdtempSync(join(tmpdir(), 'cairn-cli-')), 'home');
  return home;
}

const env = () => ({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '' });

describe('cairn', () => {
  it('serve starts on the runtime home, answers /readyz, and stops cleanly on SIGTERM', async () => {
    freshHome();
    const { url, stdout, stop } = await serveChild(env());
    expect(stdout).toContain(`(home ${home})`);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await stop()).toBe(0);
    expect(existsSync(join(home, 'gateway.db'))).toBe(true);
  });

  it('migrate, migrate --status, doctor and backup work on a fresh home', async () => {
    freshHome();
    const before = await runTs(main, ['migrate', '--status', '--json'], { env: env() });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ exists: false, currentVersion: 0 });

    const migrate = await runTs(main, ['migrate', '--json'], { env: env() });
    expect(migrate.code).toBe(0);
    const report = JSON.parse(migrate.stdout) as { applied: unknown[]; version: number };
    expect(report.applied.length).toBe(report.version);

    const after = await runTs(main, ['migrate', '--status', '--json'], { env: env() });
    expect(JSON.parse(after.stdout)).toMatchObject({ exists: true, pending: 0 });

    const doctor = await runTs(main, ['doctor', '--json'], { env: env() });
    expect(doctor.code).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true });

    // A file someone loosened is reported, and doctor exits 1.
    chmodSync(join(home, 'gateway.db'), 0o644);
    const loose = await runTs(main, ['doctor', '--json'], { env: env() });
    expect(loose.code).toBe(1);
    const looseReport = JSON.parse(loose.stdout) as { ok: boolean; files: Array<{ path: string; status: string }> };
    expect(looseReport.ok).toBe(false);
    expect(looseReport.files.find((f) => f.path.endsWith('/gateway.db'))?.status).toBe('too_permissive');
    chmodSync(join(home, 'gateway.db'), 0o600);

    const backup = await runTs(main, ['backup', '--json'], { env: env() });
    expect(backup.code).toBe(0);
    const [copy] = JSON.parse(backup.stdout) as Array<{ path: string }>;
    expect(copy?.path.startsWith(join(home, 'backups'))).toBe(true);
    expect(existsSync(copy!.path)).toBe(true);
  });

  it('fails with a clear message and exit code 1 on an invalid home', async () => {
    freshHome();
    const result = await runTs(main, ['--home', '/tmp/../etc/cairn', 'migrate', '--status'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cairn: invalid_params: .*'\.\.'/);
  });

  it('usage errors are one line and exit 2; with --json a JSON error object on stderr', async () => {
    freshHome();
    const unknown = await runTs(main, ['frobnicate'], { env: env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("cairn: usage: unknown command 'frobnicate' (see cairn --help)\n");
    const json = await runTs(main, ['--json', 'migrate', '--bogus'], { env: env() });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'usage', message: "unknown option '--bogus' (see cairn migrate --help)" } });
    const bare = await runTs(main, [], { env: env() });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: cairn');
    const help = await runTs(main, ['--help'], { env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/secrets/);
  });

  it('a failure with --json is {error:{code,message}} on stderr, exit 1, nothing on stdout', async () => {
    freshHome();
    const result = await runTs(main, ['--json', '--home', '/tmp/../etc/cairn', 'doctor'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'invalid_params', message: expect.stringContaining("'..'") } });
  });

  it('serve --json prints its listening line as JSON', async () => {
    freshHome();
    const { spawnTs } = await import('@cairn/tooling/child');
    const child = spawnTs(main, ['--json', 'serve', '--listen', '127.0.0.1:0'], { env: env() });
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
    });
    expect(JSON.parse(line)).toMatchObject({ listening: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), home, pid: child.pid });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
