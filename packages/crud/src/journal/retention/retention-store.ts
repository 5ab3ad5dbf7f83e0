import type { StoreContext } from '../../store/store-context.js';
import { readRetentionPoint, type RetentionPoint } from './read-archive.js';
import { recoverArchive, retainJournal, type RetainReport, type RetentionPort } from './retain-journal.js';
import type { RetentionPolicy } from './retention-policy.js';

export interface RetainParams extends RetentionPolicy {
  /** The instant `keepDays` counts back from. Default: the store's clock. */
  now?: Date;
}

/**
 * `store.retention`: moves old journal events to hash-linked archive segments under
 * `archiveDir` (default `<dir of gateway.db>/archive`). Nothing runs unless called: the
 * policy is off until the caller (the gateway, from `[retention]`) asks.
 */
export class RetentionStore {
  readonly #context: StoreContext;
  readonly archiveDir: string;

  constructor(context: StoreContext, archiveDir: string) {
    this.#context = context;
    this.archiveDir = archiveDir;
  }

  /** One retention run over every workspace (recovery of an interrupted run first). */
  retain(params: RetainParams): Promise<RetainReport> {
    const { now, ...policy } = params;
    return retainJournal(this.#port(), this.archiveDir, policy, now ?? new Date(this.#context.now()));
  }

  /** Completes or removes segments an interrupted run left; `openCrudStore` runs it at open. */
  recover(): Promise<RetainReport['recovered']> {
    return recoverArchive(this.#port(), this.archiveDir);
  }

  /** The workspace's retention point, if its oldest events left the journal. */
  point(workspaceId: string): Promise<RetentionPoint | undefined> {
    return this.#context.read((q) => readRetentionPoint(q, workspaceId));
  }

  #port(): RetentionPort {
    return { read: (fn) => this.#context.read(fn), write: (work) => this.#context.write(work) };
  }
}
