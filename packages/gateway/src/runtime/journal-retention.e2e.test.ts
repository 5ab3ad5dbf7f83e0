import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { startGateway, type RunningGateway } from '../server/start-gateway.js';
import { verifyRuntime } from './verify-runtime.js';

let root: string;
let home: string;
let gateway: RunningGateway | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-retention-'));
  home = join(root, 'home');
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(root, { recursive: true, force: true });
});

const start = (journalRetention: Record<string, unknown> = {}) =>
  startGateway({ home, env: {}, settings: { log_level: 'silent', journal_retention: journalRetention }, listen: { host: '127.0.0.1', port: 0 } });

async function turns(g: RunningGateway, from: number, count: number): Promise<string> {
  const { store } = g.runtime;
  const ws = await store.workspaces.ensureDefault();
  await store.threads.start({ workspace_id: ws.workspace_id, thread_id: 'thr' });
  for (let t = from; t < from + count; t++) {
    let n = 0;
    const append = (event: Record<string, unknown>) =>
      store.turns.appendEvent({ workspace_id: ws.workspace_id, thread_id: 'thr', turn_id: `turn-${t}`, idempotency_key: `turn-${t}-${++n}`, event: event as never });
    await append({ type: 'turn.started', input: [{ type: 'text', text: `turn ${t}` }] });
    await append({ type: 'item.started', item_id: 'i1', item_type: 'agent_message' });
    await append({ type: 'item.completed', item_id: 'i1', status: 'completed', text: `answer ${t}` });
    await append({ type: 'turn.completed' });
  }
  return ws.workspace_id;
}

describe('journal retention in the gateway', () => {
  it('is off by default: no worker, nothing archived', async () => {
    gateway = await start();
    await turns(gateway, 0, 2);
    expect(gateway.runtime.retention).toBeUndefined();
    await gateway.close();
    gateway = undefined;
    expect(readdirSync(home)).not.toContain('archive');
  });

  it('archives when enabled; cairn verify walks archive + journal and checks an archived checkpoint; a tampered segment is named', async () => {
    gateway = await start();
    await turns(gateway, 0, 2); // seq 1 (thread.started), 2..9: checkpointed at shutdown
    await gateway.close();
    gateway = await start({ enabled: true, keep_days: 0, keep_events: 1, every_seconds: 3600 });
    const wsId = await turns(gateway, 2, 2); // seq 10..17
    await new Promise((resolve) => setTimeout(resolve, 5)); // keep_days 0: "older than now" by at least a millisecond
    const report = await gateway.runtime.retention!.runOnce();
    expect(report.workspaces).toEqual([expect.objectContaining({ workspaceId: wsId, toSeq: 16 })]);

    // The newest checkpoint (seq 9) now lies in the archive: it still verifies, against the segment.
    const live = await verifyRuntime({ home, env: {} });
    expect(live.journal).toMatchObject({ ok: true, archived: 16, checked: 1 });
    expect(live.checkpoints).toMatchObject({ checked: true, ok: true, findings: [] });
    expect(live.ok).toBe(true);
    await gateway.close();
    gateway = undefined;
    expect((await verifyRuntime({ home, env: {} })).ok).toBe(true);

    const dir = join(home, 'archive', wsId);
    const [name] = readdirSync(dir);
    const text = gunzipSync(readFileSync(join(dir, name!))).toString('utf8');
    writeFileSync(join(dir, name!), gzipSync(text.replace('answer 1', 'answer 9')));
    const tampered = await verifyRuntime({ home, env: {} });
    expect(tampered.ok).toBe(false);
    expect(tampered.journal).toMatchObject({ ok: false, reason: 'segment_corrupt', segment: name });
  });
});
