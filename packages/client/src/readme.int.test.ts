import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import ts from 'typescript';
import * as browserApi from './browser.js';
import * as api from './index.js';
import { startScriptedPeer, threadFixture, workspaceFixture } from './testing/index.js';

// The README is the reference for this package: a runtime export it does not mention fails
// here, and its example must run as printed (against the scripted peer until the gateway's
// own integration tests run it against the real thing).
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it.each(Object.keys(api))('documents the export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });

  // The browser entry's exports too (its transfer helpers differ from the Node ones).
  it.each(Object.keys(browserApi))('documents the browser export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('has an example that runs: default workspace, thread, turn, notifications until turn/completed', async () => {
    const example = /## Example\n\n[^`]*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const peer = await startScriptedPeer({ token: 'readme-token' });
    const NOW = '2026-01-01T00:00:00.000Z';
    peer.handle(({ method, params }, connection) => {
      const p = params as { workspace_id: string; thread_id: string; turn_id: string; input: unknown };
      if (method === 'workspace/default') return { result: { workspace: workspaceFixture() } };
      if (method === 'thread/start') return { result: { thread: threadFixture('t-readme', p.workspace_id), created: true } };
      if (method !== 'turn/start') return undefined;
      const base = { workspace_id: p.workspace_id, thread_id: p.thread_id, turn_id: p.turn_id, recorded_at: NOW };
      // Before the answer, as a gateway may: the program must still recognise its turn.
      connection.notify('turn/started', { ...base, seq: 2, input: p.input });
      setTimeout(() => {
        connection.notify('item/agent_message/delta', { ...base, seq: 3, item_id: 'i-1', delta: 'Hello!' });
        connection.notify('turn/started', { ...base, turn_id: 'someone-elses-turn', seq: 4, input: p.input });
        connection.notify('turn/completed', { ...base, seq: 5, status: 'completed' });
      }, 20);
      const turn = { turn_id: p.turn_id, workspace_id: p.workspace_id, thread_id: p.thread_id, thread_seq: 1, status: 'running' };
      return { result: { position: 1, seq: 2, outcome: 'applied', duplicate: false, turn } };
    });
    const dir = mkdtempSync(join(tmpdir(), 'cairn-client-readme-'));
    try {
      const script = join(dir, 'example.mts');
      writeFileSync(script, example!.replace("from '@cairn/client'", `from '${join(import.meta.dirname, 'index.ts')}'`));
      expect(typeErrors(script)).toEqual([]);
      const run = await runTs(script, [], { env: { CAIRN_URL: peer.url, CAIRN_TOKEN: 'readme-token' } });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '[connection] open\n[connection] closed: the client was closed\n' });
      const lines = run.stdout.trim().split('\n');
      expect(lines.map((line) => line.split(' ')[0])).toEqual(['turn/started', 'turn', 'item/agent_message/delta', 'turn/completed']);
      expect(lines[2]).toContain('"delta":"Hello!"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await peer.close();
    }
  }, 60_000);
});

/** Type-checks the example as the package's own sources are checked (tsx only strips types). */
function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(join(import.meta.dirname, '..', 'tsconfig.json'), ts.sys.readFile).config as object;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, join(import.meta.dirname, '..'));
  const program = ts.createProgram([file], { ...options, noEmit: true, allowImportingTsExtensions: true, composite: false, declaration: false, declarationMap: false, rootDir: undefined, incremental: false });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
