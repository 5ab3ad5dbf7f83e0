import type { MigrationSet } from '../runner/types.js';
import { migration0001KeystoreMetaAndSecret } from './0001-keystore-meta-and-secret.js';
import { migration0002JournalCheckpoint } from './0002-journal-checkpoint.js';
import { keystoreFingerprints, keystorePostgresFingerprints } from './fingerprints.js';

/** The service name keystore.db's migrations are recorded under. */
export const KEYSTORE_SERVICE = 'keystore';

/** The migrations of keystore.db, in order. Append; never edit or reorder. */
export const keystoreMigrations: MigrationSet = {
  service: KEYSTORE_SERVICE,
  migrations: [migration0001KeystoreMetaAndSecret, migration0002JournalCheckpoint],
  fingerprints: keystoreFingerprints,
  postgresFingerprints: keystorePostgresFingerprints,
};
