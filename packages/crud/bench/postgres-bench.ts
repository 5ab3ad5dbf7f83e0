// Shared by the turn benches (not a bench itself): the PostgreSQL server they measure on.
//
// A real PostgreSQL 15 server from the installed binaries (tooling/postgres), started for the
// bench and stopped after it, on 127.0.0.1. Unlike the test server it keeps fsync and
// full_page_writes ON (a crash of the machine cannot corrupt it) and sets
// synchronous_commit=off: a commit does not wait for its WAL flush, the PostgreSQL analogue of
// SQLite's synchronous=NORMAL in WAL that the SQLite sides run with. Every side of a
// comparison runs on this one server, so the setting shifts both alike.
import { startPostgresServer, type PostgresTestServer } from '@cairn/tooling/postgres/server';

export const BENCH_POSTGRES_SETTINGS = { fsync: 'on', full_page_writes: 'on', synchronous_commit: 'off' } as const;

/** The server, or why there is none (no PostgreSQL binaries here): the bench then reports its SQLite figures only. */
export async function startBenchPostgres(): Promise<{ server: PostgresTestServer } | { skipped: string }> {
  try {
    return { server: await startPostgresServer({ settings: { ...BENCH_POSTGRES_SETTINGS } }) };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

/**
 * Runs a bench's PostgreSQL side on a server started for it and stopped after it, the
 * server's settings added to the figures. Without PostgreSQL binaries here: `{ [headline]:
 * null, postgres_skipped }`, and the bench reports its SQLite figures only.
 */
export async function withBenchPostgres(headline: string, side: (server: PostgresTestServer) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const started = await startBenchPostgres();
  if ('skipped' in started) return { [headline]: null, postgres_skipped: started.skipped };
  try {
    return { ...(await side(started.server)), postgres_settings: BENCH_POSTGRES_SETTINGS };
  } finally {
    await started.server.stop();
  }
}

/** The lock the product's PostgreSQL dialect takes on a workspace, as the hand-written side must take it too. */
export const WORKSPACE_LOCK_SQL = "SELECT pg_advisory_xact_lock_shared(hashtextextended('cairn.ws', 0)), pg_advisory_xact_lock(hashtextextended('cairn.ws:' || ?, 0))";
