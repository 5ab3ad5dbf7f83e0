import type pg from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { wrapPostgresError } from '../errors.js';
import { openedWith, poolOf } from '../open/pool.js';
import { createStatements, trimPreparedStatements, type PostgresStatements } from '../statements/statements.js';

/**
 * One pooled connection held for a while: the fast-path statements and a TypeORM
 * QueryRunner (and its manager) on that same connection, both in autocommit unless the
 * caller begins a transaction. What migrations and `withAdvisoryLock` use.
 */
export interface PostgresSession extends PostgresStatements {
  readonly queryRunner: QueryRunner;
  readonly manager: EntityManager;
}

/** A checked-out pg client plus what its holder must know when giving it back. */
export interface HeldConnection {
  client: pg.PoolClient;
  statements: PostgresStatements;
  /** Set when the socket failed while held: the client must not go back to the pool. */
  broken: Error | undefined;
  /** A TypeORM QueryRunner on this client, made on first use (the fast path never needs one). */
  queryRunner(): QueryRunner;
  /** Gives the client back, or destroys it when it broke, could not be trimmed, or `destroy` is passed. */
  release(destroy?: Error): Promise<void>;
}

/**
 * Takes a connection from the DataSource's pool. pg emits `error` on a checked-out client
 * whose socket dies; without a listener that would crash the process, so the holder keeps
 * one until release and then destroys the client instead of pooling it.
 */
export async function acquireConnection(dataSource: DataSource): Promise<HeldConnection> {
  const pool = poolOf(dataSource);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw wrapPostgresError(error, 'cannot get a connection');
  }
  const held: HeldConnection = {
    client,
    statements: createStatements(client, openedWith(dataSource).maxPrepared),
    broken: undefined,
    queryRunner: () => {
      runner ??= bindQueryRunner(dataSource, client);
      return runner;
    },
    release: async (destroy) => {
      if (released) return;
      released = true;
      if (runner && !runner.isReleased) await runner.release();
      let reason = destroy ?? held.broken;
      if (!reason && !(await trimPreparedStatements(client))) reason = new Error('prepared statements could not be deallocated');
      // Only now: the trim above still talks to the server, and the pool listens again once it has the client.
      client.removeListener('error', onError);
      client.release(reason ?? held.broken ?? undefined);
    },
  };
  let runner: QueryRunner | undefined;
  let released = false;
  const onError = (error: Error) => {
    held.broken ??= error;
  };
  client.on('error', onError);
  return held;
}

/**
 * A TypeORM QueryRunner that runs on a connection we hold, instead of taking its own from the
 * pool: so `manager` calls share the connection (and transaction) of the fast path. TypeORM's
 * runner uses `databaseConnection` when it is set; releasing it then only marks it released.
 */
function bindQueryRunner(dataSource: DataSource, client: pg.PoolClient): QueryRunner {
  const runner = dataSource.createQueryRunner('master');
  (runner as unknown as { databaseConnection: pg.PoolClient }).databaseConnection = client;
  return runner;
}

/** Runs `fn` on one pooled connection (autocommit), then gives the connection back. */
export async function withPostgresSession<T>(dataSource: DataSource, fn: (session: PostgresSession) => Promise<T>): Promise<T> {
  const held = await acquireConnection(dataSource);
  try {
    return await fn(sessionOf(held));
  } finally {
    // A session handed back inside a transaction (fn began one and threw) must not be pooled.
    await held.release(await leftInTransaction(held));
  }
}

export function sessionOf(held: HeldConnection): PostgresSession {
  return {
    ...held.statements,
    get queryRunner() {
      return held.queryRunner();
    },
    get manager() {
      return held.queryRunner().manager;
    },
  };
}

/**
 * The connection's transaction status from its last ReadyForQuery message (pg 8.23+:
 * `getTransactionStatus()`): `I` idle, `T` in a transaction, `E` in a failed one.
 */
export function transactionStatus(client: pg.ClientBase): 'I' | 'T' | 'E' | undefined {
  const status = (client as unknown as { getTransactionStatus?: () => string | null }).getTransactionStatus?.();
  return status === 'I' || status === 'T' || status === 'E' ? status : undefined;
}

/** An error (so the client is destroyed) when the connection is still inside a transaction or cannot answer. */
async function leftInTransaction(held: HeldConnection): Promise<Error | undefined> {
  if (held.broken) return held.broken;
  const known = transactionStatus(held.client);
  if (known !== undefined) return known === 'I' ? undefined : new Error('session left a transaction open');
  try {
    const status = await held.client.query<{ open: boolean }>(`SELECT now() <> statement_timestamp() AS open`);
    return status.rows[0]?.open ? new Error('session left a transaction open') : undefined;
  } catch (error) {
    return error as Error;
  }
}
