import { toSecretMetadata } from '@cairn/keystore';
import type { HandlerGroup } from '../router.js';

/**
 * Secrets are the operator's: keystore.db is not workspace scoped, so only an operator token
 * reaches them. A value goes in once and never comes back out: results and lists carry
 * metadata only, and the redactor learns the new value before the call answers (the keystore
 * notifies it), so it is scrubbed from every later log line, error and journal payload.
 */
export const secretHandlers: HandlerGroup = {
  'secret/set': {
    access: 'operator',
    async handle(params, { services }) {
      const info = await services.keystore.set(params.service, params.id, params.value, {
        ...(params.kind === undefined ? {} : { kind: params.kind }),
        ...(params.label === undefined ? {} : { label: params.label }),
      });
      return { secret: toSecretMetadata(info) };
    },
  },
  'secret/list': {
    access: 'operator',
    handle: async (params, { services }) => ({
      secrets: (await services.keystore.list(params.service === undefined ? {} : { service: params.service })).map(toSecretMetadata),
    }),
  },
  'secret/delete': {
    access: 'operator',
    handle: async (params, { services }) => ({ deleted: await services.keystore.delete(params.service, params.id) }),
  },
};
