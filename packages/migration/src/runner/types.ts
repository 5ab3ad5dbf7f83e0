/**
 * One frozen step of a service's schema. `up` and `down` are literal SQL statements written
 * when the migration was added and never edited afterwards (the runner refuses an applied
 * migration whose checksum changed). Migrations never import entity classes: an entity
 * describes today's schema, a migration must keep describing the schema of its day.
 */
export interface Migration {
  /** 1, 2, 3, ... contiguous within a service. */
  readonly version: number;
  /** snake_case, e.g. `workspaces_and_threads`. */
  readonly name: string;
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/** The migrations of one service (`gateway`, `keystore`, ...). Several services may share one file. */
export interface MigrationSet {
  readonly service: string;
  readonly migrations: readonly Migration[];
  /**
   * The frozen schema fingerprint of each version (`schemaFingerprint` of what versions 1..v
   * make), checked against live files by `checkSchemaFingerprint`. FROZEN like the migrations:
   * add one per new version, never edit one (the fingerprint test prints the value to paste).
   */
  readonly fingerprints?: Readonly<Record<number, string>>;
}
