import pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresStorageError, describeError, isPostgresStorageError, wrapPostgresError } from '../errors.js';
import { poolOf } from '../open/pool.js';

export interface PostgresNotifierOptions {
  dataSource: DataSource;
  /** The LISTEN/NOTIFY channel: 1-63 letters, digits and `_` (case matters). */
  channel: string;
  /** Backoff between reconnect attempts of a listener: `baseDelayMs · 2^n` capped at `maxDelayMs`. Defaults 100 and 5000. */
  reconnect?: { baseDelayMs?: number; maxDelayMs?: number };
}

export interface PostgresNotifier {
  readonly channel: string;
  /** `SELECT pg_notify(channel, payload)` on the pool, autocommit: call it after your commit. A payload is 1-7999 bytes. */
  notify(payload: string): Promise<void>;
  /**
   * Listens on a dedicated connection until the returned function is called. `onMessage('')`
   * means "resync": the connection was lost and is back, NOTIFYs sent meanwhile may be lost,
   * so re-read everything you watch. `onError` hears each loss (a `PostgresStorageError`).
   */
  listen(onMessage: (payload: string) => void, onError?: (error: PostgresStorageError) => void): Promise<() => Promise<void>>;
}

const CHANNEL = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const MAX_PAYLOAD_BYTES = 7999;

/**
 * LISTEN/NOTIFY as a wake-up signal, never as a source of data: PostgreSQL drops a
 * notification for a listener that is not connected, so a listener treats its reconnect as
 * "anything may have happened" and the caller re-reads its source of truth.
 */
export function createPostgresNotifier(options: PostgresNotifierOptions): PostgresNotifier {
  const { dataSource, channel } = options;
  if (!CHANNEL.test(channel)) {
    throw new PostgresStorageError('invalid_options', `channel must be an identifier of letters, digits and _ (at most 63), got ${JSON.stringify(channel)}`);
  }
  const baseDelayMs = options.reconnect?.baseDelayMs ?? 100;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 5000;
  return {
    channel,
    async notify(payload) {
      const bytes = Buffer.byteLength(payload, 'utf8');
      if (bytes === 0 || bytes > MAX_PAYLOAD_BYTES) {
        // '' is what a listener's reconnect delivers: refusing it keeps "resync" unambiguous.
        throw new PostgresStorageError('invalid_options', `a notification payload is 1-${MAX_PAYLOAD_BYTES} bytes, got ${bytes}`);
      }
      poolOf(dataSource);
      try {
        await dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
      } catch (error) {
        throw wrapPostgresError(error, `cannot notify ${channel}`);
      }
    },
    listen: (onMessage, onError) => startListener(dataSource, channel, { baseDelayMs, maxDelayMs }, onMessage, onError),
  };
}

async function startListener(
  dataSource: DataSource,
  channel: string,
  backoff: { baseDelayMs: number; maxDelayMs: number },
  onMessage: (payload: string) => void,
  onError: ((error: PostgresStorageError) => void) | undefined,
): Promise<() => Promise<void>> {
  poolOf(dataSource);
  let stopped = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  // A client of its own rather than a pooled one: it is held for the listener's lifetime, and
  // a pooled connection kept forever would shrink the pool the write path counts on.
  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client(clientConfig(dataSource));
    next.on('notification', (message) => {
      if (message.channel === channel && !stopped) onMessage(message.payload ?? '');
    });
    // Attached before connecting and kept (not `once`): pg may emit 'error' more than once, and
    // an 'error' with no listener would crash the process. Only the current client's count.
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, new Error('connection ended')));
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (error) {
      await next.end().catch(() => {});
      throw failure(error, 'cannot listen');
    }
    return next;
  };

  const lost = (which: pg.Client, error: unknown) => {
    if (stopped || which !== client) return;
    client = undefined;
    which.end().catch(() => {});
    onError?.(failure(error, 'listener connection lost'));
    schedule();
  };

  const schedule = () => {
    const delay = Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(failures, 20));
    failures++;
    timer = setTimeout(() => void reconnect(), delay);
    timer.unref();
  };

  const reconnect = async () => {
    timer = undefined;
    if (stopped) return;
    try {
      const next = await connect();
      if (stopped) return void (await next.end().catch(() => {}));
      client = next;
      failures = 0;
      // NOTIFYs sent while no connection listened are gone: tell the caller to re-read.
      onMessage('');
    } catch (error) {
      onError?.(error as PostgresStorageError);
      schedule();
    }
  };

  client = await connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const last = client;
    client = undefined;
    await last?.end().catch(() => {});
  };
}

/** The DataSource's own connection settings (openPostgresDatabase put them in `extra`), for a single client. */
function clientConfig(dataSource: DataSource): pg.ClientConfig {
  const options = dataSource.options as { extra?: pg.ClientConfig; connectTimeoutMS?: number };
  return { ...options.extra, connectionTimeoutMillis: options.connectTimeoutMS ?? 10_000 };
}

function failure(error: unknown, context: string): PostgresStorageError {
  const wrapped = wrapPostgresError(error, context);
  if (isPostgresStorageError(wrapped)) return wrapped;
  return new PostgresStorageError('connection_failed', `${context}: ${describeError(error)}`, { cause: error });
}
