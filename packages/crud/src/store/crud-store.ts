import type { MigrationReport } from '@cairn/migration';
import { ArtifactProjector } from '../artifacts/artifact-projector.js';
import { ArtifactStore } from '../artifacts/artifact-store.js';
import { AttachmentStore } from '../attachments/attachment-store.js';
import { TokenStore } from '../auth/token-store.js';
import { createEventLog } from '../event-log/create-event-log.js';
import { EventStore } from '../event-log/event-store.js';
import type { EventStream } from '../event-log/types.js';
import { FolderStore } from '../folder/folder-store.js';
import { createJournal } from '../journal/create-journal.js';
import type { JournalOptions } from '../journal/types.js';
import { RetentionStore } from '../journal/retention/retention-store.js';
import { RecoveryJobProjector } from '../recovery-jobs/recovery-job-projector.js';
import { RecoveryJobStore } from '../recovery-jobs/recovery-job-store.js';
import { RepairStore } from '../repair/repair-store.js';
import { SearchStore } from '../search/search-store.js';
import type { JournalCheckpointer } from '../journal/journal-checkpointer.js';
import type { SqliteHandles } from '../port/sqlite-port.js';
import type { PostgresHandles } from '../port/postgres-port.js';
import type { StoragePort } from '../port/types.js';
import { ThreadStore } from '../thread/thread-store.js';
import { TurnRecordsProjector } from '../turn-records/turn-records-projector.js';
import { TurnRecordsStore } from '../turn-records/turn-records-store.js';
import { turnStream } from '../turns/turn-stream.js';
import { TurnStore } from '../turns/turn-store.js';
import { WorkspaceStore } from '../workspace/workspace-store.js';
import type { StoreContext } from './store-context.js';

export interface CrudStoreParts {
  /** Shared by the domain stores; its `port` is the storage under the store. */
  context: StoreContext;
  migration: MigrationReport;
  close: () => Promise<void>;
  /** Options of the one journal under the event log (an extra redactor, the held-text guard, the checkpointer's append hook). */
  journalOptions?: Pick<JournalOptions, 'redact' | 'heldText' | 'onAppended'>;
  /** Streams registered after the built-in ones (see `OpenCrudStoreOptions.streams`). */
  streams?: readonly EventStream[];
  checkpoints?: JournalCheckpointer | undefined;
  /** Where retention's archive segments live (`OpenCrudStoreOptions.archiveDir`). */
  archiveDir: string;
  /** Set by the SQLite opener. */
  sqlite?: SqliteHandles | undefined;
  /** Set by the PostgreSQL opener. */
  postgres?: PostgresHandles | undefined;
}

/**
 * The facade over gateway.db. One property per domain; a new domain adds its store class in
 * its own folder and one line here (`this.tasks = new TaskStore(...)`), and a new stream of
 * events one registration in the event log's list below, never a write path of its own.
 * Every method takes the protocol's params object (snake_case, validated: `invalid_params`)
 * and returns plain protocol records, never entities.
 */
export class CrudStore {
  /** Shared by the domain stores: snapshot reads, coordinated writes, clock, ids. */
  readonly context: StoreContext;
  /** The one event log (journal + every stream's projectors), built once here. */
  readonly events: EventStore;
  readonly workspaces: WorkspaceStore;
  readonly threads: ThreadStore;
  readonly folders: FolderStore;
  readonly turns: TurnStore;
  readonly search: SearchStore;
  readonly repair: RepairStore;
  /** Prompt manifests, skill/MCP bindings, retained LLM context. */
  readonly turnRecords: TurnRecordsStore;
  /** The recovery work queue (jobs opened by the turns' recovery events). */
  readonly recoveryJobs: RecoveryJobStore;
  /** Files a turn's input references (not journaled). */
  readonly attachments: AttachmentStore;
  /** The journal's retention: old events to archive segments (see the README's Journal section). */
  readonly retention: RetentionStore;
  /** Bearer tokens (`auth_token`): issued, authenticated by hash, listed, revoked. */
  readonly tokens: TokenStore;
  /** Artifact metadata: versions, bindings, projections (journaled, `artifact` stream); blob rows, upload sessions, external refs, usage. */
  readonly artifacts: ArtifactStore;

  /** The storage port every read and write goes through (`port.dialect`: what differs per database). */
  readonly port: StoragePort;
  /** SQLite's connections and coordinator when the store is on SQLite (`openCrudStore`), else undefined. */
  readonly sqlite: SqliteHandles | undefined;
  /** The DataSource and write path when the store is on PostgreSQL (`openPostgresCrudStore`), else undefined. */
  readonly postgres: PostgresHandles | undefined;
  /** What the opener migrated. */
  readonly migration: MigrationReport;
  /** The journal's checkpointer, when the store was opened with `checkpoints`. */
  readonly checkpoints: JournalCheckpointer | undefined;
  readonly #close: () => Promise<void>;

  constructor(parts: CrudStoreParts) {
    this.context = parts.context;
    this.port = parts.context.port;
    this.sqlite = parts.sqlite;
    this.postgres = parts.postgres;
    this.migration = parts.migration;
    this.checkpoints = parts.checkpoints;
    this.#close = parts.close;
    const { context } = this;
    const journal = createJournal({ now: () => context.now(), ...parts.journalOptions });
    const search = this.port.dialect.createSearchIndex();
    // The turn read models first, so the projectors after them see the turn as the event left it.
    const log = createEventLog({
      journal,
      streams: [
        turnStream({ journal, search }),
        { streamType: 'turn', projectors: [new TurnRecordsProjector(), new RecoveryJobProjector()] },
        // Thread lifecycle: the operations write the rows; the events are facts (`thread.started`, `thread.updated`).
        { streamType: 'thread', projectors: [] },
        // Artifact metadata: created, version_added, bound, deleted, restored, projection_updated (workspace.quota_warning: a fact, no table).
        { streamType: 'artifact', projectors: [new ArtifactProjector()] },
        ...(parts.streams ?? []),
      ],
    });
    this.events = new EventStore(context, log);
    this.workspaces = new WorkspaceStore(context);
    const threadDeps = { context, events: log };
    this.threads = new ThreadStore(threadDeps);
    this.folders = new FolderStore(threadDeps);
    const turnDeps = { context, events: log, search };
    this.turns = new TurnStore(turnDeps);
    this.search = new SearchStore(context, search);
    this.repair = new RepairStore(turnDeps, parts.archiveDir);
    this.retention = new RetentionStore(context, parts.archiveDir);
    this.turnRecords = new TurnRecordsStore({ context, events: log });
    this.recoveryJobs = new RecoveryJobStore({ context, redact: journal.redact });
    this.attachments = new AttachmentStore({ context, redact: journal.redact });
    this.tokens = new TokenStore(context);
    this.artifacts = new ArtifactStore({ context, events: log });
  }

  /** Waits for queued writes to commit, records the shutdown checkpoint, then closes the port. Idempotent. */
  close(): Promise<void> {
    return this.#close();
  }
}

/** What `openCrudStore` answers: a store on SQLite, its handles always there. */
export type SqliteCrudStore = CrudStore & { readonly sqlite: SqliteHandles };
export type { SqliteHandles };

/** What `openPostgresCrudStore` answers: a store on PostgreSQL, its handles always there. */
export type PostgresCrudStore = CrudStore & { readonly postgres: PostgresHandles };
export type { PostgresHandles };
