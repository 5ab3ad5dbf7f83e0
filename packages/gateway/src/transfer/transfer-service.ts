import { UPLOAD_FRAME_MAGIC, decodeUploadFrame, frameMagic, type CairnError, type UploadChunkAckNotification } from '@cairn/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { Session } from '../session/session.js';
import { errorResponse, toRpcError } from '../rpc/json-rpc.js';
import { DownloadManager } from './download-manager.js';
import { HashWorkerPool } from './hash-worker.js';
import type { TransferPorts } from './ports.js';
import { UploadManager, type ChunkSink } from './upload-manager.js';
import { wsUsesBufferutil } from './ws-addons.js';

export interface TransferServiceOptions {
  ports: TransferPorts;
  log: FastifyBaseLogger;
  clock?: () => Date;
  windowChunks?: number;
  /** Scrubs what an error says before it reaches the client (the keystore's redactor). */
  scrub?: (value: unknown) => unknown;
}

interface ConnectionState {
  /** Binary frames of one connection are checked one after another, in arrival order. */
  chain: Promise<void>;
  sink: ChunkSink;
}

/**
 * Artifact transfer on the gateway: upload sessions (`UploadManager`), downloads
 * (`DownloadManager`), the binary frames of each connection, and the worker that removes
 * expired sessions. Handlers and the tus endpoint reach it as `services.transfer`.
 */
export class TransferService {
  readonly uploads: UploadManager;
  readonly downloads: DownloadManager;
  readonly #ports: TransferPorts;
  readonly #log: FastifyBaseLogger;
  readonly #scrub: (value: unknown) => unknown;
  readonly #connections = new WeakMap<Session, ConnectionState>();
  readonly #hashes = new HashWorkerPool();

  constructor(options: TransferServiceOptions) {
    this.#ports = options.ports;
    this.#log = options.log;
    this.#scrub = options.scrub ?? ((value) => value);
    const onError = (error: unknown, id: string) => this.#log.warn({ err: error, transfer: id }, 'artifact transfer failed');
    this.uploads = new UploadManager({
      ports: options.ports,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.windowChunks ? { windowChunks: options.windowChunks } : {}),
      hashes: this.#hashes,
      onError,
    });
    void wsUsesBufferutil().then((on) => this.#log.debug({ bufferutil: on }, on ? 'ws masks frames with bufferutil' : 'ws masks frames in JavaScript (bufferutil not found)'));
    this.downloads = new DownloadManager({ artifacts: options.ports.artifacts, ...(options.windowChunks ? { windowChunks: options.windowChunks } : {}), onError });
  }

  /**
   * One binary frame from a connection. A frame that does not open with `CAUP` is not a
   * transfer frame at all: `false`, and the connection closes it as before (1003). A `CAUP`
   * frame is decoded and checked in order; a malformed one (truncated or oversize header, bad
   * header, length mismatch) is answered `invalid_frame` (a JSON-RPC error with id null), a
   * refused chunk by a `chunk_ack` with `error`; the connection stays open either way.
   */
  onBinaryFrame(session: Session, bytes: Uint8Array): boolean {
    if (frameMagic(bytes) !== UPLOAD_FRAME_MAGIC) return false;
    const state = this.#state(session);
    state.chain = state.chain.then(() => this.#onUploadFrame(session, state, bytes));
    return true;
  }

  async #onUploadFrame(session: Session, state: ConnectionState, bytes: Uint8Array): Promise<void> {
    if (session.closed) return;
    let decoded;
    try {
      decoded = decodeUploadFrame(bytes);
    } catch (error) {
      const e = error as CairnError;
      session.send(errorResponse(null, e.code, e.message, e.details));
      return;
    }
    const { header, payload } = decoded;
    try {
      await this.uploads.chunk(session.principal, header, payload, state.sink);
    } catch (error) {
      const { error: rpc, internal } = toRpcError(error, this.#scrub);
      if (internal) this.#log.error({ err: error, upload: header.upload_id }, 'upload chunk failed');
      const details = (rpc.data as { details?: Record<string, unknown> }).details;
      const next = typeof details?.next_offset === 'number' ? details.next_offset : header.offset;
      // A chunk of a session this token does not own says nothing about that session.
      const ack: UploadChunkAckNotification = {
        upload_id: header.upload_id,
        offset: header.offset,
        received_bytes: next,
        next_offset: next,
        error: { code: rpc.data.code, message: rpc.message, ...(details ? { details } : {}) },
      };
      state.sink.ack(ack);
    }
  }

  #state(session: Session): ConnectionState {
    let state = this.#connections.get(session);
    if (!state) {
      const socket = session.socket;
      state = {
        chain: Promise.resolve(),
        sink: {
          ack: (params) => {
            session.send({ jsonrpc: '2.0', method: 'artifact/upload/chunk_ack', params });
          },
          pause: () => socket.pause(),
          resume: () => {
            if (!session.closed) socket.resume();
          },
        },
      };
      this.#connections.set(session, state);
    }
    return state;
  }

  /** The largest artifact `[quotas]` allows, bytes (tus answers it as `Tus-Max-Size`). */
  maxArtifactBytes(): number | undefined {
    return this.#ports.artifacts.maxArtifactBytes();
  }

  /** A connection closed: its downloads stop; its uploads stay resumable until they expire. */
  detach(session: Session): void {
    this.downloads.detach(session.socket);
    this.#connections.delete(session);
  }

  /** Removes expired sessions and orphaned temps now, then every `intervalMs`; returns the stopper. */
  startPruning(intervalMs: number): () => Promise<void> {
    let running: Promise<unknown> = Promise.resolve();
    const pass = () => {
      running = this.uploads.pruneExpired().then(
        (pruned) => {
          if (pruned.expired + pruned.orphans > 0) this.#log.info({ pruned }, 'expired upload sessions removed');
        },
        (error: unknown) => this.#log.warn({ err: error }, 'upload session prune failed; the next pass retries'),
      );
    };
    pass();
    const timer = setInterval(pass, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }

  async close(): Promise<void> {
    this.downloads.closeAll();
    await this.uploads.close();
    await this.#hashes.close();
  }
}
