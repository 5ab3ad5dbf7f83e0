import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LIMITS } from '@cairn/protocol';
import { RpcSocket, type RpcAnswer, type TestGateway } from '@cairn/gateway/testing';
import { gatewayAt, tempRoot } from './testing/e2e-support.js';

// 10,000 malformed frames from a seeded generator, over a few connections with bounded
// concurrency. Each frame must be answered with an error (never a result) or close the
// connection with the code its kind calls for; afterwards the gateway is healthy, nothing was
// created, and the test process's heap (the gateway runs in it) did not grow without bound.

const FRAMES = 10_000;
const CONNECTIONS = 4;
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_DEPTH = 16;
const MAX_BATCH = 20;
/** The whole loop's budget: the test fails rather than running on. */
const DEADLINE_MS = 60_000;

const dirs = tempRoot('cairn-hostile-');
let gateway: TestGateway;
let workspaceId: string;

beforeAll(async () => {
  gateway = await gatewayAt(dirs.home('home'), {
    agent: { builtin_delta_interval_ms: 0 },
    limits: {
      max_message_bytes: MAX_MESSAGE_BYTES,
      max_json_depth: MAX_DEPTH,
      max_batch_requests: MAX_BATCH,
      requests_per_second_per_token: 1_000_000,
    },
  });
  workspaceId = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  dirs.cleanup();
}, 60_000);

/** mulberry32: a small deterministic PRNG, so a failure reproduces with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Expect = { kind: 'answer' } | { kind: 'close'; code: number };
interface HostileFrame {
  family: string;
  data: string | Buffer;
  /** A text frame made of these bytes (not valid UTF-8). */
  rawText?: boolean;
  expect: Expect;
}

const ANSWER: Expect = { kind: 'answer' };
const WRITES = ['workspace/create', 'thread/start', 'turn/start', 'secret/set', 'auth/token/create', 'turn/event/append', 'thread/folder/create'];

