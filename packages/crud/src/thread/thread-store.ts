import type {
  PageResult,
  Thread,
  ThreadForkParams,
  ThreadGetParams,
  ThreadListParams,
  ThreadMoveParams,
  ThreadRefParams,
  ThreadSandboxPolicySetParams,
  ThreadStartParams,
  ThreadStatusSetParams,
  ThreadSummaryUpdateParams,
  ThreadTree,
  ThreadTreeParams,
} from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import type { ThreadDeps } from './thread-events.js';
import { forkThread } from './fork-thread.js';
import { getThread } from './get-thread.js';
import { listThreads } from './list-threads.js';
import { moveThread } from './move-thread.js';
import { startThread, type ThreadStartOutcome } from './start-thread.js';
import { threadLineage } from './thread-lineage.js';
import { threadTree } from './thread-tree.js';
import { setThreadSandboxPolicy, setThreadStatus, updateThreadSummary } from './update-thread.js';

/**
 * `store.threads`: thread operations, each in its own file. Every change of a thread row is
 * journaled on the thread's stream in the same job (`thread.started`, `thread.updated`).
 */
export class ThreadStore {
  readonly #deps: ThreadDeps;
  readonly #store: StoreContext;

  constructor(deps: ThreadDeps) {
    this.#deps = deps;
    this.#store = deps.context;
  }

  start(params: ThreadStartParams): Promise<ThreadStartOutcome> {
    return startThread(this.#deps, params);
  }

  get(params: ThreadGetParams): Promise<Thread> {
    return getThread(this.#store, params);
  }

  list(params: ThreadListParams): Promise<PageResult<Thread>> {
    return listThreads(this.#store, params);
  }

  tree(params: ThreadTreeParams): Promise<ThreadTree> {
    return threadTree(this.#store, params);
  }

  move(params: ThreadMoveParams): Promise<Thread> {
    return moveThread(this.#deps, params);
  }

  fork(params: ThreadForkParams): Promise<Thread> {
    return forkThread(this.#deps, params);
  }

  /** Fork ancestors, nearest first. */
  lineage(params: ThreadRefParams): Promise<Thread[]> {
    return threadLineage(this.#store, params);
  }

  updateSummary(params: ThreadSummaryUpdateParams): Promise<Thread> {
    return updateThreadSummary(this.#deps, params);
  }

  setSandboxPolicy(params: ThreadSandboxPolicySetParams): Promise<Thread> {
    return setThreadSandboxPolicy(this.#deps, params);
  }

  setStatus(params: ThreadStatusSetParams): Promise<Thread> {
    return setThreadStatus(this.#deps, params);
  }
}
