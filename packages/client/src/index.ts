import { createClientWithTransport } from './client/create-client.js';
import type { CairnClientOptions } from './client/options.js';
import type { CairnClient } from './client/types.js';
import { nodeDefaultTransport } from './transport/node-transport.js';

/**
 * Connects to a Cairn gateway. In Node the default transport is the `ws` package, loaded on
 * first connect; browsers resolve this package to `browser.ts` (the `browser` export
 * condition), which never names `ws`.
 */
export function createCairnClient(options: CairnClientOptions): CairnClient {
  return createClientWithTransport(options, nodeDefaultTransport);
}

export * from './public-api.js';

// Artifact transfer helpers (Node: they read and write files).
export { upload, hashFile, type UploadOptions, type UploadResult, type UploadSource } from './transfer/upload.js';
export { download, type DownloadOptions, type DownloadRef, type DownloadResult } from './transfer/download.js';
export type { ProgressHandler, TransferProgress } from './transfer/transfer-common.js';
