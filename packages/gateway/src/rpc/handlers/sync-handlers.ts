import { CairnError } from '@cairn/protocol';
import type { HandlerGroup } from '../router.js';

export const syncHandlers: HandlerGroup = {
  'sync/resume': {
    access: 'workspace',
    async handle(params, { services, session }) {
      // A workspace that does not exist is not_found (no subscription is kept for it), and a
      // cursor past the journal's head (a client of a home restored from an older backup) would
      // silently skip every notification up to it: the client reloads from the head instead.
      await services.store.workspaces.get({ workspace_id: params.workspace_id });
      const head = await services.hub.head(params.workspace_id);
      if (params.after_seq > head) {
        throw new CairnError('snapshot_required', `after_seq ${params.after_seq} is past the head of this workspace's journal (${head}); reload the current state and resume from the head`, {
          details: { retention_seq: head, head_seq: head },
        });
      }
      const threads = params.thread_ids ?? 'all';
      const { head: resumedHead, replayed } = await services.hub.resume(session, params.workspace_id, params.after_seq, threads);
      return { head_seq: resumedHead, replayed, thread_ids: threads === 'all' ? null : [...threads] };
    },
  },
};
