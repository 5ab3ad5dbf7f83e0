import type { HandlerGroup } from '../router.js';

/**
 * `artifact/upload/*` and `artifact/download/*`: the JSON-RPC half of artifact transfer (the
 * bytes travel in `CAUP`/`CADN` binary frames, see `src/transfer`). An upload session belongs
 * to the token that started it: another token, even of the same workspace, is told
 * `not_found`. `finish` writes (the artifact's events wake the hub, which sends
 * `artifact/created` and `thread/artifacts/changed` from the journal).
 */
export const transferHandlers: HandlerGroup = {
  'artifact/upload/start': {
    access: 'workspace',
    handle: async (params, { principal, services }) => ({ upload: await services.transfer.uploads.start(principal, params) }),
  },
  'artifact/upload/status': {
    access: 'workspace',
    handle: async (params, { principal, services }) => ({ upload: await services.transfer.uploads.status(principal, params.workspace_id, params.upload_id) }),
  },
  'artifact/upload/finish': {
    access: 'workspace',
    writes: true,
    handle: async (params, { principal, services }) => ({
      upload_id: params.upload_id,
      artifact: await services.transfer.uploads.finish(principal, params.workspace_id, params.upload_id),
    }),
  },
  'artifact/upload/abort': {
    access: 'workspace',
    handle: async (params, { principal, services }) => ({ aborted: await services.transfer.uploads.abort(principal, params.workspace_id, params.upload_id) }),
  },
  'artifact/download/start': {
    access: 'workspace',
    async handle(params, { principal, session, services }) {
      const { result, begin } = await services.transfer.downloads.start({ principal, socket: session.socket }, params);
      // The answer goes out when this returns; the first CADN frame after it.
      setImmediate(begin);
      return result;
    },
  },
  'artifact/download/finish': {
    access: 'workspace',
    handle: async (params, { principal, services }) => services.transfer.downloads.finish(principal, params.workspace_id, params.download_id),
  },
  'artifact/download/abort': {
    access: 'workspace',
    handle: async (params, { principal, services }) => ({ aborted: services.transfer.downloads.abort(principal, params.workspace_id, params.download_id) }),
  },
};
