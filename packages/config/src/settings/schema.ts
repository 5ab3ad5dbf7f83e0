import { SecretRefString } from '@cairn/protocol';
import { Type, type Static } from 'typebox';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const ListenSettings = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1 }),
    port: Type.Integer({ default: 17878, minimum: 0, maximum: 65535 }),
  },
  { default: {}, additionalProperties: false },
);

export const StorageSettings = Type.Object(
  {
    synchronous: Type.Union([Type.Literal('NORMAL'), Type.Literal('FULL'), Type.Literal('EXTRA')], { default: 'NORMAL' }),
    busy_timeout_ms: Type.Integer({ default: 5000, minimum: 0, maximum: 60_000 }),
    /**
     * `PRAGMA quick_check` of gateway.db and keystore.db at every gateway start, before
     * migrating; `off` skips it (a very large database on slow storage: see the gateway README).
     */
    startup_check: Type.Union([Type.Literal('quick'), Type.Literal('off')], { default: 'quick' }),
    /**
     * A `postgres://` / `postgresql://` URL: the gateway keeps its state on that server instead
     * of SQLite in the home. Never with a password (refused: use `CAIRN_DATABASE_URL`, a
     * `.pgpass` file or `PGPASSWORD`). `CAIRN_DATABASE_URL` wins over it. See `resolveStorageBackend`.
     */
    database_url: Type.Optional(Type.String({ minLength: 1 })),
    /** The PostgreSQL schema that plays gateway.db's role (the keystore keeps `cairn_keystore`). */
    database_schema: Type.String({ default: 'public', pattern: '^[a-z_][a-z0-9_]{0,62}$' }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * Signed checkpoints of the journal's chain heads, kept in keystore.db (see crud's Journal
 * README): at start, every `every_events` events appended by this gateway or every
 * `every_seconds` (also catching other processes' appends), and at a clean shutdown. 0 turns
 * that trigger off; both 0 leaves only the start and shutdown checkpoints. Events after the
 * newest checkpoint are anchored nowhere, so the two bound what a truncation can hide.
 */
export const CheckpointSettings = Type.Object(
  {
    every_events: Type.Integer({ default: 1000, minimum: 0, maximum: 1_000_000 }),
    every_seconds: Type.Integer({ default: 60, minimum: 0, maximum: 86_400 }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * The journal's retention policy (see crud's Journal README): OFF unless `enabled`. Every
 * `every_seconds` the gateway moves, per workspace, the events that are BOTH older than
 * `keep_days` AND not among the newest `keep_events` into compressed, hash-linked archive
 * segments under `<home>/archive`, at most `segment_events` per segment. Reads and resyncs
 * before the retention point then answer `snapshot_required`.
 */
export const JournalRetentionSettings = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    keep_days: Type.Integer({ default: 90, minimum: 0, maximum: 36_500 }),
    keep_events: Type.Integer({ default: 10_000, minimum: 1 }),
    every_seconds: Type.Integer({ default: 3600, minimum: 1, maximum: 7 * 86_400 }),
    segment_events: Type.Integer({ default: 10_000, minimum: 1, maximum: 1_000_000 }),
  },
  { default: {}, additionalProperties: false },
);

export const LimitSettings = Type.Object(
  {
    max_message_bytes: Type.Integer({ default: 4 * MiB, minimum: 1 * KiB }),
    max_chunk_bytes: Type.Integer({ default: 1 * MiB, minimum: 1 * KiB, maximum: 16 * MiB }),
    upload_window_chunks: Type.Integer({ default: 8, minimum: 1, maximum: 64 }),
    upload_session_ttl_s: Type.Integer({ default: 24 * 3600, minimum: 60 }),
    inline_read_max_bytes: Type.Integer({ default: 256 * KiB, minimum: 1 }),
    /** Requests one connection may have in flight; the next is answered `rate_limited`. */
    max_in_flight_per_connection: Type.Integer({ default: 64, minimum: 1, maximum: 10_000 }),
    /** Sustained requests per second per token (a token bucket holding twice this); past it: `rate_limited`. */
    requests_per_second_per_token: Type.Integer({ default: 500, minimum: 1, maximum: 1_000_000 }),
    /** Open WebSocket connections the gateway accepts; the next handshake gets HTTP 503. */
    max_connections: Type.Integer({ default: 1024, minimum: 1, maximum: 100_000 }),
    /** Requests one JSON-RPC batch may hold. */
    max_batch_requests: Type.Integer({ default: 100, minimum: 1, maximum: 10_000 }),
    /** Deepest nesting of arrays and objects a frame may have. */
    max_json_depth: Type.Integer({ default: 64, minimum: 4, maximum: 1000 }),
    /**
     * Bytes of notifications queued for one slow connection before the gateway stops sending
     * and closes it with 4000 `resync_required` (the client reconnects and resumes from its
     * last `seq`), so a slow consumer costs bounded memory.
     */
    notification_buffer_bytes: Type.Integer({ default: 8 * MiB, minimum: 64 * KiB }),
    /**
     * How often the watched workspaces are re-read for commits by other processes, ms; 0: never.
     * On PostgreSQL, LISTEN/NOTIFY wakes other gateways at once and this only covers a lost NOTIFY.
     */
    notify_poll_ms: Type.Integer({ default: 1000, minimum: 0 }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * Who runs a turn that `turn/start` opens. `builtin`: the deterministic built-in runtime (streams
 * an agent message, opens and completes one tool item, completes the turn), so the whole flow
 * works with no model key. `external`: the gateway only records `turn.started`; a runtime
 * outside reports the rest through `turn/event/append`.
 */
export const AgentSettings = Type.Object(
  {
    runtime: Type.Union([Type.Literal('builtin'), Type.Literal('external')], { default: 'builtin' }),
    /** Pause between the built-in runtime's streamed deltas, ms (0: none). */
    builtin_delta_interval_ms: Type.Integer({ default: 20, minimum: 0, maximum: 10_000 }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * What a workspace's artifacts may hold. Exceeding one is `quota_exceeded` (nothing written);
 * crossing `warn_at_fraction` of a workspace quota emits `workspace/quota/warning`.
 */
export const QuotaSettings = Type.Object(
  {
    /** Largest single artifact version. */
    max_artifact_bytes: Type.Integer({ default: 512 * MiB, minimum: 0 }),
    /** Bytes of distinct blobs one workspace stores (identical bytes count once). */
    workspace_artifact_bytes: Type.Integer({ default: 10 * GiB, minimum: 0 }),
    /** Artifacts (not deleted) one workspace holds. */
    workspace_artifact_files: Type.Integer({ default: 100_000, minimum: 0 }),
    warn_at_fraction: Type.Number({ default: 0.8, minimum: 0, maximum: 1 }),
  },
  { default: {}, additionalProperties: false },
);

export const RetentionSettings = Type.Object(
  {
    llm_context_ttl_days: Type.Integer({ default: 7, minimum: 0 }),
    journal_resync_days: Type.Integer({ default: 30, minimum: 1 }),
  },
  { default: {}, additionalProperties: false },
);

/** What capture leaves out of a workspace scan: directory names, file names, and `*` globs on a file name. */
export const DEFAULT_CAPTURE_IGNORE = ['.git', 'target', 'node_modules', 'dist', 'build', '.next', '.cache', '.DS_Store', '*.tmp', '*.swp', '*~'] as const;

/**
 * What becomes an artifact without being asked (the artifact service's capture sessions):
 * user uploads, files a turn creates in a workspace root (and, when enabled, files it
 * modifies), generated media, tool outputs and task results; bounded per turn.
 */
export const CaptureSettings = Type.Object(
  {
    user_uploads: Type.Boolean({ default: true }),
    new_workspace_files: Type.Boolean({ default: true }),
    modified_workspace_files: Type.Boolean({ default: false }),
    generated_media: Type.Boolean({ default: true }),
    /** Whether tool outputs above the inline limit are captured as artifacts. */
    tool_outputs: Type.Boolean({ default: true }),
    task_results: Type.Boolean({ default: true }),
    /** Whether agent messages above the inline limit are captured as artifacts. */
    agent_messages: Type.Boolean({ default: false }),
    max_files_per_turn: Type.Integer({ default: 32, minimum: 0, maximum: 100_000 }),
    /** A larger file is left out of capture (reported, not an error). */
    max_file_bytes: Type.Integer({ default: 50 * MiB, minimum: 0 }),
    max_turn_bytes: Type.Integer({ default: 128 * MiB, minimum: 0 }),
    /** Replaces the default list when given. */
    ignore: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { default: [...DEFAULT_CAPTURE_IGNORE], maxItems: 1000 }),
  },
  { default: {}, additionalProperties: false },
);

/**
 * Where artifact bytes live and when GC may reclaim them. `root` defaults to
 * `<home>/artifacts` (`resolveArtifactsRoot`); an absolute path may be outside the home (a
 * share several gateways on one PostgreSQL use), a relative one is taken from the home.
 */
export const ArtifactSettings = Type.Object(
  {
    root: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** An unreferenced blob younger than this is never collected (an ingest may be about to reference it). */
    gc_grace_hours: Type.Number({ default: 24, minimum: 0, maximum: 24 * 3650 }),
  },
  { default: {}, additionalProperties: false },
);

export const ProviderSettings = Type.Object(
  {
    base_url: Type.Optional(Type.String({ format: 'uri' })),
    /** A credential in settings is always a ref into the keystore (`secret://<service>/<id>`), never the value. */
    api_key: Type.Optional(SecretRefString),
  },
  { additionalProperties: false },
);

export const GatewaySettingsSchema = Type.Object(
  {
    listen: ListenSettings,
    storage: StorageSettings,
    checkpoints: CheckpointSettings,
    journal_retention: JournalRetentionSettings,
    limits: LimitSettings,
    quotas: QuotaSettings,
    retention: RetentionSettings,
    capture: CaptureSettings,
    artifacts: ArtifactSettings,
    agent: AgentSettings,
    /** How long a SIGTERM waits for in-flight requests and turns before closing anyway, ms. */
    shutdown_timeout_ms: Type.Integer({ default: 10_000, minimum: 0, maximum: 600_000 }),
    log_level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    providers: Type.Record(Type.String({ pattern: '^[a-z0-9_-]{1,64}$' }), ProviderSettings, { default: {} }),
  },
  { additionalProperties: false },
);

export type GatewaySettings = Static<typeof GatewaySettingsSchema>;
