import { CairnError } from '../errors/cairn-error.js';
import { checkSecretId, checkSecretService } from './secret-rules.js';

/**
 * Throws `invalid_secret_id` naming the field and the rule broken. The offending text is not
 * echoed: an id is not secret, but a caller that passed a value where an id belongs would
 * otherwise see its secret in a log.
 */
export function assertSecretAddress(service: unknown, id: unknown): asserts service is string {
  const problem = checkSecretService(service) ?? checkSecretId(id);
  if (problem) {
    throw new CairnError('invalid_secret_id', problem.message, { details: { field: problem.field, rule: problem.rule } });
  }
}
