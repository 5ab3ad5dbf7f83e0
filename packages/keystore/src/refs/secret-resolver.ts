import { CairnError, parseSecretRef, type SecretRef } from '@cairn/protocol';
import type { Keystore } from '../keystore.js';

export interface SecretResolver {
  /**
   * The value a ref names, read at call time (never cached, so a `set` or rotation is seen at
   * once). `invalid_params`/`invalid_secret_id` for a malformed ref, `not_found` for a missing
   * entry (details carry the ref, which is not secret).
   */
  resolve(ref: SecretRef | string): Promise<string>;
  /** Like `resolve`, but a missing entry is `undefined`. */
  resolveOptional(ref: SecretRef | string): Promise<string | undefined>;
}

/** What the gateway calls at the moment it needs a value (provider request, MCP launch, token check). */
export function createSecretResolver(keystore: Pick<Keystore, 'get'>): SecretResolver {
  const resolveOptional = async (ref: SecretRef | string): Promise<string | undefined> => {
    const { service, id } = parseSecretRef(ref);
    return keystore.get(service, id);
  };
  return {
    resolveOptional,
    async resolve(ref) {
      const { ref: canonical } = parseSecretRef(ref);
      const value = await resolveOptional(canonical);
      if (value === undefined) throw new CairnError('not_found', `no secret at ${canonical}`, { details: { ref: canonical } });
      return value;
    },
  };
}
