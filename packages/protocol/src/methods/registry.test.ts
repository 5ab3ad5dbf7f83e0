import { describe, expect, it } from '@jest/globals';
import { METHOD_GROUPS, METHODS, isMethodName } from './registry.js';
import { defineMethods } from './define-methods.js';
import { checkValue } from '../common/check-value.js';

describe('METHODS registry', () => {
  it('holds every group and no name twice', () => {
    const names = METHOD_GROUPS.flatMap((group) => Object.keys(group));
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(METHODS).sort()).toEqual([...names].sort());
  });

  it('declares the workspace and thread methods of PROTOCOL.md', () => {
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
    ]) {
      expect(isMethodName(name)).toBe(true);
    }
    expect(isMethodName('thread/nope')).toBe(false);
    expect(isMethodName('toString')).toBe(false);
  });

  it('gives every method object schemas for params and result', () => {
    for (const [name, spec] of Object.entries(METHODS)) {
      expect({ name, params: spec.params.type }).toEqual({ name, params: 'object' });
      expect({ name, result: spec.result.type }).toEqual({ name, result: 'object' });
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
