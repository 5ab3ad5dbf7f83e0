import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WebSocket as WsWebSocket } from 'ws';
import { createCairnClient } from './browser.js';
import { startScriptedPeer, workspaceFixture, type ScriptedPeer } from './testing/index.js';

let peer: ScriptedPeer | undefined;
afterEach(async () => {
  delete (globalThis as { WebSocket?: unknown }).WebSocket;
  await peer?.close();
});

/** Every relative module browser.ts reaches, and the bare specifiers they import. */
function bareImportsReachedFrom(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return bare;
}

describe('the browser entry point', () => {
  it('reaches no Node-only module: not ws, not node:*', () => {
    const bare = bareImportsReachedFrom(join(import.meta.dirname, 'browser.ts'));
    // hash-wasm: the transfer helpers' SHA-256 (plain JS + WASM, no Node module).
    expect([...bare].sort()).toEqual(['@cairn/protocol', 'hash-wasm']);
  });

  it('connects with the global WebSocket and the token in the subprotocol', async () => {
    peer = await startScriptedPeer({ token: 'tok' });
    peer.handle(() => ({ result: { workspace: workspaceFixture() } }));
    (globalThis as { WebSocket?: unknown }).WebSocket = WsWebSocket;
    const client = createCairnClient({ url: peer.url, token: 'tok' });
    await expect(client.call('workspace/default', {})).resolves.toEqual({ workspace: workspaceFixture() });
    expect(peer.connections[0]?.socket.protocol).toBe('cairn.v1');
    await client.close();
  });

  it('fails with transport_unavailable when there is no global WebSocket', async () => {
    const client = createCairnClient({ url: 'ws://127.0.0.1:1/rpc', token: 'tok' });
    await expect(client.ready()).rejects.toMatchObject({ code: 'transport_unavailable' });
  });
});
