import { describe, expect, it } from '@jest/globals';
import { Type } from 'typebox';
import { Value } from 'typebox/value';

// Proves the ESM-only typebox 1.x resolves and runs under jest's native ESM + swc setup.
describe('typebox under jest (ESM)', () => {
  it('checks a value against a schema', () => {
    const Point = Type.Object({ x: Type.Number(), y: Type.Number() });
    expect(Value.Check(Point, { x: 1, y: 2 })).toBe(true);
    expect(Value.Check(Point, { x: 1, y: 'two' })).toBe(false);
  });
});
