import { describe, expect, it } from '@jest/globals';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { migrationChecksum } from './checksum.js';

// Every SQLite database ever migrated stores these: adding the PostgreSQL SQL beside a
// migration must leave its SQLite checksum exactly as it was recorded.
const SQLITE_CHECKSUMS: Record<string, readonly string[]> = {
  gateway: [
    'ccc69e9526d0eb81feb876a4de2ae1585aa48003287105f4a1f6f6dd5e446314',
    '13bff598a439590a4f5bc9d9e655f4604554e109533c6c575e019572b1e58dfd',
    '23a4cb063f46af25caacc66c11ba4dca428f7d4dd2398026aba81e72add93739',
    'd316a585d71a2e28394f1f9b6f7afb8c09074ee44fd2f82f2fb18f314873cd5e',
    '61c55c1a8b3347469a70c5266f5ad7fde5e4db5bc51df2d24b7c9afe1c8045bb',
    '0f481fca27b2e0c23b44447abb60bda2d3ec3b9cd02b43312a4483eef03ea03a',
    '56c8f172c583488c9a7eb222a5ac85e812f41c25572d3a5268df0d4bd176264d',
    'a9d849f0fa7102026e54703592235dcbe6e61d4f4e357c89094ab10b25ff3704',
    '5566805a68952bd0346fc53523f98de8e5de418729540da696b6d0b31779e9a5',
    'bd3c8b16d689a6c77cac4db1a7bcca42d9018de49e6dca38c65d7ecfcc948eac',
    'b2bd67552bf4118a637b6bc3be896583f1536448d18ecfa39d64b6de2147a021',
  ],
  keystore: [
    '26b31faa7482bd577e05602b3b3dbb1dec18263303edf90a7d076d575cd1c1a1',
    '748647b557a416b23bc450537429354883961b748a314157e934d631ec58f497',
  ],
};

describe('frozen SQLite checksums', () => {
  it.each([gatewayMigrations, keystoreMigrations])('of $service are the ones recorded in existing files', (set) => {
    expect(set.migrations.map((m) => migrationChecksum(m))).toEqual(SQLITE_CHECKSUMS[set.service]!.slice(0, set.migrations.length));
  });
});
