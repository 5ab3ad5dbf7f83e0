import { afterEach, describe, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { itBuilt, runBuilt, type CliRun } from './testing/built-cli.js';

// Values no output may ever hold; long and distinctive so a partial echo is caught too.
const VALUE = 'sk-live-7f3a9c0e1b2d4e6f8a0b1c2d3e4f5a6b';
const SECOND = 'sk-live-second-value-0c1d2e3f4a5b6c7d';
let root: string;

afterEach(() => rmSync(root, { recursive: true, force: true }));

function freshHome(): string {
  root = mkdtempSync(join(tmpdir(), 'cairn-cli-secrets-'));
  return join(root, 'home');
}

/** The built `cairn`; every run's stdout and stderr are checked for the values. */
async function cairn(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<CliRun> {
  const run = await runBuilt(args, { env: { CAIRN_LOG_LEVEL: 'silent', ...env }, ...(input !== undefined ? { input } : {}) });
  for (const value of [VALUE, SECOND]) expect(`${run.stdout}${run.stderr}`).not.toContain(value);
  return run;
}

describe('cairn secrets (the built CLI)', () => {
  itBuilt('set reads stdin, list shows metadata only, delete removes; no value is ever printed', async () => {
    const env = { CAIRN_HOME: freshHome() };
    // A read on a home without a keystore creates none.
    expect(JSON.parse((await cairn(['--json', 'secrets', 'list'], env)).stdout)).toEqual([]);

    const set = await cairn(['--json', 'secrets', 'set', 'provider', 'openai', '--kind', 'provider_api_key', '--label', 'OpenAI prod'], env, `${VALUE}\n`);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ ref: 'secret://provider/openai', kind: 'provider_api_key', label: 'OpenAI prod', version: 1 });
    expect((await cairn(['secrets', 'set', 'mcp.github', 'token'], env, SECOND)).stdout).toMatch(/^stored secret:\/\/mcp\.github\/token \(version 1, kind generic\)$/m);
    const again = await cairn(['--json', 'secrets', 'set', 'provider', 'openai'], env, VALUE);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 2, kind: 'provider_api_key', label: 'OpenAI prod' });

    const listed = JSON.parse((await cairn(['secrets', 'list', '--json'], env)).stdout) as Array<Record<string, unknown>>;
    const mine = listed.filter((s) => s.service !== 'cairn');
    expect(mine.map((s) => s.ref)).toEqual(['secret://mcp.github/token', 'secret://provider/openai']);
    expect(Object.keys(mine[0]!).sort()).toEqual(['createdAt', 'id', 'kind', 'label', 'ref', 'service', 'updatedAt', 'version']);
    expect(JSON.parse((await cairn(['--json', 'secrets', 'list', '--service', 'provider'], env)).stdout)).toHaveLength(1);
    expect((await cairn(['secrets', 'list'], env)).stdout).toMatch(/^secret:\/\/provider\/openai {2}provider_api_key {2}v2 {2}updated \S+ {2}"OpenAI prod"$/m);
    // Sealed at rest: the file holds neither value as plain text.
    const file = readFileSync(join(env.CAIRN_HOME, 'keystore.db'));
    for (const value of [VALUE, SECOND]) expect(file.includes(value)).toBe(false);

    expect((await cairn(['secrets', 'delete', 'provider', 'openai'], env)).code).toBe(0);
    const gone = await cairn(['secrets', 'delete', 'provider', 'openai'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe("cairn: not_found: no secret provider/openai in this home's keystore\n");
    const goneJson = await cairn(['--json', 'secrets', 'delete', 'provider', 'openai'], env);
    expect(goneJson.code).toBe(1);
    expect(JSON.parse(goneJson.stderr)).toEqual({ error: { code: 'not_found', message: "no secret provider/openai in this home's keystore" } });
  }, 60_000);

  itBuilt('refuses a value on the command line, an empty stdin, a bad kind and the reserved service, with exit 2 and without echoing', async () => {
    const env = { CAIRN_HOME: freshHome() };
    const inArgv = await cairn(['secrets', 'set', 'provider', 'openai', VALUE], env);
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toMatch(/^cairn: usage: too many arguments for 'set'.*\(see cairn secrets set --help\)\n$/);
    const asOption = await cairn(['secrets', 'set', `--value=${VALUE}`, 'provider', 'openai'], env);
    expect(asOption.code).toBe(2);
    expect(asOption.stderr).toContain("unknown option '--value=...'");
    const empty = await cairn(['secrets', 'set', 'provider', 'openai'], env, '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^cairn: usage: no value for secret:\/\/provider\/openai on stdin/);
    expect((await cairn(['secrets', 'set', 'provider', 'openai', '--kind', 'nope'], env, VALUE)).code).toBe(2);
    const reserved = await cairn(['--json', 'secrets', 'delete', 'cairn', 'journal-signing-key'], env);
    expect(reserved.code).toBe(2);
    expect(JSON.parse(reserved.stderr)).toMatchObject({ error: { code: 'usage' } });
    // A bad id is the keystore's refusal (exit 1), and names the rule, not the text.
    const badId = await cairn(['secrets', 'set', 'provider', 'a/b'], env, VALUE);
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/^cairn: invalid_secret_id: /);
  }, 60_000);

  itBuilt('rotate-master-key re-seals under a new key file; with CAIRN_MASTER_KEY it takes the new key from stdin', async () => {
    const home = freshHome();
    const env = { CAIRN_HOME: home };
    await cairn(['secrets', 'set', 'provider', 'openai'], env, VALUE);
    const keyFile = readFileSync(join(home, 'keystore.key'), 'utf8');
    const rotated = await cairn(['--json', 'secrets', 'rotate-master-key'], env);
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as { previousKeyId: string; keyId: string; reencrypted: number };
    expect(result.keyId).not.toBe(result.previousKeyId);
    expect(result.reencrypted).toBeGreaterThanOrEqual(1);
    expect(readFileSync(join(home, 'keystore.key'), 'utf8')).not.toBe(keyFile);
    expect(rotated.stdout).not.toContain(readFileSync(join(home, 'keystore.key'), 'utf8').trim().split(' ').pop());
    // The next open checks the canary under the promoted key file; the old key no longer opens it.
    expect((await cairn(['secrets', 'list'], env)).code).toBe(0);
    const rotatedKey = readFileSync(join(home, 'keystore.key'), 'utf8');
    writeFileSync(join(home, 'keystore.key'), keyFile);
    const old = await cairn(['secrets', 'list'], env);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(new RegExp(`^cairn: master_key_invalid: .*${result.keyId}`));
    writeFileSync(join(home, 'keystore.key'), rotatedKey);

    // A key from the environment: the keystore cannot store a generated one, so it is given.
    const outside = { CAIRN_HOME: join(root, 'env-home'), CAIRN_MASTER_KEY: randomBytes(32).toString('base64') };
    await cairn(['secrets', 'set', 'provider', 'openai'], outside, VALUE);
    const refused = await cairn(['secrets', 'rotate-master-key'], outside);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--new-key-stdin/);
    const next = randomBytes(32).toString('hex');
    const given = await cairn(['secrets', 'rotate-master-key', '--new-key-stdin'], outside, `${next}\n`);
    expect(given.code).toBe(0);
    expect(`${given.stdout}${given.stderr}`).not.toContain(next);
    expect(given.stdout).toMatch(/set CAIRN_MASTER_KEY to the new key/);
    const stale = await cairn(['secrets', 'list'], outside);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^cairn: master_key_invalid: /);
    expect(stale.stderr).not.toContain(outside.CAIRN_MASTER_KEY);
    const current = await cairn(['--json', 'secrets', 'list'], { ...outside, CAIRN_MASTER_KEY: next });
    expect(current.code).toBe(0);
    expect(JSON.parse(current.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ ref: 'secret://provider/openai', version: 1 })]));
  }, 90_000);

  itBuilt('works on the PostgreSQL keystore when CAIRN_DATABASE_URL is set', async () => {
    const { url } = await createTestDatabase('cli_secrets');
    const env = { CAIRN_HOME: freshHome(), CAIRN_DATABASE_URL: url };
    expect((await cairn(['secrets', 'set', 'provider', 'openai'], env, VALUE)).code).toBe(0);
    const listed = JSON.parse((await cairn(['--json', 'secrets', 'list', '--service', 'provider'], env)).stdout) as Array<{ ref: string }>;
    expect(listed.map((s) => s.ref)).toEqual(['secret://provider/openai']);
    const rotated = await cairn(['--json', 'secrets', 'rotate-master-key'], env);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ where: 'PostgreSQL keystore schema', reencrypted: expect.any(Number) });
    expect((await cairn(['secrets', 'delete', 'provider', 'openai'], env)).code).toBe(0);
    expect(JSON.parse((await cairn(['--json', 'secrets', 'list', '--service', 'provider'], env)).stdout)).toEqual([]);
  }, 90_000);
});
