import { CairnError } from '@cairn/protocol';

/** Most events one read returns; pages go on from the last seq or position seen. */
export const MAX_READ_LIMIT = 10_000;

export function assertCursor(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CairnError('invalid_params', `${name} must be a non-negative integer`);
  }
}

export function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    throw new CairnError('invalid_params', `limit must be an integer from 1 to ${MAX_READ_LIMIT}`);
  }
}
