import { CairnError, checkValue } from '@cairn/protocol';
import type { Static, TSchema } from '@cairn/protocol';

/**
 * Checks params against their protocol schema: library callers get the same `invalid_params`
 * answer (with the failing paths in `details.issues`) that the gateway gives on the wire.
 */
export function parseParams<T extends TSchema>(schema: T, params: unknown, operation: string): Static<T> {
  const result = checkValue(schema, params);
  if (result.ok) return result.value;
  const first = result.issues[0];
  const where = first ? `${first.path || 'params'} ${first.message}` : 'params do not match the schema';
  throw new CairnError('invalid_params', `${operation}: ${where}`, { details: { operation, issues: result.issues } });
}
