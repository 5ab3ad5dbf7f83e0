import { createClientWithTransport } from './client/create-client.js';
import type { CairnClientOptions } from './client/options.js';
import type { CairnClient } from './client/types.js';
import { browserDefaultTransport } from './transport/browser-transport.js';

/** The browser build of `createCairnClient`: the global WebSocket, the token in the subprotocol. */
export function createCairnClient(options: CairnClientOptions): CairnClient {
  return createClientWithTransport(options, browserDefaultTransport);
}

export * from './public-api.js';

// Artifact transfer helpers (browser: Blobs and web streams; the protocol core is shared with the Node entry).
export { upload, download, hashBlob, type BrowserUploadSource, type BrowserDownloadSink } from './transfer/browser-transfer.js';
export type { UploadCoreOptions as UploadOptions, UploadResult } from './transfer/upload-core.js';
export type { DownloadOptions, DownloadRef, DownloadResult } from './transfer/download-core.js';
export type { ProgressHandler, TransferProgress } from './transfer/transfer-common.js';
