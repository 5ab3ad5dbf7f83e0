import type { HandlerGroup } from '../router.js';

export const syncHandlers: HandlerGroup = {
  'sync/resume': {
    access: 'workspace',
    async handle(params, { services, session }) {
      const threads = params.thread_ids ?? 'all';
      const { head, replayed } = await services.hub.resume(session, params.workspace_id, params.after_seq, threads);
      return { head_seq: head, replayed, thread_ids: threads === 'all' ? null : [...threads] };
    },
  },
};
