import type { HandlerGroup } from '../router.js';

/**
 * `task/*`: the store does the work (validation, workspace scoping: another workspace's task,
 * thread or dependency is `not_found`, typed errors with nothing written); the scheduler is
 * told when something may now be due (`nudge`) or must stop here (`cancelTask`).
 */
export const taskHandlers: HandlerGroup = {
  'task/create': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const detail = await services.store.tasks.create(params);
      services.scheduler?.nudge();
      return detail;
    },
  },
  'task/get': { access: 'workspace', handle: (params, { services }) => services.store.tasks.get(params) },
  'task/list': { access: 'workspace', handle: (params, { services }) => services.store.tasks.list(params) },
  'task/tree': { access: 'workspace', handle: (params, { services }) => services.store.tasks.tree(params) },
  'task/events': { access: 'workspace', handle: (params, { services }) => services.store.tasks.events(params) },
  'task/cancel': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const task = await services.store.tasks.cancel(params);
      services.scheduler?.cancelTask(params.workspace_id, params.task_id);
      return { task };
    },
  },
  'task/pause': {
    access: 'workspace',
    writes: true,
    handle: async (params, { services }) => ({ task: await services.store.tasks.pause(params) }),
  },
  'task/resume': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const task = await services.store.tasks.resume(params);
      services.scheduler?.nudge();
      return { task };
    },
  },
  'task/reschedule': {
    access: 'workspace',
    writes: true,
    async handle(params, { services }) {
      const detail = await services.store.tasks.reschedule(params);
      services.scheduler?.nudge();
      return detail;
    },
  },
  'task/agenda': { access: 'workspace', handle: (params, { services }) => services.store.tasks.agenda(params) },
  'task/deliveries': { access: 'workspace', handle: (params, { services }) => services.store.tasks.deliveries(params) },
};
