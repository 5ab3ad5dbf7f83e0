import { ERROR_CODES, isErrorCode, type ErrorCode } from '@cairn/protocol';

/**
 * The gateway answered a request with a JSON-RPC error. `code` is the stable string from
 * `error.data.code` (ERRORS.md in @cairn/protocol), `rpcCode` the JSON-RPC number.
 * Recognise it with `isCairnRpcError` / `hasRpcErrorCode`, not `instanceof`: two copies of
 * this module in one bundle would break `instanceof`.
 */
export class CairnRpcError extends Error {
  override readonly name = 'CairnRpcError';
  readonly rpcCode: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** The method whose call failed. */
  readonly method: string;
  /** `data.code` exactly as sent; differs from `code` only when a newer gateway sent a code this build does not know. */
  readonly wireCode: string | undefined;

  constructor(init: { method: string; rpcCode: number; code: ErrorCode; message: string; details?: Record<string, unknown>; wireCode?: string }) {
    super(init.message);
    this.method = init.method;
    this.rpcCode = init.rpcCode;
    this.code = init.code;
    this.details = init.details;
    this.wireCode = init.wireCode;
  }
}

/**
 * What went wrong on this side of the wire: the call never got an answer. `connection_lost`
 * means the call was sent and the socket dropped before the answer, so it may or may not
 * have run on the gateway (retry only what is idempotent, e.g. with an idempotency key).
 */
export const CLIENT_ERROR_CODES = {
  unauthorized: 'The gateway refused the token at the handshake (HTTP 401) or revoked it (close code 4001); not retried.',
  connection_lost: 'The socket closed after the call was sent and before its answer.',
  request_timeout: 'No answer within requestTimeoutMs (counted from the call, queue time included).',
  queue_full: 'The client is reconnecting and maxQueuedCalls calls are already waiting.',
  client_closed: 'close() was called; the client sends nothing more.',
  reconnect_exhausted: 'reconnect.maxAttempts consecutive connection attempts failed.',
  transport_unavailable: 'No WebSocket implementation: pass options.WebSocket, or install ws in Node.',
  invalid_url: 'The WebSocket constructor refused the url.',
  transfer_failed: 'An upload or download could not complete: a chunk failed its check, the peer sent what was not asked for, or it was interrupted more than maxRetries times.',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;

export class CairnClientError extends Error {
  override readonly name = 'CairnClientError';
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isCairnRpcError(error: unknown): error is CairnRpcError {
  return nameIs(error, 'CairnRpcError') && isErrorCode((error as { code?: unknown }).code);
}

export function hasRpcErrorCode(error: unknown, code: ErrorCode): error is CairnRpcError {
  return isCairnRpcError(error) && error.code === code;
}

export function isCairnClientError(error: unknown, code?: ClientErrorCode): error is CairnClientError {
  if (!nameIs(error, 'CairnClientError')) return false;
  const actual = (error as { code?: unknown }).code;
  return typeof actual === 'string' && Object.hasOwn(CLIENT_ERROR_CODES, actual) && (code === undefined || actual === code);
}

function nameIs(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

const CODE_OF_RPC = new Map<number, ErrorCode>(Object.entries(ERROR_CODES).map(([code, { rpc }]) => [rpc, code as ErrorCode]));

/**
 * Builds the error of a JSON-RPC error member. A code this build does not know (a newer
 * gateway) falls back to the code of its JSON-RPC number, else `internal_error`, and keeps
 * the original in `wireCode`, so a caller never sees a `code` outside `ErrorCode`.
 */
export function rpcErrorFromWire(method: string, wire: unknown): CairnRpcError {
  const error = isRecord(wire) ? wire : {};
  const rpcCode = typeof error.code === 'number' ? error.code : ERROR_CODES.internal_error.rpc;
  const message = typeof error.message === 'string' ? error.message : 'the gateway answered an error without a message';
  const data = isRecord(error.data) ? error.data : {};
  const wireCode = typeof data.code === 'string' ? data.code : undefined;
  const code = isErrorCode(wireCode) ? wireCode : (CODE_OF_RPC.get(rpcCode) ?? 'internal_error');
  const details = isRecord(data.details) ? data.details : undefined;
  return new CairnRpcError({ method, rpcCode, code, message, ...(details ? { details } : {}), ...(wireCode ? { wireCode } : {}) });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
