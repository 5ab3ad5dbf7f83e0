/** The databases the runner can migrate. */
export type Dialect = 'sqlite' | 'postgres';

/** One direction pair of frozen SQL for one dialect. */
export interface DialectSql {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * One frozen step of a service's schema. `up` and `down` are literal SQL statements written
 * when the migration was added and never edited afterwards (the runner refuses an applied
 * migration whose checksum changed). Migrations never import entity classes: an entity
 * describes today's schema, a migration must keep describing the schema of its day.
 *
 * `up`/`down` are the SQLite SQL (their checksum is recorded in every SQLite database ever
 * migrated, so they keep their place); `postgres` is the same step for PostgreSQL, checksummed
 * on its own. One version sequence per service: version N is the same schema on both.
 */
export interface Migration {
  /** 1, 2, 3, ... contiguous within a service. */
  readonly version: number;
  /** snake_case, e.g. `workspaces_and_threads`. */
  readonly name: string;
  /** SQLite. */
  readonly up: readonly string[];
  /** SQLite. */
  readonly down: readonly string[];
  /** PostgreSQL. A set runs on PostgreSQL only if every migration has it (`unsupported_database` otherwise). */
  readonly postgres?: DialectSql;
}

/** The migrations of one service (`gateway`, `keystore`, ...). Several services may share one file. */
export interface MigrationSet {
  readonly service: string;
  readonly migrations: readonly Migration[];
  /**
   * The frozen SQLite schema fingerprint of each version (`schemaFingerprint` of what versions
   * 1..v make), checked against live files by `checkSchemaFingerprint`. FROZEN like the
   * migrations: add one per new version, never edit one (the fingerprint test prints the value
   * to paste).
   */
  readonly fingerprints?: Readonly<Record<number, string>>;
  /** The same for PostgreSQL: what versions 1..v make in the migrated schema. FROZEN. */
  readonly postgresFingerprints?: Readonly<Record<number, string>>;
}
