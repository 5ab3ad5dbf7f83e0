import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, toPage } from './cursor.js';

describe('keyset cursor', () => {
  it('round-trips the key for the same filter, as base64url', () => {
    const cursor = encodeCursor('f', ['2025-01-01T00:00:00.000Z', 'thr_1']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'f')).toEqual(['2025-01-01T00:00:00.000Z', 'thr_1']);
  });

  it('refuses another filter, garbage, a wrong version or shape with invalid_params', () => {
    const cursor = encodeCursor('f', ['a', 'b']);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      () => decodeCursor(cursor, 'g'),
      () => decodeCursor('!!!', 'f'),
      () => decodeCursor(b64({ v: 2, f: 'f', k: ['a', 'b'] }), 'f'),
      () => decodeCursor(b64({ v: 1, f: 'f', k: ['a'] }), 'f'),
      () => decodeCursor(b64({ v: 1, f: 'f', k: ['a', 1] }), 'f'),
      () => decodeCursor(b64(null), 'f'),
      () => decodeCursor('x'.repeat(2000), 'f'),
    ]) {
      expect(bad).toThrow(expect.objectContaining({ name: 'CairnError', code: 'invalid_params' }));
    }
  });

  it('cuts a limit+1 fetch to a page and points the cursor at the last kept row', () => {
    const rows = [1, 2, 3, 4].map((n) => ({ k: `k${n}`, id: `i${n}` }));
    const page = toPage(rows, 3, (r) => r.id, (r) => [r.k, r.id], 'f');
    expect(page.items).toEqual(['i1', 'i2', 'i3']);
    expect(decodeCursor(page.next_cursor!, 'f')).toEqual(['k3', 'i3']);
    expect(toPage(rows.slice(0, 3), 3, (r) => r.id, (r) => [r.k, r.id], 'f').next_cursor).toBeNull();
    expect(toPage([], 3, (r: { id: string }) => r.id, () => ['', ''], 'f')).toEqual({ items: [], next_cursor: null });
  });
});
