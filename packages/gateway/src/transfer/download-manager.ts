import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CairnError, LIMITS, encodeDownloadFrame, type DownloadStartParams, type DownloadStartResult } from '@cairn/protocol';
import type { Principal } from '../auth/principal.js';
import type { DownloadTarget, TransferArtifacts } from './ports.js';

/** The socket side a download writes to: `ws`'s `WebSocket` fits it. */
export interface FrameSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array, options: { binary: true }, done: (error?: Error) => void): void;
}

export interface DownloadOwner {
  readonly principal: Principal;
  readonly socket: FrameSocket;
}

/** What the downloads of this gateway hold back right now and held back at most: the figure the slow-reader test checks. */
export interface DownloadStats {
  active: number;
  /** The largest `bufferedAmount` any download socket reached after a send. */
  peakBufferedBytes: number;
  /** The most frames one download had sent but not yet handed to the kernel. */
  peakUnconfirmedFrames: number;
  /** Downloads waiting for their peer to read, now. */
  stalled: number;
}

interface LiveDownload {
  readonly id: string;
  readonly owner: DownloadOwner;
  readonly workspaceId: string;
  readonly target: DownloadTarget;
  readonly offset: number;
  readonly length: number;
  readonly chunkSize: number;
  sent: number;
  unconfirmed: number;
  stopped: boolean;
  done: boolean;
  waiting: (() => void) | undefined;
  stream: Readable | undefined;
}

/**
 * Downloads: `start` resolves the version (a deleted artifact, another workspace's or an
 * unknown version is `not_found`), answers what will stream, then sends `CADN` frames of
 * `chunk_size` bytes, each with its SHA-256, the last with `final_chunk`. Flow control: at most
 * `windowChunks` frames are handed to `ws` and not yet written to the kernel, and nothing more
 * is read from the blob while the socket buffers a window's worth, so a peer that stops
 * reading holds at most about `windowChunks * chunk_size` bytes of this process, whatever the
 * file size.
 */
export class DownloadManager {
  readonly #artifacts: TransferArtifacts;
  readonly #window: number;
  readonly #downloads = new Map<string, LiveDownload>();
  readonly #stats: DownloadStats = { active: 0, peakBufferedBytes: 0, peakUnconfirmedFrames: 0, stalled: 0 };
  readonly #onError: (error: unknown, downloadId: string) => void;

  constructor(options: { artifacts: TransferArtifacts; windowChunks?: number; onError?: (error: unknown, downloadId: string) => void }) {
    this.#artifacts = options.artifacts;
    this.#window = options.windowChunks ?? LIMITS.transfer.windowChunks;
    this.#onError = options.onError ?? (() => {});
  }

  stats(): DownloadStats {
    let stalled = 0;
    for (const download of this.#downloads.values()) if (download.waiting) stalled++;
    return { ...this.#stats, active: this.#downloads.size, stalled };
  }

  /** Resolves and plans the download; `begin()` (after the answer went out) starts the frames. */
  async start(owner: DownloadOwner, params: DownloadStartParams): Promise<{ result: DownloadStartResult; begin: () => void }> {
    const target = await this.#artifacts.resolve(params.workspace_id, params.artifact_id, params.version_id);
    const offset = params.range?.offset ?? 0;
    if (offset > target.size_bytes) {
      throw new CairnError('invalid_params', `the range starts at ${offset}, past the version's ${target.size_bytes} bytes`, {
        details: { reason: 'range', size_bytes: target.size_bytes },
      });
    }
    const rest = target.size_bytes - offset;
    const length = params.range?.length === undefined ? rest : params.range.length;
    if (length > rest) {
      throw new CairnError('invalid_params', `the range ends at ${offset + length}, past the version's ${target.size_bytes} bytes`, {
        details: { reason: 'range', size_bytes: target.size_bytes },
      });
    }
    const chunkSize = params.chunk_size ?? LIMITS.transfer.chunkRecommendedBytes;
    const download: LiveDownload = {
      id: `dn_${randomBytes(12).toString('hex')}`,
      owner,
      workspaceId: params.workspace_id,
      target,
      offset,
      length,
      chunkSize,
      sent: 0,
      unconfirmed: 0,
      stopped: false,
      done: false,
      waiting: undefined,
      stream: undefined,
    };
    this.#downloads.set(download.id, download);
    const result: DownloadStartResult = {
      download_id: download.id,
      artifact_id: target.artifact_id,
      version_id: target.version_id,
      name: target.name,
      mime_type: target.mime_type,
      sha256: target.sha256,
      total_size_bytes: target.size_bytes,
      offset,
      length,
      chunk_size: chunkSize,
    };
    return {
      result,
      begin: () => {
        void this.#pump(download).catch((error: unknown) => {
          this.#onError(error, download.id);
          this.#stop(download);
        });
      },
    };
  }