function generator(seed: number) {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  let nextId = 1;
  const id = () => nextId++;
  const valid = () => ({ jsonrpc: '2.0', id: id(), method: pick(WRITES), params: { workspace_id: workspaceId, name: 'n', title: 't' } });
  /** A params object every write method refuses: a field of the wrong type beside the real ones. */
  const badParams = () => ({ workspace_id: workspaceId, name: pick([42, null, '', ' ', ['x']]), title: pick([7, {}, '']), [`extra_${int(1000)}`]: true });
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  const families: Array<() => HostileFrame> = [
    () => ({ family: 'bad_json', data: pick(['{', '}', '{"jsonrpc":"2.0",', "{'a':1}", 'nul', 'tru', '[1,2', '{"a":}', '"unterminated', '{"id":1,"method":"x"', junk(1 + int(40))]), expect: ANSWER }),
    () => {
      const text = JSON.stringify(valid());
      return { family: 'truncated_json', data: text.slice(0, 1 + int(text.length - 2)), expect: ANSWER };
    },
    () => ({ family: 'wrong_jsonrpc', data: JSON.stringify({ ...valid(), jsonrpc: pick([2, 2.0, '1.0', null, [], {}, '2.0 ', true]) }), expect: ANSWER }),
    () => ({ family: 'wrong_id', data: JSON.stringify({ ...valid(), id: pick([{}, [], true, false, { a: 1 }, 'x'.repeat(257)]) }), expect: ANSWER }),
    () => ({ family: 'wrong_method', data: JSON.stringify({ ...valid(), method: pick([42, '', null, [], {}, true, 'x'.repeat(201)]) }), expect: ANSWER }),
    () => ({ family: 'wrong_params', data: JSON.stringify({ ...valid(), params: pick(['str', 5, [], null, true, [{ workspace_id: workspaceId }]]) }), expect: ANSWER }),
    () => ({ family: 'bad_params', data: JSON.stringify({ ...valid(), params: badParams() }), expect: ANSWER }),
    () => {
      // Text spliced in, as a JSON number token JSON.stringify cannot write.
      const where = pick(['id', 'limit', 'after_seq', 'workspace_id', 'expires_in_seconds']);
      const number = pick(['1e400', '-1e400', '18446744073709551616', '1.5', '-0', '1e-400', '123456789012345678901234567890']);
      const method = where === 'after_seq' ? 'sync/resume' : where === 'expires_in_seconds' ? 'auth/token/create' : pick(['workspace/list', 'thread/list', 'workspace/create']);
      if (where === 'id') {
        // An id of 1e400 is Infinity once parsed (refused); a finite huge id is a fine id, so the method is refused instead.
        return { family: 'huge_number', data: `{"jsonrpc":"2.0","id":${number},"method":"nope/${int(100)}","params":{}}`, expect: ANSWER };
      }
      const extra = where === 'after_seq' ? `,"workspace_id":"ws-hostile-missing"` : where === 'expires_in_seconds' ? `,"workspace_ids":[]` : where === 'workspace_id' ? '' : `,"bogus":1`;
      return { family: 'huge_number', data: `{"jsonrpc":"2.0","id":${id()},"method":"${method}","params":{"${where}":${number}${extra}}}`, expect: ANSWER };
    },
    () => {
      const depth = MAX_DEPTH + 1 + int(pick([4, 100, 5000]));
      const inParams = random() < 0.5;
      const data = inParams ? `{"jsonrpc":"2.0","id":${id()},"method":"workspace/list","params":{"a":${deep(depth)}}}` : deep(depth);
      return { family: 'deep_nesting', data, expect: ANSWER };
    },
    () => ({
      family: 'unknown_method',
      data: JSON.stringify({ jsonrpc: '2.0', id: id(), method: pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'workspace/', '/', 'workspace//create', 'WORKSPACE/CREATE', `x/${junk(8)}`, 'workspace/create ', ' workspace/create']), params: {} }),
      expect: ANSWER,
    }),
    () => {
      // Long strings inside the frame limit: params refused by their schema (each field has a length limit).
      const size = pick([Math.max(LIMITS.nameLength, LIMITS.titleLength, LIMITS.turn.searchQueryLength) + 1, 10_000, MAX_MESSAGE_BYTES - 1_000]);
      const method = pick(['workspace/create', 'thread/start', 'thread/search']);
      const params = method === 'workspace/create' ? { name: 'n'.repeat(size) } : method === 'thread/start' ? { workspace_id: workspaceId, title: 't'.repeat(size) } : { workspace_id: workspaceId, query: 'q'.repeat(size) };
      return { family: 'long_string', data: JSON.stringify({ jsonrpc: '2.0', id: id(), method, params }), expect: ANSWER };
    },
    () => ({ family: 'oversize_frame', data: JSON.stringify({ jsonrpc: '2.0', id: id(), method: 'workspace/create', params: { name: 'n'.repeat(MAX_MESSAGE_BYTES + int(4096)) } }), expect: { kind: 'close', code: 1009 } }),
    () => {
      const kind = int(4);
      if (kind === 0) return { family: 'batch_empty', data: '[]', expect: ANSWER };
      if (kind === 1) return { family: 'batch_oversize', data: JSON.stringify(Array.from({ length: MAX_BATCH + 1 + int(50) }, () => valid())), expect: ANSWER };
      // Mixed: every entry malformed or refused, in many shapes; at least one carries an id.
      const entries: unknown[] = [{ ...valid(), params: badParams() }];
      for (let i = int(MAX_BATCH - 1); i > 0; i--) {
        entries.push(
          pick<() => unknown>([
            () => 1,
            () => 'str',
            () => null,
            () => [],
            () => ({}),
            () => ({ jsonrpc: '2.0', id: id(), method: `nope/${int(9)}` }),
            () => ({ jsonrpc: '1.0', id: id(), method: 'workspace/create', params: { name: 'x' } }),
            () => ({ ...valid(), params: badParams() }),
            () => ({ jsonrpc: '2.0', id: id(), result: { forged: true } }),
            () => ({ jsonrpc: '2.0', id: {}, method: 'workspace/create', params: { name: 'x' } }),
          ])(),
        );
      }
      return { family: 'batch_mixed', data: JSON.stringify(entries), expect: ANSWER };
    },
    () => {
      const bytes = pick([
        [0xff, 0xfe, 0xfd],
        [0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d],
        [0xed, 0xa0, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0x80],
      ]);
      return { family: 'invalid_utf8', data: Buffer.from(bytes), rawText: true, expect: { kind: 'close', code: 1007 } };
    },
    () => ({ family: 'binary', data: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), expect: { kind: 'close', code: 1003 } }),
    () => {
      const key = pick(['__proto__', 'constructor', 'prototype']);
      const polluted = `{"${key}":{"polluted":true,"prototype":{"polluted":true}},"name":"pp-${id()}"}`;
      const method = pick(['workspace/create', 'thread/start', 'auth/token/create']);
      const params = method === 'thread/start' ? polluted.replace('"name"', `"workspace_id":"${workspaceId}","title"`) : polluted;
      return { family: 'prototype_pollution', data: `{"jsonrpc":"2.0","id":${id()},"method":"${method}","params":${params},"${key}":{"polluted":true}}`, expect: ANSWER };
    },
  ];
  /** How often each family comes up (closing and oversize ones rarer: each costs a reconnect or 64 KiB). */
  const weights = [8, 8, 6, 6, 6, 6, 8, 6, 5, 5, 2, 1, 6, 1, 1, 5];
  const total = weights.reduce((a, b) => a + b, 0);
  return (): HostileFrame => {
    let r = random() * total;
    for (const [i, w] of weights.entries()) {
      if ((r -= w) < 0) return families[i]!();
    }
    return families[0]!();
  };
}

