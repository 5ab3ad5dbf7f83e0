import { randomUUID } from 'node:crypto';
import { SqliteStorageError, type SqliteStatements, type SqliteWriteCoordinator, type WriteContext } from '@cairn/sqlite';
import { toCairnError } from '../errors/to-cairn-error.js';
import { redactString } from '../journal/secret-rules.js';
import type { PayloadRedactor } from '../journal/types.js';

/** Statement access for reads: the synchronous subset of `WriteContext`. */
export type ReadContext = Pick<SqliteStatements, 'get' | 'all'>;

/** Statement access inside a write transaction (the coordinator's `WriteContext`). */
export type { WriteContext };

/**
 * What every domain store of the facade shares. A new domain (`turns`, `tasks`) receives the
 * same context, so it reads from the same snapshot connection and writes through the same
 * coordinator.
 */
export interface StoreContext {
  /**
   * Runs `fn` on the read-only connection inside one read transaction: every statement in it
   * sees the same committed snapshot, never another transaction's uncommitted rows. `fn` is
   * synchronous, so no other read can interleave with it on the shared connection.
   */
  read<T>(fn: (q: ReadContext) => T): Promise<T>;
  /** Runs `work` in the coordinator's write transaction; resolves after COMMIT. */
  write<T>(work: (ctx: WriteContext) => T | Promise<T>): Promise<T>;
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
  reader: SqliteStatements & { inTransaction(): boolean; isOpen(): boolean };
  coordinator: SqliteWriteCoordinator;
  clock?: () => Date;
  newId?: (prefix: string) => string;
  /** The extra redactor of the journal (see `JournalOptions.redact`). */
  redact?: PayloadRedactor | undefined;
}

export function createStoreContext(options: StoreContextOptions): StoreContext {
  const { reader, coordinator } = options;
  const clock = options.clock ?? (() => new Date());
  return {
    async read(fn) {
      try {
        if (!reader.isOpen()) throw new SqliteStorageError('closed', 'the store is closed');
        if (reader.inTransaction()) return fn(reader);
        reader.run('BEGIN');
        try {
          return fn(reader);
        } finally {
          reader.run('COMMIT');
        }
      } catch (error) {
        throw toCairnError(error);
      }
    },
    async write(work) {
      try {
        return await coordinator.write(work);
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
