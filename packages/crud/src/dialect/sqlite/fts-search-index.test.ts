import { describe, expect, it } from '@jest/globals';
import { toFtsQuery } from './fts-search-index.js';

describe('toFtsQuery', () => {
  it('quotes every word (all must match) and lets the last one match as a prefix', () => {
    expect(toFtsQuery('deploy staging')).toBe('"deploy" "staging"*');
    expect(toFtsQuery('Déployer')).toBe('"Déployer"*');
  });

  it('cannot be a syntax error or an operator: quotes, NEAR, column filters and stars are just text', () => {
    expect(toFtsQuery('"unbalanced')).toBe('"unbalanced"*');
    expect(toFtsQuery('NEAR(a b) OR body:x*')).toBe('"NEAR" "a" "b" "OR" "body" "x"*');
    expect(toFtsQuery('  ^*:() ')).toBeNull();
  });
});
