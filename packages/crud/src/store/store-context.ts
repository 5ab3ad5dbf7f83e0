import { randomUUID } from 'node:crypto';
import { toCairnError } from '../errors/to-cairn-error.js';
import { redactString } from '../journal/secret-rules.js';
import type { PayloadRedactor } from '../journal/types.js';
import type { ReadContext, StoragePort, TryWriteResult, WriteContext, WriteWork } from '../port/types.js';

/** Statement access for reads and inside a write transaction: the storage port's contexts. */
export type { ReadContext, WriteContext };

/**
 * What every domain store of the facade shares. A new domain (`turns`, `tasks`) receives the
 * same context, so it reads and writes through the same storage port, whatever database is
 * under it.
 */
export interface StoreContext {
  /** The storage port under the store (its `dialect` for what differs per database). */
  readonly port: StoragePort;
  /**
   * Runs `fn` inside one read transaction: every statement in it sees the same committed
   * snapshot, never another transaction's uncommitted rows. `fn` awaits only its own
   * statements and never calls `read` or `write` itself (pass `q` down).
   */
  read<T>(fn: (q: ReadContext) => Promise<T>): Promise<T>;
  /** Runs `work` in a write transaction; resolves after COMMIT. `work` may run more than once (see `WriteWork`). */
  write<T>(work: WriteWork<T>): Promise<T>;
  /** The low-priority write for maintenance: `busy` at once instead of waiting for other writers. */
  tryWrite<T>(work: WriteWork<T>): Promise<TryWriteResult<T>>;
  /** Current time, ISO-8601 UTC with milliseconds. */
  now(): string;
  /** A new id for `prefix` (`ws`, `thr`, `fld`). */
  newId(prefix: string): string;
  /**
   * What free text a user or an agent names things with (thread titles and summaries) passes
   * before it is stored: the journal's built-in value rules, then the extra redactor (the
   * keystore's) if one was given.
   */
  redactText(text: string): string;
}

export interface StoreContextOptions {
  port: StoragePort;
  clock?: () => Date;
  newId?: (prefix: string) => string;
  /** The extra redactor of the journal (see `JournalOptions.redact`). */
  redact?: PayloadRedactor | undefined;
}

export function createStoreContext(options: StoreContextOptions): StoreContext {
  const { port } = options;
  const clock = options.clock ?? (() => new Date());
  return {
    port,
    async read(fn) {
      try {
        return await port.read(fn);
      } catch (error) {
        throw toCairnError(error);
      }
    },
    async write(work) {
      try {
        return await port.write(work);
      } catch (error) {
        throw toCairnError(error);
      }
    },
    async tryWrite(work) {
      try {
        return await port.tryWrite(work);
      } catch (error) {
        throw toCairnError(error);
      }
    },
    now: () => clock().toISOString(),
    newId: options.newId ?? ((prefix) => `${prefix}_${randomUUID()}`),
    redactText: (text) => {
      const redacted = redactString(text);
      const extra = options.redact?.(redacted);
      return typeof extra === 'string' ? extra : redacted;
    },
  };
}
