import type { MigrationSet } from '../runner/types.js';
import { migration0001WorkspacesAndThreads } from './0001-workspaces-and-threads.js';
import { migration0002Journal } from './0002-journal.js';
import { migration0003Turns } from './0003-turns.js';
import { migration0004TurnRecords } from './0004-turn-records.js';
import { migration0005HeldText } from './0005-held-text.js';
import { migration0006JournalChainPerWorkspace } from './0006-journal-chain-per-workspace.js';
import { migration0007JournalRetention } from './0007-journal-retention.js';
import { migration0008AuthTokens } from './0008-auth-tokens.js';
import { migration0009Artifacts } from './0009-artifacts.js';
import { gatewayFingerprints, gatewayPostgresFingerprints } from './fingerprints.js';

/** The migrations of gateway.db's domain tables, in order. Append; never edit or reorder. */
export const gatewayMigrations: MigrationSet = {
  service: 'gateway',
  migrations: [migration0001WorkspacesAndThreads, migration0002Journal, migration0003Turns, migration0004TurnRecords, migration0005HeldText, migration0006JournalChainPerWorkspace, migration0007JournalRetention, migration0008AuthTokens, migration0009Artifacts],
  fingerprints: gatewayFingerprints,
  postgresFingerprints: gatewayPostgresFingerprints,
};
