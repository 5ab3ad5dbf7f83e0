import { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { describeKeystoreContract } from '../testing/keystore-contract.js';
import { createTempHome } from '../testing/temp-home.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';

describeKeystoreContract('SqliteKeystore (key file)', async ({ now }) => {
  const { home, cleanup } = createTempHome();
  const keystore = await openSqliteKeystore({ home, now, keySource: createFileMasterKeySource(home) });
  return {
    keystore,
    cleanup: async () => {
      await keystore.close();
      cleanup();
    },
  };
});

describeKeystoreContract('SqliteKeystore (injected key)', async ({ now }) => {
  const { home, cleanup } = createTempHome();
  const keystore = await openSqliteKeystore({ home, now, keySource: createStaticMasterKeySource(MasterKey.generate()) });
  return {
    keystore,
    cleanup: async () => {
      await keystore.close();
      cleanup();
    },
  };
});
