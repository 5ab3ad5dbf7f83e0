import { ARTIFACT_KINDS, LIMITS, PROJECTION_KINDS } from '@cairn/protocol';
import type { HandlerGroup } from '../router.js';

/** The chunk size `artifact/capabilities` recommends for uploads over the socket (PROTOCOL.md: 256 KiB). */
const RECOMMENDED_CHUNK_BYTES = 256 * 1024;

/*
 * `artifact/*` metadata methods. Every one names its workspace (the token must reach it); the
 * store answers an id of another workspace exactly like an unknown one (`not_found`), and a
 * draft thread that is not materialized is `not_found` for `list/thread`. Quotas are the
 * gateway's `[quotas]`. `artifact/read` reads small text through the artifact service. The
 * writes are journaled, so their notifications reach subscribers through the hub.
 */
export const artifactHandlers: HandlerGroup = {
  'artifact/capabilities': {
    access: 'workspace',
    async handle(params, { services }) {
      const { settings } = services;
      return {
        kinds: [...ARTIFACT_KINDS],
        projection_kinds: [...PROJECTION_KINDS],
        quotas: settings.quotas,
        usage: await services.store.artifacts.usage(params),
        inline_read_max_bytes: Math.min(settings.limits.inline_read_max_bytes, LIMITS.artifact.readMaxBytes),
        max_chunk_bytes: settings.limits.max_chunk_bytes,
        recommended_chunk_bytes: Math.min(RECOMMENDED_CHUNK_BYTES, settings.limits.max_chunk_bytes),
      };
    },
  },
  'artifact/list': { access: 'workspace', handle: (params, { services }) => services.store.artifacts.list(params) },
  'artifact/list/thread': { access: 'workspace', handle: (params, { services }) => services.store.artifacts.listByThread(params) },
  'artifact/list/turn': { access: 'workspace', handle: (params, { services }) => services.store.artifacts.listByTurn(params) },
  'artifact/list/message': { access: 'workspace', handle: (params, { services }) => services.store.artifacts.listByMessage(params) },
  'artifact/get': { access: 'workspace', handle: (params, { services }) => services.store.artifacts.get(params) },
  'artifact/read': {
    access: 'workspace',
    handle: (params, { services }) =>
      services.artifacts.readText({ ...params, max_bytes: Math.min(params.max_bytes ?? services.settings.limits.inline_read_max_bytes, LIMITS.artifact.readMaxBytes) }),
  },
  'artifact/bind': { access: 'workspace', writes: true, handle: (params, { services }) => services.store.artifacts.bind(params) },
  'artifact/delete': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ artifact: await services.store.artifacts.delete(params) }),
  },
  'artifact/restore': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ artifact: await services.store.artifacts.restore(params, { quotas: services.settings.quotas }) }),
  },
};
