import type { DataSource } from 'typeorm';
import type { SqliteWriteCoordinator } from '@cairn/sqlite';
import type { MigrationReport } from '@cairn/migration';
import { FolderStore } from '../folder/folder-store.js';
import { RepairStore } from '../repair/repair-store.js';
import { SearchStore } from '../search/search-store.js';
import type { JournalCheckpointer } from '../journal/journal-checkpointer.js';
import type { JournalOptions } from '../journal/types.js';
import type { TurnDeps } from '../turns/turn-deps.js';
import { createTurnStream } from '../turns/turn-stream.js';
import { TurnRecordsStore } from '../turn-records/turn-records-store.js';
import { TurnStore } from '../turns/turn-store.js';
import { ThreadStore } from '../thread/thread-store.js';
import { WorkspaceStore } from '../workspace/workspace-store.js';
import type { StoreContext } from './store-context.js';

export interface CrudStoreParts {
  context: StoreContext;
  dataSource: DataSource;
  readDataSource: DataSource;
  coordinator: SqliteWriteCoordinator;
  migration: MigrationReport;
  close: () => Promise<void>;
  /** Options of the one journal every turn-stream module shares (e.g. an extra redactor). */
  journalOptions?: Pick<JournalOptions, 'redact' | 'heldText' | 'onAppended'>;
  checkpoints?: JournalCheckpointer | undefined;
}

/**
 * The facade over gateway.db. One property per domain; a new domain adds its store class in
 * its own folder and one line here (`readonly turns = new TurnStore(this.context)`). Every
 * method takes the protocol's params object (snake_case, validated: `invalid_params`) and
 * returns plain protocol records, never entities.
 */
export class CrudStore {
  /** Shared by the domain stores: snapshot reads, coordinated writes, clock, ids. */
  readonly context: StoreContext;
  readonly workspaces: WorkspaceStore;
  readonly threads: ThreadStore;
  readonly folders: FolderStore;
  /** The journal, search index and projectors every turn-stream module shares. */
  readonly turnStream: TurnDeps;
  readonly turns: TurnStore;
  readonly search: SearchStore;
  readonly repair: RepairStore;
  /** Prompt manifests, skill/MCP bindings, retained LLM context, recovery jobs, attachments. */
  readonly turnRecords: TurnRecordsStore;

  /** The read-write DataSource. Writes must go through `coordinator`, never straight through this. */
  readonly dataSource: DataSource;
  /** The read-only DataSource that every read uses. */
  readonly readDataSource: DataSource;
  readonly coordinator: SqliteWriteCoordinator;
  /** What `openCrudStore` migrated. */
  readonly migration: MigrationReport;
  /** The journal's checkpointer, when the store was opened with `checkpoints`. */
  readonly checkpoints: JournalCheckpointer | undefined;
  readonly #close: () => Promise<void>;

  constructor(parts: CrudStoreParts) {
    this.context = parts.context;
    this.dataSource = parts.dataSource;
    this.readDataSource = parts.readDataSource;
    this.coordinator = parts.coordinator;
    this.migration = parts.migration;
    this.checkpoints = parts.checkpoints;
    this.#close = parts.close;
    this.workspaces = new WorkspaceStore(this.context);
    this.threads = new ThreadStore(this.context);
    this.folders = new FolderStore(this.context);
    this.turnStream = createTurnStream(this.context, { journalOptions: parts.journalOptions ?? {} });
    this.turns = new TurnStore(this.turnStream);
    this.search = new SearchStore(this.context, this.turnStream.search);
    this.repair = new RepairStore(this.turnStream);
    this.turnRecords = new TurnRecordsStore({ ...this.turnStream, coordinator: this.coordinator });
  }

  /** Waits for queued writes to commit, then closes both connections. Idempotent. */
  close(): Promise<void> {
    return this.#close();
  }
}
