import { describe, expect, it } from '@jest/globals';
import { toTsQuery } from './tsvector-search-index.js';

describe('toTsQuery', () => {
  it('folds like the generated column (NFD, accents dropped, lower case), all words must match, the last as a prefix', () => {
    expect(toTsQuery('deploy staging')).toBe("'deploy' & 'staging':*");
    expect(toTsQuery('Déployer ÉTÉ')).toBe("'deployer' & 'ete':*");
  });

  it('cannot be a syntax error or an operator: quotes, &, |, !, <->, :* are just separators', () => {
    expect(toTsQuery("it's a & b | !c <-> d:* 'x'")).toBe("'it' & 's' & 'a' & 'b' & 'c' & 'd' & 'x':*");
    expect(toTsQuery('  ^*:()&|! ')).toBeNull();
    expect(toTsQuery("\\' OR 1=1 --")).toBe("'or' & '1' & '1':*");
  });
});
