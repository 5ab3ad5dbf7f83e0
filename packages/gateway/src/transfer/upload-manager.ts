import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CairnError, LIMITS, type CaupHeader, type TransferArtifactRef, type UploadChunkAckNotification, type UploadSession, type UploadStartParams } from '@cairn/protocol';
import type { Principal } from '../auth/principal.js';
import { HashWorkerPool, type HashPoint, type ResumableHash } from './hash-worker.js';
import type { TransferPorts, UploadSessionRow, UploadTemp } from './ports.js';

/** Where a chunk's acknowledgement goes (the connection it came on), and how to hold that connection's reading. */
export interface ChunkSink {
  ack(params: UploadChunkAckNotification): void;
  pause(): void;
  resume(): void;
}

export interface UploadManagerOptions {
  ports: TransferPorts;
  clock?: () => Date;
  /** Chunks a client may have unacknowledged (default `LIMITS.transfer.windowChunks`). */
  windowChunks?: number;
  /** The worker thread that keeps the resumable hashes (default: one of this manager's own). */
  hashes?: HashWorkerPool;
  onError?: (error: unknown, uploadId: string) => void;
}

interface PendingChunk {
  sink: ChunkSink | undefined;
  offset: number;
  bytes: Uint8Array;
}

/** One open upload this gateway holds in memory: its temp file, its running hash, what is written, what is durable and what waits to be written. */
class LiveUpload {
  /** Bytes durable: fsynced in the temp and recorded (with the hash state at that offset) in the row. */
  received: number;
  /** Validated chunks not yet written, in offset order. */
  readonly queue: PendingChunk[] = [];
  /** Bytes written to the temp (and acknowledged), durable or not: `received <= written`. */
  written: number;
  /** Bytes of validated chunks in `queue` (not yet written). */
  queuedBytes = 0;
  readonly paused = new Set<ChunkSink>();
  #chain: Promise<void> = Promise.resolve();
  draining = false;
  broken = false;
  /** The running durability checkpoint (fsync + row compare-and-set), if any. */
  checkpoint: Promise<void> | undefined;
  /** The checkpoint timer armed after a write. */
  timer: NodeJS.Timeout | undefined;
  /** The first checkpoint failure: the upload falls back to `received` (see `UploadManager.#fail`). */
  failure: unknown;

  constructor(
    public row: UploadSessionRow,
    readonly temp: UploadTemp,
    /** The resumable hash (worker), trailing the writes; what checkpoints record. */
    readonly hash: ResumableHash,
    /** The point of `hash` the row records. */
    public savedPoint: HashPoint,
    /** node:crypto over every byte written, when this process saw them all from byte 0 (else undefined: `finish` asks `hash`). */
    public whole: Hash | undefined,
    /** The worker reads the bytes back from the temp (else `update` hands them over). */
    readonly readsTemp: boolean,
  ) {
    this.received = row.received_bytes;
    this.written = row.received_bytes;
  }

  /** Where the next chunk must start: bytes written plus those queued. */
  get expectedOffset(): number {
    return this.written + this.queuedBytes;
  }

  /** Runs `work` after everything queued before it on this upload (writes, tus appends, finish). */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(work);
    this.#chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  idle(): Promise<void> {
    return this.run(async () => undefined);
  }
}

const NOT_FOUND = 'no open upload session with that id for this token';

/**
 * Upload sessions: `start` records a session row; `CAUP` chunks are checked (owner, expiry,
 * size, offset, overflow, chunk hash) in the order they arrive, queued, written to the blob
 * store's upload temp and acknowledged once written. Durability runs behind, in checkpoints
 * (fsync, then the row's received bytes and running hash state by compare-and-set) every
 * `CHECKPOINT_BYTES` or `CHECKPOINT_MS`, and always before `status` answers and before
 * `finish` ingests: `status`'s `next_offset` is durable, a chunk ack's is written. A refused
 * chunk leaves the temp and the row as they were. The running hash is saved in the row, so
 * `finish` needs no re-read and a restarted gateway resumes from the last checkpoint (acked
 * chunks after it are resent: the client resumes from `status`).
 */
export class UploadManager {
  readonly #ports: TransferPorts;
  readonly #clock: () => Date;
  readonly #window: number;
  readonly #onError: (error: unknown, uploadId: string) => void;
  readonly #hashes: HashWorkerPool;
  readonly #ownsHashes: boolean;
  readonly #live = new Map<string, Promise<LiveUpload>>();

