// Through the public entry, as another implementation's tests would.
import { describeKeystoreContract } from '@cairn/keystore/testing';
import { MemoryKeystore } from './memory-keystore.js';

describeKeystoreContract('MemoryKeystore', async ({ now }) => {
  const keystore = new MemoryKeystore({ now });
  return { keystore, cleanup: () => keystore.close() };
});
