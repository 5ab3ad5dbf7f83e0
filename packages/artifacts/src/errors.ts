import { CairnError, type ErrorCode } from '@cairn/protocol';

/**
 * The one way this package raises an error: a `CairnError` with a stable code and details a
 * client may see (never a secret, never a host path beyond what the caller named).
 */
export function artifactError(code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): CairnError {
  return new CairnError(code, message, { ...(details === undefined ? {} : { details }), ...(cause === undefined ? {} : { cause }) });
}

/** Wraps an I/O failure at the package edge as `storage_failed`, keeping a CairnError as it is. */
export function storageFailed(what: string, error: unknown): CairnError {
  if (error instanceof CairnError) return error;
  return artifactError('storage_failed', `${what}: ${(error as Error).message}`, { errno: (error as NodeJS.ErrnoException).code }, error);
}
