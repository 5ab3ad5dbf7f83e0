// The public surface of @cairn/crud: the store and its domain stores, and the extension
// points a new domain or stream needs (store context, event log contract, journal readers,
// redaction). The built-in projectors and the write paths behind the stores are internals.
export { openCrudStore, type OpenCrudStoreOptions } from './store/open-crud-store.js';
export { openPostgresCrudStore, type OpenPostgresCrudStoreOptions } from './store/open-postgres-crud-store.js';
export { assembleCrudStore, type AssembleOptions, type CrudStoreOptions } from './store/assemble-crud-store.js';
export { CrudStore, type CrudStoreParts, type SqliteCrudStore, type SqliteHandles, type PostgresCrudStore, type PostgresHandles } from './store/crud-store.js';
export { createStoreContext, type StoreContext, type StoreContextOptions } from './store/store-context.js';

// The storage port crud is written against, and what differs per database behind it.
export type { ReadContext, Row, Statements, StoragePort, TryWriteResult, WriteContext, WriteWork } from './port/types.js';
export type { Dialect } from './port/dialect.js';
export { createSqlitePort, createSqliteReadPort, type SqlitePortParts, type SqliteReadPort } from './port/sqlite-port.js';
export { sqliteDialect } from './dialect/sqlite/sqlite-dialect.js';
export { createPostgresPort, createPostgresReadPort, type PostgresPortParts, type PostgresStoragePort } from './port/postgres-port.js';
export { postgresDialect } from './dialect/postgres/postgres-dialect.js';
export { WorkspaceStore } from './workspace/workspace-store.js';
export { DEFAULT_WORKSPACE_NAME } from './workspace/ensure-default-workspace.js';
export { ThreadStore } from './thread/thread-store.js';
export type { ThreadStartOutcome } from './thread/start-thread.js';
export { touchThreadActivity } from './thread/touch-thread-activity.js';
export { FolderStore } from './folder/folder-store.js';
export { ArtifactStore } from './artifacts/artifact-store.js';
export { ArtifactProjector } from './artifacts/artifact-projector.js';
export { defaultProjectionKinds } from './artifacts/record-version.js';
export { toCairnError } from './errors/to-cairn-error.js';
export { parseParams } from './errors/parse-params.js';
export { decodeCursor, encodeCursor, toPage, type CursorKey } from './pagination/cursor.js';

// The event log: one append path for every stream; a stream is a registration.
export type {
  Applied,
  Decision,
  EventAppendResult,
  EventInput,
  EventLog,
  EventStream,
  Noop,
  NoopOutcome,
  ProjectionOutcome,
  Projector,
  Refusal,
} from './event-log/types.js';
export { createEventLog, type EventLogOptions } from './event-log/create-event-log.js';
export { EventStore } from './event-log/event-store.js';
export { NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, NOOP_DUPLICATE_TERMINAL, applied, violation } from './event-log/decision.js';
export { payloadOf, type PayloadOf } from './event-log/payload-of.js';
export { rebuildReadModels, type RebuildReport } from './repair/rebuild-read-models.js';

// The journal under it: reads, verification, redaction, hashing.
export type {
  AppendEvent,
  AppendResult,
  HeldTextGuard,
  Journal,
  JournalEvent,
  JournalEventInput,
  JournalOptions,
  JournalReader,
  PayloadRedactor,
  PendingEvent,
  ReadStreamOptions,
  StreamType,
  VerifyFailureReason,
  VerifyOptions,
  VerifyResult,
} from './journal/types.js';
export { createJournal } from './journal/create-journal.js';
export { readStream } from './journal/read-stream.js';
export { readWorkspaceAfter } from './journal/read-workspace-after.js';
export { readJournalAfter } from './journal/read-journal-after.js';
export { workspaceHead } from './journal/workspace-head.js';
export { verifyJournal } from './journal/verify-journal.js';
// Retention: old events to hash-linked archive segments (`store.retention`).
export { RetentionStore, type RetainParams } from './journal/retention/retention-store.js';
export type { RetainReport } from './journal/retention/retain-journal.js';
export type { RetentionPolicy } from './journal/retention/retention-policy.js';
export { readRetentionPoint, readArchivedEvents, type RetentionPoint } from './journal/retention/read-archive.js';
export { ARCHIVE_FORMAT, listSegments, readSegment, type ArchivedRow, type Segment, type SegmentFile, type SegmentHeader } from './journal/retention/archive-segment.js';
export type {
  ChainHead,
  CheckpointFinding,
  CheckpointFindingReason,
  CheckpointKind,
  CheckpointReport,
  CheckpointSink,
  CheckpointSource,
  CheckpointStore,
  RecordedCheckpoint,
  RestoreMarker,
  WorkspaceCheckpointStatus,
} from './journal/checkpoint-types.js';
export { readChainHeads, readChainLink } from './journal/chain-heads.js';
export { effectiveCheckpoints, type EffectiveCheckpoints, type WorkspaceCheckpoints } from './journal/effective-checkpoints.js';
export { verifyCheckpoints } from './journal/verify-checkpoints.js';
export {
  startJournalCheckpointer,
  type CheckpointOutcome,
  type JournalCheckpointOptions,
  type JournalCheckpointer,
} from './journal/journal-checkpointer.js';
export { redactPayload } from './journal/redact-payload.js';
export { REDACTED, isSecretKey, redactString } from './journal/secret-rules.js';
export { canonicalJson } from './journal/canonical-json.js';
export { idempotencyDigest } from './journal/idempotency-key.js';
export {
  GENESIS_HASH,
  JOURNAL_HASH_TAG,
  JOURNAL_HASH_TAG_V1,
  JOURNAL_HASH_VERSION,
  hashEvent,
  hashEventV1,
  type HashedFields,
  type HashedFieldsV1,
} from './journal/hash-event.js';
export { MAX_READ_LIMIT } from './journal/read-limit.js';

// Turns and what a turn records.
export { TurnStore } from './turns/turn-store.js';
export type { TurnEventAppendOneParams } from './turns/append-event.js';
export type { SearchDocument, SearchIndex, SearchQuery } from './search/search-index.js';
export { createSqliteFtsSearchIndex, toFtsQuery } from './dialect/sqlite/fts-search-index.js';
export { createPostgresSearchIndex, toTsQuery, foldSearchText } from './dialect/postgres/tsvector-search-index.js';
export { SearchStore } from './search/search-store.js';
export { TurnRecordsStore } from './turn-records/turn-records-store.js';
export { RecoveryJobStore } from './recovery-jobs/recovery-job-store.js';
export type { CompleteRecoveryJobInput, FailRecoveryJobInput, ReleaseRecoveryJobInput } from './recovery-jobs/settle-recovery-job.js';
export type { RearmClaimsReport } from './recovery-jobs/rearm-recovery-claims.js';
export { AttachmentStore } from './attachments/attachment-store.js';

// Bearer tokens (`store.tokens`).
export { TokenStore } from './auth/token-store.js';
export { TOKEN_SECRET_PREFIX, type TokenIssueParams, type TokenIssueResult } from './auth/issue-token.js';
export type { TokenListParams } from './auth/read-tokens.js';
export { RepairStore } from './repair/repair-store.js';
export { REPAIR_KINDS, type RepairKind } from './repair/repair-findings.js';
export { REPAIR_REASON, type RepairCount, type RepairOptions, type RepairReport } from './repair/repair-turns.js';
