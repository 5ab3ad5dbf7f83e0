import { NOT_ON_POSTGRES } from '@cairn/gateway';

/** Exit codes of every command (documented in the README; `cli.e2e.test.ts` checks them). */
export const EXIT = {
  ok: 0,
  /** A check found something (verify, doctor), or the operation failed. */
  failure: 1,
  /** The command line is wrong, or the operation does not exist on this backend. */
  usage: 2,
} as const;

/** The one error the CLI itself raises: `code` is `usage` for a wrong command line. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError('usage', message);

interface Described {
  code: string;
  message: string;
  exitCode: number;
}

/** Any thrown value as code, message and exit code, recognised by its `code` (never by `instanceof`: two copies of a module break it). */
export function describeError(error: unknown): Described {
  const { code, message, details } = (error ?? {}) as { code?: unknown; message?: unknown; details?: { reason?: unknown } };
  const text = typeof message === 'string' && message !== '' ? message : String(error);
  const stable = typeof code === 'string' ? code : 'internal_error';
  // 2: not a failure of the home but an operation this backend does not offer (backup/restore on PostgreSQL).
  const exitCode = stable === 'usage' || details?.reason === NOT_ON_POSTGRES ? EXIT.usage : EXIT.failure;
  return { code: stable, message: oneLine(text), exitCode };
}

/** One line on stderr: `cairn: <code>: <message>`, or `{"error":{"code","message"}}` with `--json`. Returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const { code, message, exitCode } = describeError(error);
  process.stderr.write(json ? `${JSON.stringify({ error: { code, message } })}\n` : `cairn: ${code}: ${message}\n`);
  return exitCode;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
