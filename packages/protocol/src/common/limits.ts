const KiB = 1024;
const MiB = 1024 * KiB;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Every size and count limit of the protocol, in one table. The wire schemas read it, and
 * `crud` and the keystore re-check it for library callers that never pass through the
 * gateway. Changing a value is a protocol change. Limits every domain shares (ids, names,
 * pages) sit at the top; each domain's own limits sit in its section.
 */
export const LIMITS = {
  /** Client-suppliable ids (`workspace_id`, `thread_id`, `turn_id`, `attachment_id`, ...). */
  idLength: 128,
  nameLength: 200,
  titleLength: 500,
  summaryLength: 20_000,
  writableRoots: 64,
  pathLength: 4096,
  cursorLength: 1024,
  pageDefault: 50,
  pageMax: 500,
  /** Threads one `thread/tree` answer includes at most (the most recently active). */
  threadTreeMaxThreads: 2000,

  /** Turn events (`turn/event/append`, `turn/start`) and what they project into. */
  turn: {
    inputTextLength: 200_000,
    inputParts: 64,
    deltaLength: 64_000,
    itemTextLength: 1_000_000,
    /** A `TurnError`'s human message. */
    messageLength: 4_000,
    errorCodeLength: 100,
    reasonLength: 200,
    repairKindLength: 100,
    modelLength: 200,
    /** Attempts of one item, counting the first. */
    attemptMax: 1000,
    /** Events of one `turn/event/append` batch (one workspace, one transaction). */
    eventBatchMax: 256,
    idempotencyKeyLength: 256,
    /** An attachment input part's display name and media type. */
    attachmentNameLength: 500,
    attachmentMediaTypeLength: 255,
    /** Serialized JSON of one event's `payload` object. */
    payloadBytes: 256 * KiB,
    searchQueryLength: 500,
  },

  /** Turn records: prompt manifests, skill/MCP bindings, retained LLM context, recovery jobs, attachments. */
  turnRecords: {
    /** Redacted canonical JSON of one retained LLM context, in UTF-8 bytes. */
    llmContextMaxBytes: 16 * MiB,
    llmContextMaxMessages: 10_000,
    manifestMaxSkills: 256,
    manifestMaxTools: 1024,
    mcpMaxToolNames: 1024,
    mcpPolicyKeyLength: 256,
    toolNameLength: 256,
    versionLength: 128,
    fileNameLength: 255,
    mediaTypeLength: 255,
    errorMessageLength: 2000,
    /** A provider name (`openai`) and an error class (`rate_limited`). */
    providerLength: 128,
    errorClassLength: 128,
    /** A model name as the provider spells it. */
    modelLength: 256,
    /** A recovery claim's lease: at least 1 ms, at most one day. */
    leaseMaxMs: DAY_MS,
    /** Default and largest batch of one LLM-context prune pass. */
    pruneBatchDefault: 200,
    pruneBatchMax: 5000,
    /** How long a terminal turn's LLM context is kept: 7 days. */
    llmContextTtlDefaultMs: 7 * DAY_MS,
  },

  /** Bearer tokens (`auth/token/*`, `cairn token issue`). */
  auth: {
    labelLength: 200,
    /** Workspaces one scoped token may list. */
    workspacesPerToken: 256,
    /** Longest lifetime a token may be issued with: ten years. */
    maxLifetimeSeconds: 10 * 366 * 24 * 60 * 60,
  },

  /** `sync/resume`. */
  sync: {
    /** Threads one resume may name. */
    threadsPerResume: 1000,
    /** Threads one connection may follow in one workspace (through `thread/start`); then `unsubscribe` or resume the whole workspace. */
    threadsPerConnection: 10_000,
  },

  /** Artifacts (`artifact/*`) and what crud keeps of them. */
  artifact: {
    /** A display name (a file name, never a path), in characters. */
    nameLength: 255,
    mediaTypeLength: 255,
    /** Bindings one `recordVersion` or one `artifact/bind` may carry. */
    bindingsPerCall: 32,
    /** A projection's inline text (`plain_text`, `pdf_text`), in UTF-8 bytes. */
    projectionTextMaxBytes: 256 * KiB,
    /** A `json_summary` projection, serialized, in UTF-8 bytes. */
    projectionSummaryMaxBytes: 64 * KiB,
    /** A provider name, model family and a provider's own file id. */
    providerLength: 128,
    externalIdLength: 1024,
    /** The opaque running-hash state of an upload session. */
    hashStateLength: 4096,
    /** Largest `artifact/read` answer, in UTF-8 bytes of text. */
    readMaxBytes: 1024 * KiB,
    /** Largest size of one artifact a store accepts whatever the quota: 2^53-1 is where JS integers stop being exact. */
    sizeMax: Number.MAX_SAFE_INTEGER,
  },

  /** A keystore entry's address `(service, id)`, value and label. */
  secret: {
    /** An id is at most this many bytes of UTF-8. */
    idMaxBytes: 1024,
    /** A service name is at most this many characters (ASCII slug, so bytes too). */
    serviceMaxLength: 64,
    /** A value is at most this many bytes of UTF-8. */
    valueMaxBytes: 64 * KiB,
    /** A label is at most this many characters. */
    labelMaxLength: 256,
  },

  /** Artifact transfer: `CAUP`/`CADN` binary frames, upload and download sessions, tus. */
  transfer: {
    /** The chunk size clients should use, and the default the gateway answers. */
    chunkRecommendedBytes: 256 * KiB,
    /** The largest payload of one `CAUP` frame; a larger chunk is `payload_too_large`. */
    chunkMaxBytes: 1 * MiB,
    /** The smallest chunk size a client may ask for (the last chunk may be shorter). */
    chunkMinBytes: 4 * KiB,
    /** Chunks one side may have in flight without an acknowledgement. */
    windowChunks: 32,
    /** The largest UTF-8 JSON header of a binary frame. */
    frameHeaderMaxBytes: 4 * KiB,
    /** How long an upload session lives after its last chunk, by default: 24 hours. */
    uploadExpiryDefaultMs: DAY_MS,
    /** The longest expiry a client may ask for: 7 days. */
    uploadExpiryMaxMs: 7 * DAY_MS,
  },
} as const;
