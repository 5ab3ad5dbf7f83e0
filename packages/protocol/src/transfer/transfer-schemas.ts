import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId, idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { ArtifactId, ArtifactMediaType, ArtifactName, ArtifactRef, ArtifactSize, ArtifactSourceKind, ArtifactVersionId, UploadSessionId } from '../artifact/artifact.js';
import { Sha256 } from '../turn-records/turn-record-common.js';

const strict = { additionalProperties: false } as const;
const T = LIMITS.transfer;


/** An upload session id (the artifact issue's `UploadSessionId`), chosen by the gateway. */
export const UploadId = UploadSessionId;
export type UploadId = Static<typeof UploadId>;
/** A download session id (`dn_...`), chosen by the gateway. */
export const DownloadId = idSchema('Download session id, chosen by the gateway.');
export type DownloadId = Static<typeof DownloadId>;

const ByteCount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** Header of a `CAUP` frame (client to gateway): the chunk at `offset`, `len` payload bytes, their SHA-256. */
export const CaupHeader = Type.Object(
  {
    upload_id: UploadId,
    offset: ByteCount,
    len: Type.Integer({ minimum: 0, maximum: T.chunkMaxBytes * 16 }),
    chunk_sha256: Sha256,
  },
  strict,
);
export type CaupHeader = Static<typeof CaupHeader>;

/**
 * Header of a `CADN` frame (gateway to client): the chunk at `offset` of the version
 * (`total_size_bytes` is the whole version's size), its SHA-256, and `final_chunk` on the last
 * frame of the download (a 0-byte download is one empty final frame).
 */
export const CadnHeader = Type.Object({
  download_id: DownloadId,
  artifact_id: ArtifactId,
  version_id: ArtifactVersionId,
  offset: ByteCount,
  len: ByteCount,
  total_size_bytes: ByteCount,
  chunk_sha256: Sha256,
  final_chunk: Type.Boolean(),
});
export type CadnHeader = Static<typeof CadnHeader>;

/** Where an upload comes from (the artifact's `source_kind`; default `user_upload`). */
export const UploadSourceKind = ArtifactSourceKind;
export type UploadSourceKind = Static<typeof UploadSourceKind>;

/** What `artifact/upload/status` says of a session. */
export const UploadState = Type.Union([Type.Literal('open'), Type.Literal('finished'), Type.Literal('aborted'), Type.Literal('expired')]);
export type UploadState = Static<typeof UploadState>;

/** The artifact a finished upload became: the artifact issue's `ArtifactRef`. */
export const TransferArtifactRef = ArtifactRef;
export type TransferArtifactRef = Static<typeof TransferArtifactRef>;

export const UploadStartParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    /** The thread the artifact is bound to (and whose subscribers see `thread/artifacts/changed`). */
    thread_id: Type.Optional(ThreadId),
    /** The turn the upload is planned for (a turn input attachment). */
    turn_id: Type.Optional(TurnId),
    file_name: ArtifactName,
    mime_type: ArtifactMediaType,
    size_bytes: ArtifactSize,
    /** The whole file's SHA-256: `finish` refuses other bytes. */
    sha256: Sha256,
    source_kind: Type.Optional(UploadSourceKind),
    /** The chunk size the client will send (default `LIMITS.transfer.chunkRecommendedBytes`). */
    chunk_size: Type.Optional(Type.Integer({ minimum: T.chunkMinBytes, maximum: T.chunkMaxBytes })),
    /** How long the session may stay idle, ms (default 24 h, at most 7 days). */
    expires_in_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: T.uploadExpiryMaxMs })),
  },
  strict,
);
export type UploadStartParams = Static<typeof UploadStartParams>;

/** An upload session as `start` and `status` answer it. */
export const UploadSession = Type.Object({
  upload_id: UploadId,
  workspace_id: WorkspaceId,
  state: UploadState,
  file_name: Type.String(),
  size_bytes: ByteCount,
  sha256: Sha256,
  /** Bytes durably received: fsynced and recorded, so they survive a gateway crash (`status` checkpoints what is written before it answers). */
  received_bytes: ByteCount,
  /** Where the next `CAUP` frame must start: equal to `received_bytes` (possibly below the last acknowledged offset after a crash: resend from here). */
  next_offset: ByteCount,
  /** The chunk size to send (every chunk but the last has exactly this many bytes or fewer). */
  chunk_size: Type.Integer({ minimum: 1 }),
  /** The largest chunk the gateway takes. */
  max_chunk_bytes: Type.Integer({ minimum: 1 }),
  /** Chunks the client may send ahead of their acknowledgement. */
  window_chunks: Type.Integer({ minimum: 1 }),
  expires_at: Timestamp,
});
export type UploadSession = Static<typeof UploadSession>;