  /** Releases a download the client has read to the end (or gives up on); false when unknown. */
  finish(principal: Principal, workspaceId: string, downloadId: string): { finished: boolean; bytes_sent: number } {
    const download = this.#owned(principal, workspaceId, downloadId);
    const finished = download.done;
    this.#stop(download);
    return { finished, bytes_sent: download.sent };
  }

  abort(principal: Principal, workspaceId: string, downloadId: string): boolean {
    const download = this.#owned(principal, workspaceId, downloadId);
    const wasRunning = !download.done;
    this.#stop(download);
    return wasRunning;
  }

  /** Stops every download of a connection that closed. */
  detach(socket: FrameSocket): void {
    for (const download of this.#downloads.values()) if (download.owner.socket === socket) this.#stop(download);
  }

  closeAll(): void {
    for (const download of this.#downloads.values()) this.#stop(download);
  }

  #owned(principal: Principal, workspaceId: string, downloadId: string): LiveDownload {
    const download = this.#downloads.get(downloadId);
    if (!download || download.owner.principal.token.token_id !== principal.token.token_id || download.workspaceId !== workspaceId) {
      throw new CairnError('not_found', 'no download with that id for this token', { details: { download_id: downloadId } });
    }
    return download;
  }

  #stop(download: LiveDownload): void {
    download.stopped = true;
    download.stream?.destroy();
    this.#downloads.delete(download.id);
    const wake = download.waiting;
    download.waiting = undefined;
    wake?.();
  }

  async #pump(download: LiveDownload): Promise<void> {
    const { offset, length, chunkSize } = download;
    if (length === 0) {
      await this.#send(download, new Uint8Array(0), true);
      return;
    }
    const stream = await this.#artifacts.open(download.target, { start: offset, end: offset + length - 1 });
    download.stream = stream;
    if (download.stopped) {
      stream.destroy();
      return;
    }
    const parts: Buffer[] = [];
    let held = 0;
    for await (const piece of stream as AsyncIterable<Buffer>) {
      parts.push(piece);
      held += piece.length;
      while (held >= chunkSize && download.sent + chunkSize < length) {
        const all = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
        const chunk = all.subarray(0, chunkSize);
        parts.length = 0;
        if (all.length > chunkSize) parts.push(all.subarray(chunkSize));
        held -= chunkSize;
        if (!(await this.#send(download, chunk, false))) return;
      }
    }
    const last = Buffer.concat(parts);
    if (download.sent + last.length !== length) {
      throw new CairnError('storage_failed', `the blob ended after ${download.sent + last.length} of ${length} bytes`);
    }
    await this.#send(download, last, true);
  }

  /** Sends one frame once the window has room; false when the download stopped meanwhile. */
  async #send(download: LiveDownload, bytes: Uint8Array, final: boolean): Promise<boolean> {
    const socket = download.owner.socket;
    const budget = this.#window * (download.chunkSize + 1024);
    while (!download.stopped && (download.unconfirmed >= this.#window || socket.bufferedAmount >= budget)) {
      await new Promise<void>((resolve) => {
        download.waiting = resolve;
      });
    }
    if (download.stopped || socket.readyState !== 1) return false;
    const frame = encodeDownloadFrame(
      {
        download_id: download.id,
        artifact_id: download.target.artifact_id,
        version_id: download.target.version_id,
        offset: download.offset + download.sent,
        len: bytes.length,
        total_size_bytes: download.target.size_bytes,
        chunk_sha256: createHash('sha256').update(bytes).digest('hex'),
        final_chunk: final,
      },
      bytes,
    );
    download.unconfirmed++;
    download.sent += bytes.length;
    if (download.unconfirmed > this.#stats.peakUnconfirmedFrames) this.#stats.peakUnconfirmedFrames = download.unconfirmed;
    socket.send(frame, { binary: true }, () => {
      download.unconfirmed--;
      const wake = download.waiting;
      download.waiting = undefined;
      wake?.();
    });
    if (socket.bufferedAmount > this.#stats.peakBufferedBytes) this.#stats.peakBufferedBytes = socket.bufferedAmount;
    if (final) download.done = true;
    return true;
  }
}
