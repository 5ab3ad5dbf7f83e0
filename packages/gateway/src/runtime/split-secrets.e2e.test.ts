import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTs } from '@cairn/tooling/child';
import { verifyJournal, type CrudStore } from '@cairn/crud';
import type { TurnEventPayload } from '@cairn/protocol';
import { openRuntime, type GatewayRuntime } from './open-runtime.js';

/** No shape the built-in rules know: only the keystore can tell it is a secret. */
const VALUE = 'correct-horse-battery-staple-4417';
const TEXT = `use ${VALUE} now`;
const REDACTED_TEXT = 'use [REDACTED] now';
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '../testing/fixtures/held-secret-child.ts');

/** Every file of the home except the keystore's own (which holds the value, encrypted). */
function homeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return homeFiles(path);
    return /^keystore\.(db|key)/.test(name) ? [] : [path];
  });
}

/** Pieces of the value long enough that finding one means the value leaked, in whole or in part. */
const PIECES = [VALUE, VALUE.slice(0, 12), VALUE.slice(10, 22), VALUE.slice(-12)];

function leaks(home: string, pieces: readonly string[] = PIECES): string[] {
  const found: string[] = [];
  for (const file of homeFiles(home)) {
    const bytes = readFileSync(file);
    for (const piece of pieces) {
      for (const encoded of [Buffer.from(piece, 'utf8'), Buffer.from(piece, 'utf16le')]) if (bytes.includes(encoded)) found.push(`${file}: ${piece}`);
    }
  }
  return found;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-split-secrets-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Everything a client can read about a thread: turns with items, items, timeline, search. */
async function readBack(store: CrudStore, workspaceId: string, threadId: string, turnIds: readonly string[]): Promise<string> {
  const parts: unknown[] = [await store.turns.history({ workspace_id: workspaceId, thread_id: threadId, limit: 100 })];
  for (const turnId of turnIds) {
    parts.push(await store.turns.get({ workspace_id: workspaceId, turn_id: turnId }));
    parts.push(await store.turns.items({ workspace_id: workspaceId, turn_id: turnId, limit: 100 }));
    parts.push(await store.turns.timeline({ workspace_id: workspaceId, turn_id: turnId, limit: 100 }));
  }
  for (const query of ['correct', 'horse', 'battery', 'staple', '4417', VALUE]) parts.push(await store.search.threads({ workspace_id: workspaceId, query }));
  return JSON.stringify(parts);
}

describe('a keystore value split across streamed deltas', () => {
  let runtime: GatewayRuntime;
  let home: string;
  let ws: string;
  beforeAll(async () => {
    home = join(root, 'home');
    runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
    await runtime.keystore.set('provider', 'acme', VALUE);
    ws = (await runtime.store.workspaces.ensureDefault()).workspace_id;
    await runtime.store.threads.start({ workspace_id: ws, thread_id: 'thr' });
  });
  afterAll(async () => runtime.close());

  let turns = 0;
  /** One turn whose agent message streams `deltas`, then ends with `end`. Returns the turn id and the item's final text. */
  async function streamTurn(deltas: readonly string[], end: 'complete' | 'cancel' = 'complete'): Promise<{ turnId: string; text: string | null }> {
    const turnId = `turn-${++turns}`;
    const ids = { workspace_id: ws, thread_id: 'thr', turn_id: turnId };
    let key = 0;
    const append = (event: Record<string, unknown>) => runtime.store.turns.appendEvent({ ...ids, idempotency_key: `${turnId}-${++key}`, event: event as never });
    await append({ type: 'turn.started', input: [{ type: 'text', text: 'say it' }] });
    await append({ type: 'item.started', item_id: 'msg', item_type: 'agent_message' });
    for (const delta of deltas) expect((await append({ type: 'item.agent_message.delta', item_id: 'msg', delta })).outcome).toBe('applied');
    if (end === 'complete') {
      await append({ type: 'item.completed', item_id: 'msg', status: 'completed' });
      await append({ type: 'turn.completed' });
    } else {
      await append({ type: 'turn.cancelled', reason: 'user' });
    }
    const items = await runtime.store.turns.items({ workspace_id: ws, turn_id: turnId, limit: 10 });
    return { turnId, text: items.items[0]!.text };
  }

  it('is redacted whole at every cut into two deltas, and at one-character deltas, on every read path', async () => {
    const turnIds: string[] = [];
    for (let cut = 1; cut < TEXT.length; cut++) {
      const { turnId, text } = await streamTurn([TEXT.slice(0, cut), TEXT.slice(cut)]);
      expect({ cut, text }).toEqual({ cut, text: REDACTED_TEXT });
      turnIds.push(turnId);
    }
    const oneByOne = await streamTurn([...TEXT]);
    expect(oneByOne.text).toBe(REDACTED_TEXT);
    turnIds.push(oneByOne.turnId);

    const answers = await readBack(runtime.store, ws, 'thr', turnIds);
    for (const piece of PIECES) expect(answers).not.toContain(piece);
    expect(answers).toContain(REDACTED_TEXT);
    expect(leaks(home)).toEqual([]);
  });

  it('never stores it from a thread title, a summary or an idempotency key either', async () => {
    const { thread } = await runtime.store.threads.start({ workspace_id: ws, thread_id: 'thr-named', title: `deploy with ${VALUE}` });
    expect(thread.title).toBe('deploy with [REDACTED]');
    const forked = await runtime.store.threads.fork({ workspace_id: ws, from_thread_id: 'thr-named', title: `copy ${VALUE}` });
    expect(forked.title).toBe('copy [REDACTED]');
    const summarised = await runtime.store.threads.updateSummary({ workspace_id: ws, thread_id: 'thr-named', summary: `used ${VALUE} twice` });
    expect(summarised.summary).toBe('used [REDACTED] twice');
    const ids = { workspace_id: ws, thread_id: 'thr-named', turn_id: 'turn-keyed' };
    const started: TurnEventPayload = { type: 'turn.started', input: [{ type: 'text', text: 'hi' }] };
    const first = await runtime.store.turns.appendEvent({ ...ids, idempotency_key: `retry-${VALUE}`, event: started });
    // The key still works as a key: a retry answers the first result.
    expect(await runtime.store.turns.appendEvent({ ...ids, idempotency_key: `retry-${VALUE}`, event: started })).toMatchObject({ position: first.position, duplicate: true });
    expect(leaks(home)).toEqual([]);
  });

  it('loses no acknowledged text: a held tail that never became the value is released when the item ends', async () => {
    // Ends with the value's first 20 characters: held until the end, then released as it was.
    const partial = `almost ${VALUE.slice(0, 20)}`;
    expect((await streamTurn([partial.slice(0, 12), partial.slice(12)])).text).toBe(partial);
    // Diverges after a long common beginning: released as soon as it cannot be the value.
    const diverging = `${VALUE.slice(0, 25)}XYZ and more`;
    expect((await streamTurn([diverging.slice(0, 10), diverging.slice(10, 25), diverging.slice(25)])).text).toBe(diverging);
    // A cancelled turn closes the item with its held tail too.
    expect((await streamTurn(['keep ', VALUE.slice(0, 9)], 'cancel')).text).toBe(`keep ${VALUE.slice(0, 9)}`);
  });

  it('rebuilds the same text, and the held tail of an open item, from the journal', async () => {
    const ids = { workspace_id: ws, thread_id: 'thr', turn_id: 'turn-open' };
    const append = (key: string, event: Record<string, unknown>) => runtime.store.turns.appendEvent({ ...ids, idempotency_key: key, event: event as never });
    await append('o1', { type: 'turn.started', input: [{ type: 'text', text: 'say it' }] });
    await append('o2', { type: 'item.started', item_id: 'msg', item_type: 'agent_message' });
    await append('o3', { type: 'item.agent_message.delta', item_id: 'msg', delta: `use ${VALUE.slice(0, 7)}` });
    const before = await readBack(runtime.store, ws, 'thr', ['turn-1', 'turn-2', 'turn-open']);
    await runtime.store.repair.rebuild();
    expect(await readBack(runtime.store, ws, 'thr', ['turn-1', 'turn-2', 'turn-open'])).toBe(before);
    // The held beginning came back with the rebuild: the rest of the value still meets it.
    await append('o4', { type: 'item.agent_message.delta', item_id: 'msg', delta: `${VALUE.slice(7)} now` });
    await append('o5', { type: 'item.completed', item_id: 'msg', status: 'completed' });
    expect((await runtime.store.turns.items({ workspace_id: ws, turn_id: 'turn-open', limit: 10 })).items[0]!.text).toBe(REDACTED_TEXT);
  });
});

describe('a crash in the middle of a split secret', () => {
  for (const [name, finish, expected] of [
    ['the next delta completes the value: redacted whole', 'rest', 'use [REDACTED] now'],
    ['the item ends instead: the held part is released, nothing acknowledged is lost', 'end', `use ${VALUE.slice(0, 15)}`],
  ] as const) {
    it(`SIGKILL after the first half was acknowledged; after restart ${name}`, async () => {
      const home = join(root, `crash-${finish}`);
      const child = spawnTs(CHILD, [home, VALUE, `use ${VALUE.slice(0, 15)}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('ACK\n')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before acknowledging`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // On disk after the crash: the released part only; the held half is sealed, never plain.
      expect(leaks(home)).toEqual([]);

      const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
      try {
        const ws = (await runtime.store.workspaces.ensureDefault()).workspace_id;
        const ids = { workspace_id: ws, thread_id: 'thr-crash', turn_id: 'turn-crash' };
        const items = async () => (await runtime.store.turns.items({ workspace_id: ws, turn_id: 'turn-crash', limit: 10 })).items[0]!;
        expect((await items()).text).toBe('use ');
        if (finish === 'rest') {
          await runtime.store.turns.appendEvent({ ...ids, idempotency_key: 'c4', event: { type: 'item.agent_message.delta', item_id: 'msg', delta: `${VALUE.slice(15)} now` } });
        }
        await runtime.store.turns.appendEvent({ ...ids, idempotency_key: 'c5', event: { type: 'item.completed', item_id: 'msg', status: 'completed' } });
        expect((await items()).text).toBe(expected);
        expect(await runtime.store.port.read((q) => verifyJournal(q))).toMatchObject({ ok: true });
      } finally {
        await runtime.close();
      }
      // Released as text it was; what never arrived stays absent, and so does the value.
      expect(leaks(home, finish === 'rest' ? PIECES : [VALUE, VALUE.slice(-12)])).toEqual([]);
    });
  }
});
