import { CairnError, isCairnError } from '@cairn/protocol';

/**
 * Wraps an infrastructure error (sqlite, migration, fs) at the package edge. Their messages
 * carry paths and SQL, never values: statement parameters are not part of a SQLite message.
 */
export function wrapKeystoreError(error: unknown, context: string): CairnError {
  if (isCairnError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  if (code === 'busy') return new CairnError('busy', message, { cause: error });
  if (code === 'schema_too_new' || code === 'checksum_mismatch') return new CairnError(code, message, { cause: error });
  return new CairnError('storage_failed', message, { cause: error });
}

export function closedKeystoreError(): CairnError {
  return new CairnError('storage_failed', 'keystore is closed');
}
