import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import { startTestGateway, type TestGateway } from '@cairn/gateway/testing';

// The client README's complete program, run as written against a real gateway (the client's own
// test runs it against a scripted peer): a newcomer's first program must work on the real thing.
const clientDir = join(import.meta.dirname, '..', '..', 'client');
const readme = readFileSync(join(clientDir, 'README.md'), 'utf8');
const example = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];

let root: string;
let gateway: TestGateway;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-client-readme-real-'));
  gateway = await startTestGateway(join(root, 'home'), { settings: { agent: { builtin_delta_interval_ms: 0 } } });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the client README's program, against a real gateway", () => {
  it('connects, starts a thread and a built-in turn, and prints every notification of the turn until turn/completed', async () => {
    expect(example).toBeDefined();
    const script = join(root, 'example.mts');
    writeFileSync(script, example!.replace("from '@cairn/client'", `from '${join(clientDir, 'src', 'index.ts')}'`));
    const run = await runTs(script, [], { env: { CAIRN_URL: gateway.rpcUrl, CAIRN_TOKEN: gateway.operatorToken } });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '[connection] open\n[connection] closed: the client was closed\n' });
    const methods = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    // The program's own line for turn/start's answer may come before or after the first notifications.
    expect(methods).toContain('turn');
    const notified = methods.filter((m) => m !== 'turn');
    expect(notified[0]).toBe('turn/started');
    expect(notified).toContain('item/agent_message/delta');
    expect(notified.at(-1)).toBe('turn/completed');
  }, 60_000);
});
