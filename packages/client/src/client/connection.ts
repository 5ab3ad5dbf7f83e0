import { CairnClientError } from '../errors/client-errors.js';
import { BEARER_PROTOCOL_PREFIX, CAIRN_SUBPROTOCOL, type AuthTransport, type WebSocketConstructor, type WebSocketLike } from '../transport/websocket-like.js';

/** Why a socket went away, as the session needs it to decide between reconnecting and stopping. */
export interface SocketDown {
  opened: boolean;
  code: number | undefined;
  reason: string;
  /** The HTTP status of a refused handshake, when the transport reports it (`ws` does, browsers do not). */
  httpStatus: number | undefined;
}

export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  down(info: SocketDown): void;
}

/** Close codes the gateway uses (PROTOCOL.md): 4000 slow consumer, reconnect and resume; 4001 token revoked, stop. */
export const CLOSE_RESYNC_REQUIRED = 4000;
export const CLOSE_UNAUTHORIZED = 4001;

/**
 * Opens one socket and reports its life through `handlers`, each event at most once and
 * `down` exactly once (also for a handshake that never opens in `connectTimeoutMs`).
 */
export function openSocket(
  WebSocket: WebSocketConstructor,
  auth: AuthTransport,
  url: string,
  token: string,
  connectTimeoutMs: number,
  handlers: SocketHandlers,
): WebSocketLike {
  let socket: WebSocketLike;
  try {
    socket =
      auth === 'header'
        ? new WebSocket(url, [], { headers: { Authorization: `Bearer ${token}` } })
        : new WebSocket(url, [CAIRN_SUBPROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`]);
  } catch (cause) {
    throw new CairnClientError('invalid_url', `cannot open a WebSocket to ${url}`, { cause });
  }
  // Browsers deliver binary messages as Blobs unless asked otherwise; `ws` defaults to Buffers.
  if (socket.binaryType === 'blob') socket.binaryType = 'arraybuffer';
  let opened = false;
  let down = false;
  let httpStatus: number | undefined;
  const timer = setTimeout(() => {
    if (!opened) abort(socket);
  }, connectTimeoutMs);
  socket.addEventListener('open', () => {
    opened = true;
    clearTimeout(timer);
    handlers.open();
  });
  socket.addEventListener('message', (event: { data: unknown }) => {
    if (!down) handlers.message(event.data);
  });
  socket.addEventListener('error', (event: { message?: unknown; error?: { message?: unknown } }) => {
    httpStatus ??= handshakeStatus(event);
  });
  socket.addEventListener('close', (event: { code?: number; reason?: string }) => {
    clearTimeout(timer);
    if (down) return;
    down = true;
    handlers.down({ opened, code: event.code, reason: event.reason ?? '', httpStatus });
  });
  return socket;
}

/** `ws` words a refused upgrade as "Unexpected server response: 401"; browsers say nothing. */
function handshakeStatus(event: { message?: unknown; error?: { message?: unknown } }): number | undefined {
  const text = typeof event.message === 'string' ? event.message : event.error?.message;
  const match = typeof text === 'string' ? /Unexpected server response: (\d{3})/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}

/** Drops the socket now: `ws` has `terminate` (no closing handshake to wait 30 s for); others close. */
export function abort(socket: WebSocketLike): void {
  const terminate = (socket as { terminate?: () => void }).terminate;
  if (typeof terminate === 'function') terminate.call(socket);
  else socket.close();
}