interface Tally {
  answers: number;
  closes: number;
  byFamily: Map<string, number>;
  successes: Array<{ family: string; answer: RpcAnswer }>;
  wrong: string[];
}

/** One worker: its own connection, one frame at a time, reconnecting after a close. */
async function worker(frames: HostileFrame[], tally: Tally, deadline: number): Promise<void> {
  let socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
  for (const frame of frames) {
    if (Date.now() > deadline) throw new Error('the hostile loop ran past its deadline');
    tally.byFamily.set(frame.family, (tally.byFamily.get(frame.family) ?? 0) + 1);
    const before = socket.frames.length;
    if (frame.rawText) socket.socket.send(frame.data, { binary: false });
    else socket.send(frame.data);
    if (frame.expect.kind === 'answer') {
      await socket.waitFor(() => socket.frames.length > before || socket.closed, 20_000);
      if (socket.frames.length <= before) {
        tally.wrong.push(`${frame.family}: closed ${socket.closed?.code} instead of an answer: ${String(frame.data).slice(0, 120)}`);
        tally.closes++;
      } else {
        tally.answers++;
        const answer = socket.frames[before];
        for (const entry of Array.isArray(answer) ? (answer as RpcAnswer[]) : [answer as RpcAnswer]) {
          if (!entry.error) tally.successes.push({ family: frame.family, answer: entry });
        }
        if (socket.frames.length > before + 1) tally.wrong.push(`${frame.family}: more than one frame answered: ${JSON.stringify(socket.frames.slice(before)).slice(0, 600)}`);
      }
    } else {
      await socket.waitFor(() => socket.closed, 20_000);
      tally.closes++;
      if (socket.closed?.code !== frame.expect.code) tally.wrong.push(`${frame.family}: closed ${socket.closed?.code}, expected ${frame.expect.code}`);
      for (const answer of socket.answers.slice(before)) if (!answer.error) tally.successes.push({ family: frame.family, answer });
    }
    if (socket.closed) socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
  }
  await socket.close();
}

/**
 * A full collection when one can be had: jest does not expose `global.gc` (node would need
 * --expose-gc), but V8 can be told to expose it to contexts created afterwards. Without either,
 * the heaps compared hold garbage too, hence the generous bound below.
 */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
const gc = collector();

function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

describe('hostile input', () => {
  it(`answers ${FRAMES} malformed frames with errors or closes, creates nothing, and stays healthy`, async () => {
    const started = Date.now();
    const deadline = started + DEADLINE_MS;
    const next = generator(0xca1e);
    const all = Array.from({ length: FRAMES }, next);
    const workspacesBefore = await gateway.runtime.store.workspaces.list({ limit: 200 });
    const tokensBefore = await gateway.runtime.store.tokens.list({ limit: 200 });
    const tally: Tally = { answers: 0, closes: 0, byFamily: new Map(), successes: [], wrong: [] };
    const run = async (frames: HostileFrame[]) => {
      const shares = Array.from({ length: CONNECTIONS }, (_, w) => frames.filter((_, i) => i % CONNECTIONS === w));
      await Promise.all(shares.map((share) => worker(share, tally, deadline)));
    };

    // Warm up (JIT, validators compiled, caches filled), then measure the heap around the rest
    // (after a full collection when `gc` could be had, see `collector`).
    const warmup = 1_000;
    await run(all.slice(0, warmup));
    const heapBefore = heapAfterGc();
    await run(all.slice(warmup));
    const heapAfter = heapAfterGc();

    expect(tally.wrong).toEqual([]);
    expect(tally.successes).toEqual([]);
    expect(tally.answers + tally.closes).toBe(FRAMES);
    // Every family came up, closing ones included.
    expect([...tally.byFamily.keys()].sort()).toHaveLength(18);
    expect(tally.closes).toBeGreaterThan(0);
    // After a full collection the growth is well under 1 MiB here; without one, garbage counts too.
    expect(heapAfter - heapBefore).toBeLessThan((gc ? 16 : 64) * 1024 * 1024);

    // Nothing was created, nothing polluted.
    expect(await gateway.runtime.store.workspaces.list({ limit: 200 })).toEqual(workspacesBefore);
    expect((await gateway.runtime.store.tokens.list({ limit: 200 })).items).toHaveLength(tokensBefore.items.length);
    expect((await gateway.runtime.store.threads.list({ workspace_id: workspaceId })).items).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>)['polluted']).toBeUndefined();

    // Still healthy: /healthz, and a well-formed request succeeds.
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    expect(workspace.workspace_id).toBe(workspaceId);
    const created = await socket.call<{ workspace: { name: string } }>('workspace/create', { name: 'after the storm' });
    expect(created.workspace.name).toBe('after the storm');
    await socket.close();
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS);
  }, 120_000);
});
