import { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { createPostgresKeystoreFixture } from '../testing/fixtures/postgres-keystore.js';
import { describeKeystoreContract } from '../testing/keystore-contract.js';
import { createTempHome } from '../testing/temp-home.js';

// The same suite as MemoryKeystore and SqliteKeystore, on a real PostgreSQL server: a fresh database per test.
describeKeystoreContract('PostgresKeystore (key file)', async ({ now }) => {
  const { home, cleanup } = createTempHome();
  const fixture = await createPostgresKeystoreFixture();
  const keystore = await fixture.open({ home, now, keySource: createFileMasterKeySource(home) });
  return {
    keystore,
    cleanup: async () => {
      await fixture.cleanup();
      cleanup();
    },
  };
});

describeKeystoreContract('PostgresKeystore (injected key)', async ({ now }) => {
  const fixture = await createPostgresKeystoreFixture();
  const keystore = await fixture.open({ now, keySource: createStaticMasterKeySource(MasterKey.generate()) });
  return { keystore, cleanup: () => fixture.cleanup() };
});
