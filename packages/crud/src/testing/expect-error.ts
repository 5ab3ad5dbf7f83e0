import { expect } from '@jest/globals';
import type { ErrorCode } from '@cairn/protocol';

/** Awaits `promise`, expecting it to reject with a CairnError of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<{ code: string; message: string; details?: unknown }> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeDefined();
  const error = caught as { name?: string; code?: string; message: string; details?: unknown };
  expect({ name: error.name, code: error.code }).toEqual({ name: 'CairnError', code });
  return error as { code: string; message: string; details?: unknown };
}
