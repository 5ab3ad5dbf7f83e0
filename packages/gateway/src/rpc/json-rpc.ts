import { isCairnError, rpcCodeFor, type ErrorCode } from '@cairn/protocol';

/** A request id as JSON-RPC 2.0 allows it; `null` for the answer to a frame whose id could not be read. */
export type RpcId = string | number | null;

/** One request of a frame, after the envelope checks. `id` undefined: a notification (no answer). */
export interface RpcRequest {
  id: RpcId | undefined;
  method: string;
  params: unknown;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data: { code: ErrorCode; details?: Record<string, unknown> };
}

export type RpcResponse = { jsonrpc: '2.0'; id: RpcId; result: unknown } | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

/** What one inbound frame is: a single request, a batch, or a frame answered with one error before anything runs. */
export type ParsedFrame =
  | { kind: 'single'; entry: RpcRequest | RpcResponse }
  | { kind: 'batch'; entries: Array<RpcRequest | RpcResponse> }
  | { kind: 'invalid'; response: RpcResponse };

export interface FrameLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Requests one batch may hold. */
  maxBatch: number;
}

export function errorResponse(id: RpcId, code: ErrorCode, message: string, details?: Record<string, unknown>): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code: rpcCodeFor(code), message, data: details ? { code, details } : { code } } };
}

/**
 * The one parser every inbound text frame goes through: JSON, nesting depth, then the
 * JSON-RPC 2.0 envelope of each request. What fails here is answered without running
 * anything; an entry of a batch that fails is answered in its place (the others still run).
 * Never throws.
 */
export function parseFrame(text: string, limits: FrameLimits): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', response: errorResponse(null, 'parse_error', 'the frame is not valid JSON') };
  }
  const depth = nestingDepth(value, limits.maxDepth);
  if (depth > limits.maxDepth) {
    return { kind: 'invalid', response: errorResponse(null, 'invalid_request', `the frame nests deeper than ${limits.maxDepth} levels`, { max_depth: limits.maxDepth }) };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { kind: 'invalid', response: errorResponse(null, 'invalid_request', 'an empty batch') };
    if (value.length > limits.maxBatch) {
      return {
        kind: 'invalid',
        response: errorResponse(null, 'invalid_request', `a batch holds at most ${limits.maxBatch} requests; this one has ${value.length}`, {
          limit: limits.maxBatch,
          size: value.length,
        }),
      };
    }
    return { kind: 'batch', entries: value.map(readRequest) };
  }
  return { kind: 'single', entry: readRequest(value) };
}

/** A request, or the error answer for a malformed one (its id kept when it was readable). */
function readRequest(value: unknown): RpcRequest | RpcResponse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return errorResponse(null, 'invalid_request', 'a request is a JSON object');
  }
  const request = value as Record<string, unknown>;
  const id = request.id;
  const idOk = id === undefined || id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  const answerId: RpcId = idOk && id !== undefined ? (id as RpcId) : null;
  if (!idOk || (typeof id === 'string' && id.length > 256)) {
    return errorResponse(null, 'invalid_request', 'id must be a string of at most 256 characters, a number or null');
  }
  if (request.jsonrpc !== '2.0') return errorResponse(answerId, 'invalid_request', 'jsonrpc must be "2.0"');
  if (typeof request.method !== 'string' || request.method.length === 0 || request.method.length > 200) {
    return errorResponse(answerId, 'invalid_request', 'method must be a non-empty string');
  }
  const params = request.params;
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return errorResponse(answerId, 'invalid_params', 'params must be an object (by-name parameters)');
  }
  return { id: id as RpcId | undefined, method: request.method, params: params ?? {} };
}

export function isResponse(entry: RpcRequest | RpcResponse): entry is RpcResponse {
  return (entry as RpcResponse).jsonrpc === '2.0';
}

/** Nesting depth of a parsed JSON value, iteratively (a hostile frame must not overflow the stack); stops counting past `cap`. */
export function nestingDepth(value: unknown, cap: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) {
      max = depth;
      if (max > cap) return max;
    }
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return max;
}

/** A thrown value as the error object a client may see: a `CairnError`'s code, message and details; anything else `internal_error` with no detail. */
export function toRpcError(error: unknown, scrub: (value: unknown) => unknown): { error: RpcErrorObject; internal: boolean } {
  if (isCairnError(error)) {
    const e = error;
    const details = e.details === undefined ? undefined : (scrub(e.details) as Record<string, unknown>);
    return {
      error: { code: rpcCodeFor(e.code), message: String(scrub(e.message)), data: details ? { code: e.code, details } : { code: e.code } },
      internal: e.code === 'internal_error' || e.code === 'storage_failed',
    };
  }
  return { error: { code: rpcCodeFor('internal_error'), message: 'internal error; the gateway log has the details', data: { code: 'internal_error' } }, internal: true };
}
