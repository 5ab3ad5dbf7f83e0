import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles, scanForValues } from '@cairn/keystore/testing';
import type { RunningGateway } from '../server/start-gateway.js';
import { startTestGateway, turnAppender } from '../testing/gateway-fixture.js';

let root: string;
let gateway: RunningGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('secrets stay out of gateway.db', () => {
  it('scrubs keystore values from turn payloads before they are journaled, projected or indexed', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-secrets-'));
    const home = join(root, 'home');
    gateway = await startTestGateway(home);
    const { store, keystore, secrets } = gateway.runtime;
    // No shape the built-in rules would catch: only the keystore knows this is a secret.
    const value = 'correct-horse-battery-staple-4417';
    await keystore.set('provider', 'acme', value, { kind: 'provider_api_key', label: 'Acme' });
    expect(await secrets.resolve('secret://provider/acme')).toBe(value);

    const ws = await store.workspaces.ensureDefault();
    await store.threads.start({ workspace_id: ws.workspace_id, thread_id: 'thr-1' });
    const append = turnAppender(store, { workspace_id: ws.workspace_id, thread_id: 'thr-1', turn_id: 'turn-1' });
    await append({ type: 'turn.started', input: [{ type: 'text', text: `please use ${value} for the call` }] });
    await append({ type: 'item.started', item_id: 'i1', item_type: 'command', payload: { env: { ACME: value }, note: value } });
    await append({ type: 'item.completed', item_id: 'i1', status: 'completed', payload: { output: `echo ${value}` } });
    await append({ type: 'turn.completed' });

    const turn = await store.turns.get({ workspace_id: ws.workspace_id, turn_id: 'turn-1' });
    expect(JSON.stringify(turn)).toContain('[REDACTED]');
    expect(JSON.stringify(turn)).not.toContain(value);
    const hits = await store.search.threads({ workspace_id: ws.workspace_id, query: 'horse' });
    expect(JSON.stringify(hits)).not.toContain(value);

    // Every file of the home, keystore.db and its -wal included, in every encoding a leak
    // could hide in (raw UTF-8, UTF-16, base64, base64url, hex): the keystore's own scan.
    expect(listFiles(home).some((f) => f.endsWith('gateway.db'))).toBe(true);
    const needles = [{ label: 'acme key', value }];
    expect(scanForValues(home, needles)).toEqual([]);
    await gateway.close();
    gateway = undefined;
    expect(scanForValues(home, needles)).toEqual([]);
  });
});
