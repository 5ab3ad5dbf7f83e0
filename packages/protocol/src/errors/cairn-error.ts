import { isErrorCode, type ErrorCode } from './error-codes.js';

export interface CairnErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The error type of every package above the storage primitives (crud, keystore, artifacts,
 * gateway). `message` and `details` may reach a client: they never carry a secret value.
 * Recognise it with `isCairnError`/`hasErrorCode`, not `instanceof`.
 */
export class CairnError extends Error {
  override readonly name = 'CairnError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CairnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isCairnError(error: unknown): error is CairnError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'CairnError' &&
    isErrorCode((error as { code?: unknown }).code)
  );
}

export function hasErrorCode(error: unknown, code: ErrorCode): error is CairnError {
  return isCairnError(error) && error.code === code;
}
