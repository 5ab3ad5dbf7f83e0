import { describe, expect, it } from '@jest/globals';
import { formatSecretRef } from '@cairn/protocol';
import { MemoryKeystore } from '../memory/memory-keystore.js';
import { createSecretResolver } from './secret-resolver.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

describe('createSecretResolver', () => {
  it('resolves a ref at call time, seeing later sets', async () => {
    const ks = new MemoryKeystore();
    const resolver = createSecretResolver(ks);
    const ref = formatSecretRef('mcp', 'github token');
    await ks.set('mcp', 'github token', 'ghp_first_value');
    expect(await resolver.resolve(ref)).toBe('ghp_first_value');
    await ks.set('mcp', 'github token', 'ghp_second_value');
    expect(await resolver.resolve(ref)).toBe('ghp_second_value');
    expect(await resolver.resolve('secret://mcp/github token')).toBe('ghp_second_value');
  });

  it('answers not_found with the ref, and refuses malformed refs', async () => {
    const resolver = createSecretResolver(new MemoryKeystore());
    try {
      await resolver.resolve('secret://provider/missing');
      throw new Error('expected a rejection');
    } catch (error) {
      expect(error).toMatchObject({ code: 'not_found', details: { ref: 'secret://provider/missing' } });
    }
    expect(await resolver.resolveOptional('secret://provider/missing')).toBeUndefined();
    expect(await codeOf(resolver.resolve('sk-not-a-ref'))).toBe('invalid_params');
    expect(await codeOf(resolver.resolve('secret://provider/a%2Fb'))).toBe('invalid_secret_id');
  });
});
