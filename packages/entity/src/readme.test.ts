import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from './index.js';

// The README is the reference for this package: a runtime export that it does not mention
// fails here (type-only exports are checked by review).
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README.md', () => {
  it.each(Object.keys(api))('documents the export %s', (name) => {
    expect(readme).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
