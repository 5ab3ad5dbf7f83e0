import type { HandlerGroup } from '../router.js';

export const turnHandlers: HandlerGroup = {
  'turn/start': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const result = await services.store.turns.start(params);
      // A fresh start (not a retry of one already running or ended) goes to the runtime, after commit.
      if (result.outcome === 'applied' && !result.duplicate) {
        services.hub.wake(params.workspace_id);
        services.agents.start(result.turn);
      }
      return result;
    },
  },
  'turn/cancel': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const result = await services.store.turns.cancel(params);
      services.agents.cancel(params.workspace_id, params.turn_id);
      return result;
    },
  },
  'turn/get': { access: 'workspace', handle: (params, { services }) => services.store.turns.get(params) },
  'turn/items': { access: 'workspace', handle: (params, { services }) => services.store.turns.items(params) },
  'turn/timeline': { access: 'workspace', handle: (params, { services }) => services.store.turns.timeline(params) },
  'turn/event/append': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const result = await services.store.turns.appendEvents(params);
      services.metrics.runtimeEvents.inc(result.results.filter((r) => r.position !== null && !r.duplicate).length);
      return result;
    },
  },
};
