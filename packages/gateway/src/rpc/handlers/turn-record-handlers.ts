import type { HandlerGroup } from '../router.js';

/*
 * `turn/records/*`: what a runtime records beside a turn's events. Every method names its
 * workspace; the store answers `not_found` for an id of another workspace exactly as for an
 * unknown one. Recovery-job operations run on the gateway's clock (the wire forms carry no
 * `now`), and settling passes the workspace on, so a job of another workspace is `not_found`.
 */
export const turnRecordHandlers: HandlerGroup = {
  'turn/records/prompt_manifest/record': {
    access: 'workspace',
    writes: true,
    handle: (params, { services }) => services.store.turnRecords.recordPromptManifest(params),
  },
  'turn/records/prompt_manifest/get': {
    access: 'workspace',
    handle: async (params, { services }) => ({ manifest: await services.store.turnRecords.getPromptManifest(params) }),
  },
  'turn/records/skill/bind': { access: 'workspace', writes: true, handle: (params, { services }) => services.store.turnRecords.bindSkill(params) },
  'turn/records/mcp/bind': { access: 'workspace', writes: true, handle: (params, { services }) => services.store.turnRecords.bindMcp(params) },
  'turn/records/bindings/list': { access: 'workspace', handle: (params, { services }) => services.store.turnRecords.listBindings(params) },
  'turn/records/llm_context/retain': {
    access: 'workspace',
    writes: true,
    handle: (params, { services }) => services.store.turnRecords.retainLlmContext(params),
  },
  'turn/records/llm_context/get': {
    access: 'workspace',
    handle: async (params, { services }) => ({ llm_context: await services.store.turnRecords.getLlmContext(params) }),
  },
  'turn/records/recovery_job/claim': {
    access: 'optional_workspace',
    handle: async (params, { services }) => ({ job: await services.store.recoveryJobs.claim(params) }),
  },
  'turn/records/recovery_job/complete': {
    access: 'workspace',
    handle: async (params, { services }) => ({ job: await services.store.recoveryJobs.complete(params) }),
  },
  'turn/records/recovery_job/fail': {
    access: 'workspace',
    handle: async (params, { services }) => ({ job: await services.store.recoveryJobs.fail(params) }),
  },
  'turn/records/recovery_job/release': {
    access: 'workspace',
    handle: async (params, { services }) => ({ job: await services.store.recoveryJobs.release(params) }),
  },
  'turn/records/recovery_job/get': {
    access: 'workspace',
    handle: async (params, { services }) => ({ job: await services.store.recoveryJobs.get(params) }),
  },
  'turn/records/recovery_job/list': {
    access: 'workspace',
    handle: async (params, { services }) => ({ jobs: await services.store.recoveryJobs.listForTurn(params) }),
  },
  'turn/records/attachment/register': {
    access: 'workspace',
    handle: (params, { services }) => services.store.attachments.register(params),
  },
  'turn/records/attachment/mark_ready': {
    access: 'workspace',
    handle: async (params, { services }) => ({ attachment: await services.store.attachments.markReady(params) }),
  },
  'turn/records/attachment/mark_failed': {
    access: 'workspace',
    handle: async (params, { services }) => ({ attachment: await services.store.attachments.markFailed(params) }),
  },
  'turn/records/attachment/get': {
    access: 'workspace',
    handle: async (params, { services }) => ({ attachment: await services.store.attachments.get(params) }),
  },
  'turn/records/attachment/list': { access: 'workspace', handle: (params, { services }) => services.store.attachments.listForTurn(params) },
};
