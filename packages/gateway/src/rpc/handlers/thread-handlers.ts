import { CairnError, LIMITS } from '@cairn/protocol';
import type { HandlerGroup } from '../router.js';

export const threadHandlers: HandlerGroup = {
  'thread/start': {
    access: 'workspace',
    writes: true,
    async handle(params, { services, session }) {
      // Checked before anything is written: the connection's subscriptions are bounded.
      const followed = session.subscriptions.get(params.workspace_id);
      const limit = LIMITS.sync.threadsPerConnection;
      if (followed && !followed.all && followed.threads.size >= limit && (params.thread_id === undefined || !followed.threads.has(params.thread_id))) {
        throw new CairnError('invalid_params', `this connection already follows ${limit} threads of the workspace: thread/unsubscribe some, or sync/resume the whole workspace`, {
          details: { limit },
        });
      }
      // Subscribed from the head before the write, so this connection is sent the thread's own
      // `thread/started` (and everything after); a connection already subscribed keeps its cursor.
      const head = await services.hub.head(params.workspace_id);
      const outcome = await services.store.threads.start(params);
      await services.hub.subscribe(session, params.workspace_id, [outcome.thread.thread_id], head);
      return { thread: outcome.thread, created: outcome.created };
    },
  },
  'thread/get': {
    access: 'workspace',
    async handle(params, { services }) {
      const thread = await services.store.threads.get(params);
      if (!params.include_lineage) return { thread };
      return { thread, lineage: await services.store.threads.lineage({ workspace_id: params.workspace_id, thread_id: params.thread_id }) };
    },
  },
  'thread/list': { access: 'workspace', handle: (params, { services }) => services.store.threads.list(params) },
  'thread/tree': { access: 'workspace', handle: (params, { services }) => services.store.threads.tree(params) },
  'thread/move': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ thread: await services.store.threads.move(params) }),
  },
  'thread/fork': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ thread: await services.store.threads.fork(params) }),
  },
  'thread/unsubscribe': {
    access: 'workspace',
    handle: async (params, { services, session }) => ({ unsubscribed: services.hub.unsubscribe(session, params.workspace_id, params.thread_id) }),
  },
  'thread/folder/create': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ folder: await services.store.folders.create(params) }),
  },
  'thread/folder/move': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ folder: await services.store.folders.move(params) }),
  },
  'thread/folder/delete': {
    access: 'workspace',
    writes: true,
    handle: (params, { services }) => services.store.folders.delete(params),
  },
  'thread/history': { access: 'workspace', handle: (params, { services }) => services.store.turns.history(params) },
  'thread/search': { access: 'workspace', handle: (params, { services }) => services.store.search.threads(params) },
};
