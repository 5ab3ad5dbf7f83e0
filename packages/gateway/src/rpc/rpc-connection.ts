import type { RawData, WebSocket } from 'ws';
import { CairnError } from '@cairn/protocol';
import type { RateLimiter } from '../auth/rate-limiter.js';
import { CLOSE, Session } from '../session/session.js';
import { errorResponse, isResponse, parseFrame, toRpcError, type FrameLimits, type RpcRequest, type RpcResponse } from './json-rpc.js';
import type { Router } from './router.js';
import type { GatewayServices } from './services.js';
import type { Principal } from '../auth/principal.js';

export interface ConnectionOptions {
  router: Router;
  services: GatewayServices;
  rateLimiter: RateLimiter;
  frameLimits: FrameLimits;
  maxInFlight: number;
  /** False once shutdown began: new requests are answered `unavailable`. */
  accepting: () => boolean;
  /** Counts a request in flight across the gateway, so shutdown can wait for them. */
  track: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * Serves one WebSocket: every text frame through the one parser, each request through the
 * router, each answer (or error) back on the same socket. Listeners are attached before any
 * await, so no frame is dropped. A binary `CAUP` frame is an upload chunk (`src/transfer`);
 * any other binary frame is refused with a close (1003).
 */
export function serveConnection(socket: WebSocket, principal: Principal, options: ConnectionOptions): Session {
  const { services } = options;
  const session = new Session(socket, principal, services.settings.limits.notification_buffer_bytes);
  services.sessions.add(session);
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) {
      // CAUP upload chunks go to the transfer layer (which answers a malformed one `invalid_frame`
      // and keeps the connection); any other binary frame is not Cairn's: close 1003.
      if (services.transfer.onBinaryFrame(session, binaryBytes(data))) return;
      services.metrics.rejected.inc({ reason: 'binary_frame' });
      session.send(errorResponse(null, 'invalid_request', 'binary frames other than CAUP upload chunks are not accepted on this connection'));
      session.close(CLOSE.unsupportedData);
      return;
    }
    void onFrame(session, rawText(data), options);
  });
  socket.on('close', () => {
    session.markClosed();
    services.sessions.delete(session);
    services.hub.detach(session);
    services.transfer.detach(session);
  });
  socket.on('error', (error) => services.log.debug({ err: error, session: session.id }, 'websocket error'));
  return session;
}

function binaryBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

async function onFrame(session: Session, text: string, options: ConnectionOptions): Promise<void> {
  const parsed = parseFrame(text, options.frameLimits);
  if (parsed.kind === 'invalid') {
    options.services.metrics.rejected.inc({ reason: parsed.response.jsonrpc === '2.0' && 'error' in parsed.response ? parsed.response.error.data.code : 'invalid' });
    session.send(parsed.response);
    return;
  }
  if (parsed.kind === 'single') {
    const response = await answer(session, parsed.entry, options);
    if (response) session.send(response);
    return;
  }
  // A batch: entries run one after another, in order (a later one may depend on an earlier one);
  // the answers go back as one array, notifications leaving no entry (JSON-RPC 2.0 §6).
  const responses: RpcResponse[] = [];
  for (const entry of parsed.entries) {
    const response = await answer(session, entry, options);
    if (response) responses.push(response);
  }
  if (responses.length > 0) session.send(responses);
}

/** The answer to one entry; undefined for a notification (a request without id). */
async function answer(session: Session, entry: RpcRequest | RpcResponse, options: ConnectionOptions): Promise<RpcResponse | undefined> {
  if (isResponse(entry)) return entry;
  const { services } = options;
  const id = entry.id ?? null;
  const started = performance.now();
  let outcome = 'ok';
  try {
    if (!options.accepting()) throw new CairnError('unavailable', 'the gateway is shutting down; reconnect and retry');
    if (!(await services.tokens.stillValid(session.principal.token))) {
      setImmediate(() => session.close(CLOSE.unauthorized));
      throw new CairnError('unauthorized', 'the token was revoked or has expired');
    }
    if (session.inFlight >= options.maxInFlight) {
      throw new CairnError('rate_limited', `at most ${options.maxInFlight} requests may be in flight on one connection`, {
        details: { reason: 'in_flight', limit: options.maxInFlight, retry_after_ms: 10 },
      });
    }
    const wait = options.rateLimiter.take(session.principal.token.token_id);
    if (wait > 0) {
      throw new CairnError('rate_limited', 'too many requests for this token; retry after the delay', { details: { reason: 'rate', retry_after_ms: wait } });
    }
    session.inFlight++;
    let result: unknown;
    try {
      result = await options.track(options.router.dispatch(entry.method, entry.params, { principal: session.principal, session, services }));
    } finally {
      session.inFlight--;
    }
    return entry.id === undefined ? undefined : { jsonrpc: '2.0', id, result };
  } catch (error) {
    const { error: rpcError, internal } = toRpcError(error, (value) => services.redactor.redactDeep(value));
    outcome = rpcError.data.code;
    if (internal) services.log.error({ err: scrubError(error, services), method: entry.method, session: session.id }, 'request failed');
    return entry.id === undefined ? undefined : { jsonrpc: '2.0', id, error: rpcError };
  } finally {
    const method = options.router.has(entry.method) ? entry.method : 'unknown';
    services.metrics.requests.inc({ method, outcome });
    services.metrics.latency.observe({ method }, (performance.now() - started) / 1000);
  }
}

/** An internal error as it may be logged: message and stack through the redactor (a driver error may quote a statement's values). */
function scrubError(error: unknown, services: GatewayServices): unknown {
  if (!(error instanceof Error)) return services.redactor.redactDeep(error);
  return { name: error.name, message: services.redactor.redact(error.message), stack: error.stack === undefined ? undefined : services.redactor.redact(error.stack) };
}
