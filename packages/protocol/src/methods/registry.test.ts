import { describe, expect, it } from '@jest/globals';
import { Type } from 'typebox';
import { METHODS, isMethodName } from './registry.js';
import { defineMethods, mergeMethodGroups } from './define-methods.js';
import { checkValue } from '../common/check-value.js';

const spec = { params: Type.Object({}), result: Type.Object({}) };

describe('mergeMethodGroups', () => {
  it('builds one table from the groups', () => {
    const table = mergeMethodGroups(defineMethods({ 'a/one': spec }), defineMethods({ 'b/two': spec, 'b/three': spec }));
    expect(Object.keys(table)).toEqual(['a/one', 'b/two', 'b/three']);
    expect(Object.isFrozen(table)).toBe(true);
  });

  it('throws on a name two groups declare, naming it', () => {
    const first = defineMethods({ 'a/one': spec, 'a/two': spec });
    const second = defineMethods({ 'a/two': { params: Type.Object({ x: Type.String() }), result: Type.Object({}) } });
    expect(() => mergeMethodGroups(first, second)).toThrow('duplicate method name: a/two is declared by two groups');
    expect(() => mergeMethodGroups(first, first)).toThrow(/duplicate method name: a\/one/);
  });
});

describe('METHODS registry', () => {
  it('declares the workspace, thread, turn and turn-record methods of PROTOCOL.md', () => {
    for (const name of [
      'workspace/list',
      'workspace/create',
      'workspace/get',
      'workspace/default',
      'thread/start',
      'thread/get',
      'thread/list',
      'thread/tree',
      'thread/move',
      'thread/fork',
      'thread/unsubscribe',
      'thread/folder/create',
      'thread/folder/move',
      'thread/folder/delete',
      'thread/history',
      'thread/search',
      'turn/start',
      'turn/cancel',
      'turn/get',
      'turn/items',
      'turn/timeline',
      'turn/event/append',
    ]) {
      expect(isMethodName(name)).toBe(true);
    }
    expect(isMethodName('thread/nope')).toBe(false);
    expect(isMethodName('toString')).toBe(false);
    expect(isMethodName(42)).toBe(false);
  });

  it('names every turn record operation turn/records/<record>/<verb>', () => {
    const records = Object.keys(METHODS).filter((name) => name.startsWith('turn/records/'));
    expect(records.length).toBeGreaterThanOrEqual(18);
    for (const name of records) expect(name).toMatch(/^turn\/records\/[a-z_]+\/[a-z_]+$/);
  });

  it('gives every method object schemas for params and result, and strict params', () => {
    for (const [name, method] of Object.entries(METHODS)) {
      expect({ name, params: method.params.type, result: method.result.type }).toEqual({ name, params: 'object', result: 'object' });
      // Params reject unknown fields, so a typo fails loudly; results may grow.
      expect({ name, additionalProperties: (method.params as { additionalProperties?: unknown }).additionalProperties }).toEqual({ name, additionalProperties: false });
    }
  });

  it('rejects malformed method names', () => {
    expect(() => defineMethods({ 'Bad Name': METHODS['workspace/get'] })).toThrow(/bad method name/);
  });

  it('rejects unknown params fields (typos fail loudly)', () => {
    expect(checkValue(METHODS['workspace/get'].params, { workspace_id: 'w1' }).ok).toBe(true);
    expect(checkValue(METHODS['workspace/get'].params, { workspace_id: 'w1', workspaceId: 'w1' }).ok).toBe(false);
  });
});