export const UploadRefParams = Type.Object({ workspace_id: WorkspaceId, upload_id: UploadId }, strict);
export type UploadRefParams = Static<typeof UploadRefParams>;

export const UploadStartResult = Type.Object({ upload: UploadSession });
export type UploadStartResult = Static<typeof UploadStartResult>;
export const UploadStatusResult = Type.Object({ upload: UploadSession });
export type UploadStatusResult = Static<typeof UploadStatusResult>;
export const UploadFinishResult = Type.Object({ artifact: TransferArtifactRef, upload_id: UploadId });
export type UploadFinishResult = Static<typeof UploadFinishResult>;
export const UploadAbortResult = Type.Object({ aborted: Type.Boolean() });
export type UploadAbortResult = Static<typeof UploadAbortResult>;

export const DownloadStartParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    artifact_id: ArtifactId,
    /** Default: the artifact's current version. */
    version_id: Type.Optional(ArtifactVersionId),
    /** Only these bytes: `offset` to `offset + length` (default: to the end). */
    range: Type.Optional(Type.Object({ offset: ByteCount, length: Type.Optional(ByteCount) }, strict)),
    /** Chunk size of the `CADN` frames (default `LIMITS.transfer.chunkRecommendedBytes`). */
    chunk_size: Type.Optional(Type.Integer({ minimum: T.chunkMinBytes, maximum: T.chunkMaxBytes })),
  },
  strict,
);
export type DownloadStartParams = Static<typeof DownloadStartParams>;

/** Answered before the first `CADN` frame: what will stream. */
export const DownloadStartResult = Type.Object({
  download_id: DownloadId,
  artifact_id: ArtifactId,
  version_id: ArtifactVersionId,
  name: Type.String(),
  mime_type: Type.String(),
  /** The whole version's SHA-256 and size. */
  sha256: Sha256,
  total_size_bytes: ByteCount,
  /** The bytes that will stream: `offset` .. `offset + length`. */
  offset: ByteCount,
  length: ByteCount,
  chunk_size: Type.Integer({ minimum: 1 }),
});
export type DownloadStartResult = Static<typeof DownloadStartResult>;

export const DownloadRefParams = Type.Object({ workspace_id: WorkspaceId, download_id: DownloadId }, strict);
export type DownloadRefParams = Static<typeof DownloadRefParams>;
export const DownloadFinishResult = Type.Object({ finished: Type.Boolean(), bytes_sent: ByteCount });
export type DownloadFinishResult = Static<typeof DownloadFinishResult>;
export const DownloadAbortResult = Type.Object({ aborted: Type.Boolean() });
export type DownloadAbortResult = Static<typeof DownloadAbortResult>;

/** Why a chunk was refused, on its `chunk_ack`: the error the chunk would have answered as a request. */
export const ChunkError = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type ChunkError = Static<typeof ChunkError>;

/**
 * `artifact/upload/chunk_ack`: sent on the uploading connection (not journaled, so no `seq`)
 * once a chunk is verified (its `chunk_sha256`) and written to the upload's temp, or with
 * `error` when it was refused (nothing of it was kept, and `next_offset` says where to
 * continue). An ack is not a durability promise: the gateway makes written bytes durable in
 * background checkpoints (and always before `status` answers and before `finish` ingests);
 * after a gateway crash `artifact/upload/status` answers the durable offset, which may be
 * below the last acknowledged one, and the client resends from there.
 */
export const UploadChunkAckNotification = Type.Object({
  /** Absent on a refusal of a chunk that named no session of this token. */
  workspace_id: Type.Optional(WorkspaceId),
  upload_id: UploadId,
  /** The offset of the chunk this acknowledges (or refuses). */
  offset: ByteCount,
  /** Bytes written (acknowledged) so far on this upload; on a refusal, the same as `next_offset`. */
  received_bytes: ByteCount,
  next_offset: ByteCount,
  error: Type.Optional(ChunkError),
});
export type UploadChunkAckNotification = Static<typeof UploadChunkAckNotification>;
