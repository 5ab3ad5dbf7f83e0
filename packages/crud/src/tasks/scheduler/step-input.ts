import { CairnError } from '@cairn/protocol';

/** Checks a scheduler primitive's `now`, `owner` and bounds (they are library inputs, not wire params). */
export function checkStep(operation: string, input: { now?: unknown; owner?: unknown; lease_ms?: unknown; limit?: unknown }, needs: { owner?: boolean; lease?: boolean } = {}): void {
  const bad = (message: string) => new CairnError('invalid_params', `${operation}: ${message}`, { details: { operation } });
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) throw bad('now must be a valid Date');
  if (needs.owner && (typeof input.owner !== 'string' || input.owner.length === 0 || input.owner.length > 200)) throw bad('owner must be a non-empty string of at most 200 characters');
  if (needs.lease && (!Number.isInteger(input.lease_ms) || (input.lease_ms as number) < 1 || (input.lease_ms as number) > 86_400_000)) throw bad('lease_ms must be an integer from 1 to 86400000');
  if (input.limit !== undefined && (!Number.isInteger(input.limit) || (input.limit as number) < 1 || (input.limit as number) > 500)) throw bad('limit must be an integer from 1 to 500');
}