  constructor(options: UploadManagerOptions) {
    this.#ports = options.ports;
    this.#clock = options.clock ?? (() => new Date());
    this.#window = options.windowChunks ?? LIMITS.transfer.windowChunks;
    this.#onError = options.onError ?? (() => {});
    this.#hashes = options.hashes ?? new HashWorkerPool();
    this.#ownsHashes = options.hashes === undefined;
  }

  get windowChunks(): number {
    return this.#window;
  }

  async start(principal: Principal, params: UploadStartParams): Promise<UploadSession> {
    const max = this.#ports.artifacts.maxArtifactBytes();
    if (max !== undefined && params.size_bytes > max) {
      throw new CairnError('quota_exceeded', `the file is larger than the largest artifact allowed (${max} bytes)`, {
        details: { quota: 'max_artifact_bytes', limit: max, requested: params.size_bytes },
      });
    }
    const now = this.#clock();
    const row = await this.#ports.rows.create({
      workspace_id: params.workspace_id,
      token_id: principal.token.token_id,
      ...(params.thread_id === undefined ? {} : { thread_id: params.thread_id }),
      ...(params.turn_id === undefined ? {} : { turn_id: params.turn_id }),
      file_name: params.file_name,
      mime_type: params.mime_type,
      size_bytes: params.size_bytes,
      sha256: params.sha256,
      source_kind: params.source_kind ?? 'user_upload',
      chunk_size: params.chunk_size ?? LIMITS.transfer.chunkRecommendedBytes,
      expires_at: new Date(now.getTime() + (params.expires_in_ms ?? LIMITS.transfer.uploadExpiryDefaultMs)),
    });
    return this.#session(row, row.received_bytes);
  }

  async status(principal: Principal, workspaceId: string | undefined, uploadId: string): Promise<UploadSession> {
    const row = await this.#owned(principal, workspaceId, uploadId);
    const pending = this.#live.get(uploadId);
    if (pending && row.status === 'open') {
      const live = await pending.catch(() => undefined);
      if (live) {
        // What status answers is durable: everything written is checkpointed first.
        const flushed = await live.run(() => this.#flush(live)).then(
          () => true,
          () => false,
        );
        if (flushed && !live.broken) return this.#session(live.row, live.received);
        const fresh = await this.#owned(principal, workspaceId, uploadId);
        return this.#session(fresh, fresh.received_bytes);
      }
    }
    return this.#session(row, row.received_bytes);
  }

  /**
   * One `CAUP` chunk. Checks run here, in arrival order (the caller serialises a connection's
   * frames); the write happens later in a batch, and `sink.ack` reports it. Throws the chunk's
   * typed error when it is refused (nothing of it is kept).
   */
  async chunk(principal: Principal, header: CaupHeader, payload: Uint8Array, sink: ChunkSink | undefined): Promise<void> {
    if (payload.length > LIMITS.transfer.chunkMaxBytes) {
      throw new CairnError('payload_too_large', `a chunk holds at most ${LIMITS.transfer.chunkMaxBytes} bytes; this one ${payload.length}`, {
        details: { reason: 'chunk_too_large', limit: LIMITS.transfer.chunkMaxBytes, len: payload.length },
      });
    }
    // A chunk names only the upload id: no scan of the open sessions for an id this process has not seen.
    const live = await this.#liveFor(principal, undefined, header.upload_id, false);
    this.#checkOpen(live.row);
    const expected = live.expectedOffset;
    if (header.offset !== expected) {
      throw new CairnError('conflict', `the chunk starts at ${header.offset}; the upload continues at ${expected}`, {
        details: { reason: 'offset_mismatch', offset: header.offset, next_offset: expected },
      });
    }
    if (header.offset + payload.length > live.row.size_bytes) {
      throw new CairnError('invalid_params', `the chunk would take the upload to ${header.offset + payload.length} bytes; it declared ${live.row.size_bytes}`, {
        details: { reason: 'beyond_declared_size', size_bytes: live.row.size_bytes, next_offset: expected },
      });
    }
    const digest = createHash('sha256').update(payload).digest('hex');
    if (digest !== header.chunk_sha256) {
      throw new CairnError('checksum_mismatch', 'the chunk does not match its chunk_sha256', { details: { reason: 'chunk', offset: header.offset, next_offset: expected } });
    }
    live.queue.push({ sink, offset: header.offset, bytes: payload });
    live.queuedBytes += payload.length;
    if (sink && live.queuedBytes > this.#window * Math.max(live.row.chunk_size, payload.length)) {
      sink.pause();
      live.paused.add(sink);
    }
    if (!live.draining) {
      live.draining = true;
      void live.run(() => this.#pipeline(live));
    }
  }

  /**
   * Writes queued chunks in order and acknowledges each once it is written (its hash was
   * checked before it was queued): an ack says "verified and written, continue at
   * `next_offset`", not "durable". Durability runs behind the writes, off the ack path: a
   * checkpoint (fsync, then the row's compare-and-set of `received_bytes` and the running hash
   * state taken at exactly that offset) starts every `CHECKPOINT_BYTES` written or
   * `CHECKPOINT_MS` after a write, and always before `finish`, `status` and a tus append read
   * the offset. A restart resumes from the last checkpoint.
   */
  async #pipeline(live: LiveUpload): Promise<void> {
    try {
      while (live.failure === undefined && live.queue.length > 0) {
        const chunk = live.queue.shift() as PendingChunk;
        await live.temp.write(chunk.offset, chunk.bytes);
        const through = chunk.offset + chunk.bytes.length;
        live.whole?.update(chunk.bytes);
        if (live.readsTemp) live.hash.advance(through);
        else live.hash.update(chunk.bytes);
        live.written = through;
        live.queuedBytes -= chunk.bytes.length;
        chunk.sink?.ack({ workspace_id: live.row.workspace_id, upload_id: live.row.upload_id, offset: chunk.offset, received_bytes: through, next_offset: through });
        if (live.queuedBytes <= this.#window * live.row.chunk_size) this.#resumeAll(live);
        this.#scheduleCheckpoint(live);
        // Handed chunks (no temp path) stay bounded: the worker's messages are handled in order.
        if (live.hash.backlog >= HASH_BACKLOG_BYTES) await live.hash.snapshot();
      }
    } catch (error) {
      live.failure ??= error;
    } finally {
      live.draining = false;
    }
    if (live.failure !== undefined) await this.#fail(live, live.failure);
  }

  /** A checkpoint now when a batch is due, else one `CHECKPOINT_MS` from now (if none is armed). */
  #scheduleCheckpoint(live: LiveUpload): void {
    if (live.written - live.received >= CHECKPOINT_BYTES) {
      this.#startCheckpoint(live);
      return;
    }
    if (live.timer || live.written === live.received) return;
    live.timer = setTimeout(() => {
      live.timer = undefined;
      this.#startCheckpoint(live);
    }, CHECKPOINT_MS);
    live.timer.unref();
  }

  /** Starts a background checkpoint unless one runs; a failure breaks the upload back to its last durable offset. */
  #startCheckpoint(live: LiveUpload): void {
    if (live.checkpoint || live.broken || live.failure !== undefined || live.written === live.received) return;
    live.checkpoint = this.#makeDurable(live)
      .catch((error: unknown) => {
        if (live.broken || live.failure !== undefined) return;
        live.failure = error;
        // With no pipeline running, nothing else would notice: fail it in turn.
        if (!live.draining) void live.run(() => this.#fail(live, error));
      })
      .finally(() => {
        live.checkpoint = undefined;
        if (!live.broken && live.failure === undefined && live.written > live.received) this.#scheduleCheckpoint(live);
      });
  }

  /** Waits for the running checkpoint and makes everything written durable (inside `live.run`, so no write runs meanwhile). */
  async #flush(live: LiveUpload): Promise<void> {
    if (live.timer) {
      clearTimeout(live.timer);
      live.timer = undefined;
    }
    while (live.checkpoint) await live.checkpoint;
    if (live.failure === undefined && live.written > live.received) {
      try {
        await this.#makeDurable(live);
      } catch (error) {
        live.failure ??= error;
      }
    }
    if (live.failure !== undefined) {
      await this.#fail(live, live.failure);
      throw live.failure;
    }
  }

  /** One checkpoint: fsync what is written, then record that offset with the hash state taken at it (compare-and-set on the previous durable offset). */
  async #makeDurable(live: LiveUpload): Promise<void> {
    const start = live.received;
    const target = live.written;
    // The point the worker has reached (at most `target`; it may trail): a restart re-hashes the gap from the temp.
    const snapshot = live.hash.snapshot();
    snapshot.catch(() => {});
    await live.temp.sync();
    const point = await snapshot;
    if (live.broken) return;
    const state = encodePoint(point);
    const advanced = await this.#ports.rows.advance({ upload_id: live.row.upload_id, expected_offset: start, received_bytes: target, hash_state: state });
    if (!advanced) throw new CairnError('conflict', 'the upload session moved on elsewhere (another gateway?)', { details: { reason: 'offset_mismatch' } });
    live.received = target;
    live.savedPoint = point;
    live.row = { ...live.row, received_bytes: target, hash_state: state };
  }

  /**
   * A write, fsync or row update failed: the temp goes back to the last checkpoint, every chunk
   * not yet written is refused, and the next chunk (or `status`) learns the durable offset to
   * resend from (acknowledged chunks after it are lost with the failure and resent).
   */
  async #fail(live: LiveUpload, error: unknown): Promise<void> {
    if (live.broken) {
      // Chunks queued on it after it broke: resend from the durable offset.
      const late = live.queue.splice(0);
      live.queuedBytes = 0;
      const retry = new CairnError('conflict', 'the upload fell back to its last durable offset; resend from there', { details: { reason: 'offset_mismatch', next_offset: live.received } });
      for (const chunk of late) chunk.sink?.ack(this.#ackOf(live, chunk.offset, live.received, retry));
      this.#resumeAll(live);
      return;
    }
    this.#onError(error, live.row.upload_id);
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
    const failed = live.queue.splice(0);
    live.queuedBytes = 0;
    live.broken = true;
    while (live.checkpoint) await live.checkpoint.catch(() => {});
    if (this.#live.get(live.row.upload_id)) this.#live.delete(live.row.upload_id);
    await live.temp.truncate(live.received).catch(() => {});
    await live.temp.close().catch(() => {});
    live.hash.close();
    const refusal = error instanceof CairnError ? error : new CairnError('storage_failed', 'the chunk could not be stored; nothing of it was kept');
    for (const chunk of failed) chunk.sink?.ack(this.#ackOf(live, chunk.offset, live.received, refusal));
    this.#resumeAll(live);
  }

  #resumeAll(live: LiveUpload): void {
    for (const sink of live.paused) sink.resume();
    live.paused.clear();
  }

  #ackOf(live: LiveUpload, offset: number, received: number, error: CairnError): UploadChunkAckNotification {
    return {
      workspace_id: live.row.workspace_id,
      upload_id: live.row.upload_id,
      offset,
      received_bytes: received,
      next_offset: received,
      error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    };
  }

  /**
   * Appends a byte stream at `offset` (the tus PATCH path): the same checks and durability as
   * chunks, made durable every few MiB and when the stream ends or breaks (a stopped client
   * resumes from what was durable). With `checksum` (the tus checksum extension) nothing is
   * kept unless the whole request matches it. Returns the new offset.
   */
  async append(principal: Principal, uploadId: string, offset: number, source: Readable, checksum?: { algorithm: 'sha256'; digest: Buffer }): Promise<number> {
    const live = await this.#liveFor(principal, undefined, uploadId);
    return live.run(async () => {
      if (live.broken) throw new CairnError('conflict', 'the upload session must be re-read; retry', { details: { reason: 'retry' } });
      await this.#flush(live);
      this.#checkOpen(live.row);
      if (offset !== live.received || live.queuedBytes > 0) {
        throw new CairnError('conflict', `the request starts at ${offset}; the upload continues at ${live.received}`, { details: { reason: 'offset_mismatch', next_offset: live.received } });
      }
      const start = live.received;
      const whole = checksum ? createHash('sha256') : undefined;
      let written = start;
      let durable = start;
      // node:crypto cannot go back: a copy at each durable offset is what a rollback returns to.
      let wholeAtDurable = live.whole?.copy();
      const checkpoint = async () => {
        if (written === durable) return;
        const wholeAt = live.whole?.copy();
        const snapshot = live.hash.snapshot();
        snapshot.catch(() => {});
        await live.temp.sync();
        const point = await snapshot;
        const state = encodePoint(point);
        if (!(await this.#ports.rows.advance({ upload_id: uploadId, expected_offset: durable, received_bytes: written, hash_state: state }))) {
          throw new CairnError('conflict', 'the upload session moved on elsewhere', { details: { reason: 'offset_mismatch' } });
        }
        durable = written;
        live.received = written;
        live.written = written;
        live.savedPoint = point;
        wholeAtDurable = wholeAt;
        live.row = { ...live.row, received_bytes: written, hash_state: state };
      };
      const rollback = async () => {
        live.hash.restore(live.savedPoint);
        live.whole = wholeAtDurable?.copy();
        await live.temp.truncate(durable).catch(() => {});
        written = durable;
        live.written = durable;
      };
      try {
        for await (const piece of source as AsyncIterable<Buffer>) {
          if (written + piece.length > live.row.size_bytes) {
            throw new CairnError('invalid_params', `the upload would exceed its declared ${live.row.size_bytes} bytes`, { details: { reason: 'beyond_declared_size' } });
          }
          await live.temp.write(written, piece);
          written += piece.length;
          live.whole?.update(piece);
          if (live.readsTemp) live.hash.advance(written);
          else {
            live.hash.update(piece);
            if (live.hash.backlog >= HASH_BACKLOG_BYTES) await live.hash.snapshot();
          }
          whole?.update(piece);
          if (!checksum && written - durable >= CHECKPOINT_BYTES) await checkpoint();
        }
      } catch (error) {
        // The client went away or sent too much: keep what is whole (without a checksum), drop the rest.
        if (checksum || (error instanceof CairnError && error.code === 'invalid_params')) await rollback();
        else await checkpoint().catch(rollback);
        throw error;
      }
      if (checksum && whole && !whole.digest().equals(checksum.digest)) {
        await rollback();
        throw new CairnError('checksum_mismatch', 'the request body does not match its Upload-Checksum', { details: { reason: 'request' } });
      }
      await checkpoint();
      return written;
    });
  }

  /**
   * Checks size and whole-file SHA-256 (from the running hash: no re-read) and ingests the temp
   * through the artifact service. A wrong whole-file hash aborts the session (its bytes can
   * never become the declared file); an incomplete one is `invalid_params` with `next_offset`.
   */
  async finish(principal: Principal, workspaceId: string | undefined, uploadId: string): Promise<TransferArtifactRef> {
    // A retried finish (its first answer was lost with the connection) answers the same artifact.
    if (!this.#live.has(uploadId)) {
      const row = await this.#owned(principal, workspaceId, uploadId);
      if (row.status === 'finished' && row.version_id !== null) return this.#ports.artifacts.refOf(row.workspace_id, row.version_id);
    }
    const live = await this.#liveFor(principal, workspaceId, uploadId);
    return live.run(async () => {
      this.#checkOpen(live.row);
      await this.#flush(live);
      if (live.received !== live.row.size_bytes || live.queuedBytes > 0) {
        throw new CairnError('invalid_params', `the upload holds ${live.received} of its ${live.row.size_bytes} bytes`, {
          details: { reason: 'incomplete', received_bytes: live.received, size_bytes: live.row.size_bytes, next_offset: live.received },
        });
      }
      // node:crypto when this process saw every byte; else the resumable hash, caught up from the temp.
      const digest = live.whole ? live.whole.copy().digest('hex') : await live.hash.digestHex(live.row.size_bytes);
      if (digest !== live.row.sha256) {
        await this.#discard(live, 'aborted');
        throw new CairnError('checksum_mismatch', 'the uploaded bytes do not match the declared sha256; the session was aborted', {
          details: { reason: 'whole_file', declared: live.row.sha256, actual: digest },
        });
      }
      await live.temp.close();
      live.hash.close();
      this.#live.delete(uploadId);
      const ref = await this.#ports.artifacts.ingestUpload(live.row, true);
      await this.#ports.rows.finish({ upload_id: uploadId, artifact_id: ref.artifact_id, version_id: ref.version_id });
      return ref;
    });
  }

  /** Removes the session's temp and marks it aborted; false when it was no longer open. */
  async abort(principal: Principal, workspaceId: string | undefined, uploadId: string): Promise<boolean> {
    const row = await this.#owned(principal, workspaceId, uploadId);
    if (row.status !== 'open') return false;
    const pending = this.#live.get(uploadId);
    const live = pending ? await pending.catch(() => undefined) : undefined;
    if (live) {
      await live.run(() => this.#discard(live, 'aborted'));
    } else {
      await this.#ports.temps.remove(row.workspace_id, uploadId);
      await this.#ports.rows.abort(uploadId);
    }
    return true;
  }

  /**
   * Expired sessions: their temps removed and their rows closed; then temps no open session
   * owns (left by a crash between a row change and a file removal). At startup and on a timer.
   */
  async pruneExpired(limit = 100): Promise<{ expired: number; orphans: number }> {
    const now = this.#clock();
    let expired = 0;
    for (const row of await this.#ports.rows.expired(now, limit)) {
      const pending = this.#live.get(row.upload_id);
      const live = pending ? await pending.catch(() => undefined) : undefined;
      if (live) await live.run(() => this.#discard(live, 'expired'));
      else {
        await this.#ports.temps.remove(row.workspace_id, row.upload_id);
        await this.#ports.rows.expire(row.upload_id);
      }
      expired++;
    }
    // A temp younger than this pass may belong to a session being opened right now: left alone.
    const listedAt = now.getTime() - 60_000;
    const open = new Set((await this.#ports.rows.open()).map((row) => row.upload_id));
    let orphans = 0;
    for await (const temp of this.#ports.temps.list()) {
      if (open.has(temp.upload_id) || this.#live.has(temp.upload_id) || temp.mtime.getTime() > listedAt) continue;
      await this.#ports.temps.remove(temp.workspace_id, temp.upload_id);
      orphans++;
    }
    return { expired, orphans };
  }

  /** Closes every temp handle (the rows keep the state; a restart resumes from them). */
  async close(): Promise<void> {
    const lives = [...this.#live.values()];
    this.#live.clear();
    for (const pending of lives) {
      const live = await pending.catch(() => undefined);
      if (live) {
        // A graceful stop makes everything written durable.
        await live.run(() => this.#flush(live)).catch(() => {});
        await live.temp.close().catch(() => {});
        live.hash.close();
      }
    }
    if (this.#ownsHashes) await this.#hashes.close();
  }

  async #discard(live: LiveUpload, why: 'aborted' | 'expired'): Promise<void> {
    this.#live.delete(live.row.upload_id);
    live.broken = true;
    if (live.timer) clearTimeout(live.timer);
    live.timer = undefined;
    while (live.checkpoint) await live.checkpoint.catch(() => {});
    await live.temp.close().catch(() => {});
    live.hash.close();
    await this.#ports.temps.remove(live.row.workspace_id, live.row.upload_id);
    if (why === 'expired') await this.#ports.rows.expire(live.row.upload_id);
    else await this.#ports.rows.abort(live.row.upload_id);
    live.row = { ...live.row, status: why };
  }

  #checkOpen(row: UploadSessionRow): void {
    if (row.status === 'expired' || (row.status === 'open' && Date.parse(row.expires_at) <= this.#clock().getTime())) {
      throw new CairnError('session_expired', 'the upload session has expired; start a new one', { details: { upload_id: row.upload_id, expires_at: row.expires_at } });
    }
    if (row.status !== 'open') {
      throw new CairnError('conflict', `the upload session is ${row.status}`, { details: { reason: row.status, upload_id: row.upload_id } });
    }
  }

  /** The row when this token owns it. `scan`: with no workspace, may the lookup go through every open session (tus requests) or not (`CAUP` chunks)? */
  async #owned(principal: Principal, workspaceId: string | undefined, uploadId: string, scan = true): Promise<UploadSessionRow> {
    const row = await this.#ports.rows.get(uploadId, {
      ...(workspaceId === undefined ? {} : { workspace_id: workspaceId }),
      ...(principal.operator ? {} : { workspaces: principal.workspaces }),
      scan: scan && principal.operator,
    });
    if (!row || row.token_id !== principal.token.token_id || (workspaceId !== undefined && row.workspace_id !== workspaceId)) {
      throw new CairnError('not_found', NOT_FOUND, { details: { upload_id: uploadId } });
    }
    return row;
  }

  /** The in-memory upload, loaded from its row on first use (after a reconnect or a restart): temp cut back to what the row says is durable, hash state loaded. */
  async #liveFor(principal: Principal, workspaceId: string | undefined, uploadId: string, scan = true): Promise<LiveUpload> {
    let pending = this.#live.get(uploadId);
    if (!pending) {
      pending = this.#load(principal, workspaceId, uploadId, scan);
      this.#live.set(uploadId, pending);
      pending.catch(() => this.#live.delete(uploadId));
    }
    const live = await pending;
    if (live.broken) {
      if (this.#live.get(uploadId) === pending) this.#live.delete(uploadId);
      return this.#liveFor(principal, workspaceId, uploadId, scan);
    }
    if (live.row.token_id !== principal.token.token_id || (workspaceId !== undefined && live.row.workspace_id !== workspaceId)) {
      throw new CairnError('not_found', NOT_FOUND, { details: { upload_id: uploadId } });
    }
    return live;
  }

  async #load(principal: Principal, workspaceId: string | undefined, uploadId: string, scan: boolean): Promise<LiveUpload> {
    const row = await this.#owned(principal, workspaceId, uploadId, scan);
    this.#checkOpen(row);
    const temp = await this.#ports.temps.open(row.workspace_id, uploadId);
    try {
      const size = await temp.size();
      if (size < row.received_bytes) {
        throw new CairnError('integrity_failed', `the upload temp holds ${size} bytes but ${row.received_bytes} were recorded durable`, { details: { upload_id: uploadId } });
      }
      if (size > row.received_bytes) await temp.truncate(row.received_bytes);
      const point = decodePoint(row.hash_state, row.received_bytes);
      const path = this.#ports.temps.pathOf?.(row.workspace_id, uploadId);
      if (point.offset > row.received_bytes || (point.offset < row.received_bytes && path === undefined)) {
        throw new CairnError('integrity_failed', `the upload's hash state is at ${point.offset} of ${row.received_bytes} durable bytes`, { details: { upload_id: uploadId } });
      }
      const hash = await this.#hashes.open(point, path);
      // After a restart the worker re-hashes the gap between its saved point and the durable offset from the temp.
      hash.advance(row.received_bytes);
      return new LiveUpload(row, temp, hash, point, row.received_bytes === 0 ? createHash('sha256') : undefined, path !== undefined);
    } catch (error) {
      await temp.close().catch(() => {});
      throw error;
    }
  }

  #session(row: UploadSessionRow, received: number): UploadSession {
    const expired = row.status === 'expired' || (row.status === 'open' && Date.parse(row.expires_at) <= this.#clock().getTime());
    return {
      upload_id: row.upload_id,
      workspace_id: row.workspace_id,
      state: expired ? 'expired' : row.status,
      file_name: row.file_name,
      size_bytes: row.size_bytes,
      sha256: row.sha256,
      received_bytes: received,
      next_offset: received,
      chunk_size: row.chunk_size,
      max_chunk_bytes: LIMITS.transfer.chunkMaxBytes,
      window_chunks: this.#window,
      expires_at: row.expires_at,
    };
  }
}

/** The row's `hash_state`: `<offset>:<hash-wasm state base64>` (offset: where the state is; it may trail `received_bytes`). A bare state (older rows) is at `received_bytes`. */
function encodePoint(point: HashPoint): string {
  return `${point.offset}:${point.state ?? ''}`;
}

function decodePoint(saved: string | null, receivedBytes: number): HashPoint {
  if (saved === null) return { offset: 0, state: null };
  const colon = saved.indexOf(':');
  if (colon < 0) return { offset: receivedBytes, state: saved };
  const offset = Number(saved.slice(0, colon));
  const state = saved.slice(colon + 1);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new CairnError('integrity_failed', 'the upload session has a malformed hash state');
  return { offset, state: state === '' ? null : state };
}

/** How many bytes are written between two durable checkpoints (CAUP chunks and tus PATCH bodies). */
const CHECKPOINT_BYTES = 16 * 1024 * 1024;
/** A checkpoint runs at most this long after a write that is not yet durable. */
const CHECKPOINT_MS = 250;
/** How far the hash worker may trail the writes before the pipeline waits for it. */
const HASH_BACKLOG_BYTES = 16 * 1024 * 1024;
