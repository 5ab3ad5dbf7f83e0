import { CairnError, isCairnError } from '@cairn/protocol';

/** Lock waits and contention that outlasted every retry: the caller may try again. */
const BUSY_CODES: ReadonlySet<unknown> = new Set(['busy', 'lock_timeout', 'serialization_failure', 'deadlock']);

/**
 * Wraps an infrastructure error (sqlite, postgres, migration, fs) at the package edge. Their
 * messages carry paths and SQL, never values: statement parameters are not part of a SQLite
 * message, and the only parameters the keystore sends PostgreSQL are addresses, metadata and
 * ciphertext (a plaintext value never leaves the process). Their `details` (a path, a SQLite
 * code or SQLSTATE, schema differences) are kept for the same reason.
 */
export function wrapKeystoreError(error: unknown, context: string): CairnError {
  if (isCairnError(error)) return error;
  const { code, details: raw } = (error ?? {}) as { code?: unknown; details?: unknown };
  const message = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  const options = { cause: error, ...(typeof raw === 'object' && raw !== null ? { details: raw as Record<string, unknown> } : {}) };
  if (BUSY_CODES.has(code)) return new CairnError('busy', message, options);
  if (code === 'schema_too_new' || code === 'checksum_mismatch') return new CairnError(code, message, options);
  // The file's tables or triggers are not what the migrations made: tampering or a stray hand edit.
  if (code === 'schema_mismatch') return new CairnError('integrity_failed', message, options);
  return new CairnError('storage_failed', message, options);
}

export function closedKeystoreError(): CairnError {
  return new CairnError('storage_failed', 'keystore is closed');
}
