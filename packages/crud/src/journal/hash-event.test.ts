import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, hashEvent, hashEventV1, type HashedFields } from './hash-event.js';

const base: HashedFields = {
  position: 1,
  recordedAt: '2025-01-01T00:00:00.000Z',
  workspaceId: 'ws_1',
  workspaceSeq: 1,
  streamType: 'turn',
  streamId: 'turn_1',
  streamSeq: 1,
  type: 'turn.started',
  idempotencyKey: null,
  payload: '{}',
  prevHash: GENESIS_HASH,
  threadId: null,
};

describe('hashEvent', () => {
  it('is a hex SHA-256 over the tagged, length-prefixed fields, the thread id after the stream', () => {
    const expected = createHash('sha256')
      .update(
        '16:cairn.journal.v2,1:1,24:2025-01-01T00:00:00.000Z,4:ws_1,1:1,4:turn,6:turn_1,1:1,-,12:turn.started,-,2:{},' +
          `64:${GENESIS_HASH},`,
      )
      .digest('hex');
    expect(hashEvent(base)).toBe(expected);
    const withThread = createHash('sha256')
      .update(
        '16:cairn.journal.v2,1:1,24:2025-01-01T00:00:00.000Z,4:ws_1,1:1,4:turn,6:turn_1,1:1,5:thr_1,12:turn.started,-,2:{},' +
          `64:${GENESIS_HASH},`,
      )
      .digest('hex');
    expect(hashEvent({ ...base, threadId: 'thr_1' })).toBe(withThread);
  });

  it('keeps the v1 encoding (no thread id, its own tag) for rows written before migration 0006', () => {
    const expected = createHash('sha256')
      .update(
        '16:cairn.journal.v1,1:1,24:2025-01-01T00:00:00.000Z,4:ws_1,1:1,4:turn,6:turn_1,1:1,12:turn.started,-,2:{},' +
          `64:${GENESIS_HASH},`,
      )
      .digest('hex');
    expect(hashEventV1(base)).toBe(expected);
    expect(hashEvent(base)).not.toBe(expected);
  });

  it('tells apart rows whose fields concatenate to the same text', () => {
    // Without length prefixes both rows would hash "turn" + "ab" + "c.d" = "turnabc.d".
    const a = hashEvent({ ...base, streamId: 'ab', type: 'c.d' });
    const b = hashEvent({ ...base, streamId: 'abc', type: '.d' });
    expect(a).not.toBe(b);
    // A number moving between adjacent fields: seq 11 + stream "1x" vs seq 1 + stream "11x".
    expect(hashEvent({ ...base, workspaceSeq: 11, streamType: 'turn' })).not.toBe(hashEvent({ ...base, workspaceSeq: 1, streamType: '1turn' }));
    // A NULL idempotency key is not the empty string, nor the text "-".
    const none = hashEvent(base);
    expect(hashEvent({ ...base, idempotencyKey: '' })).not.toBe(none);
    expect(hashEvent({ ...base, idempotencyKey: '-' })).not.toBe(none);
    expect(hashEvent({ ...base, threadId: '' })).not.toBe(none);
    expect(hashEvent({ ...base, threadId: '-' })).not.toBe(none);
  });

  it('counts UTF-8 bytes, not UTF-16 units, in the prefixes', () => {
    const expected = createHash('sha256')
      .update(
        '16:cairn.journal.v2,1:1,24:2025-01-01T00:00:00.000Z,4:ws_1,1:1,4:turn,6:turn_1,1:1,-,12:turn.started,-,' +
          `13:{"t":"é€"},64:${GENESIS_HASH},`,
      )
      .digest('hex');
    expect(hashEvent({ ...base, payload: '{"t":"é€"}' })).toBe(expected);
  });

  it('changes with every field', () => {
    const changed: Array<Partial<HashedFields>> = [
      { position: 2 }, { recordedAt: '2025-01-01T00:00:00.001Z' }, { workspaceId: 'ws_2' }, { workspaceSeq: 2 },
      { streamType: 'task' }, { streamId: 'turn_2' }, { streamSeq: 2 }, { type: 'turn.ended' }, { idempotencyKey: 'k' },
      { payload: '{"a":1}' }, { prevHash: 'f'.repeat(64) }, { threadId: 'thr_1' },
    ];
    const hashes = new Set([hashEvent(base), ...changed.map((c) => hashEvent({ ...base, ...c }))]);
    expect(hashes.size).toBe(changed.length + 1);
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys, drops whitespace and formats numbers one way', () => {
    expect(canonicalJson({ b: [1, { z: true, a: null }], a: 'x', c: 1e21, d: 0.1, e: -0, f: 100.0 })).toBe(
      '{"a":"x","b":[1,{"a":null,"z":true}],"c":1e+21,"d":0.1,"e":0,"f":100}',
    );
  });

  it('gives one text for equal values built in different orders', () => {
    expect(canonicalJson({ x: 1, y: { q: 2, p: 3 } })).toBe(canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
  });

  it('refuses a lone surrogate with invalid_params', () => {
    expect(() => canonicalJson({ s: '\ud800' })).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });
});
