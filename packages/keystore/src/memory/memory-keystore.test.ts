import { describeKeystoreContract } from '../testing/keystore-contract.js';
import { MemoryKeystore } from './memory-keystore.js';

describeKeystoreContract('MemoryKeystore', async ({ now }) => {
  const keystore = new MemoryKeystore({ now });
  return { keystore, cleanup: () => keystore.close() };
});
