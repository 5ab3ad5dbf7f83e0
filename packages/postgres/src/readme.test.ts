import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from './index.js';
import { POSTGRES_ERROR_CODES } from './errors.js';

// The README is the reference for this package: a runtime export or an error code that it does
// not mention fails here (type-only exports are checked by review), and its example is the
// code example.int.test.ts runs against a real server.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it.each(Object.keys(api))('documents the export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it.each([...POSTGRES_ERROR_CODES])('documents the error code %s in the error table', (code) => {
    expect(readme).toContain(`| \`${code}\` |`);
  });

  it('shows the example that example.int.test.ts runs', () => {
    const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const documented = block!
      .split('\n')
      .filter((line) => !line.startsWith('import '))
      .join('\n')
      .trim();
    const test = readFileSync(join(import.meta.dirname, 'example.int.test.ts'), 'utf8');
    const region = /\/\/ README example start\n([\s\S]*?)\n\s*\/\/ README example end/.exec(test)?.[1];
    const ran = region!
      .split('\n')
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n')
      .trim();
    expect(documented).toBe(ran);
  });
});
