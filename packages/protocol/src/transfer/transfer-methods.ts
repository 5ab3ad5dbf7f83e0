import { defineMethods } from '../methods/define-methods.js';
import {
  DownloadAbortResult,
  DownloadFinishResult,
  DownloadRefParams,
  DownloadStartParams,
  DownloadStartResult,
  UploadAbortResult,
  UploadFinishResult,
  UploadRefParams,
  UploadStartParams,
  UploadStartResult,
  UploadStatusResult,
} from './transfer-schemas.js';

/**
 * Artifact transfer over the socket (PROTOCOL.md "Binary frames"): uploads in `CAUP` frames
 * between `start` and `finish`, downloads in `CADN` frames after `download/start`.
 */
export const transferMethods = defineMethods({
  'artifact/upload/start': { params: UploadStartParams, result: UploadStartResult },
  'artifact/upload/status': { params: UploadRefParams, result: UploadStatusResult },
  'artifact/upload/finish': { params: UploadRefParams, result: UploadFinishResult },
  'artifact/upload/abort': { params: UploadRefParams, result: UploadAbortResult },
  'artifact/download/start': { params: DownloadStartParams, result: DownloadStartResult },
  'artifact/download/finish': { params: DownloadRefParams, result: DownloadFinishResult },
  'artifact/download/abort': { params: DownloadRefParams, result: DownloadAbortResult },
});
