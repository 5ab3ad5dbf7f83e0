/**
 * The part of the WHATWG WebSocket the client uses. The browser's `WebSocket`, Node 22's
 * global one and the `ws` package's `WebSocket` all fit it.
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued for sending (artifact transfer waits on it); absent on peers that do not report it. */
  readonly bufferedAmount?: number;
  /** How binary messages arrive: the client asks browsers for `arraybuffer`; `ws` delivers Buffers. */
  binaryType?: string;
  /** Text frames (JSON-RPC) and binary frames (`CAUP` upload chunks). */
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}

/**
 * A WebSocket constructor. The third argument is the `ws` package's options: the client
 * passes `{ headers: { Authorization } }` there when `auth` is `'header'`; a browser
 * constructor ignores it, which is why browsers authenticate with the subprotocol instead.
 */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => WebSocketLike;

/** How the token travels: the `Authorization: Bearer` header (Node, `ws`) or the `cairn.bearer.<token>` subprotocol (browsers). */
export type AuthTransport = 'header' | 'protocol';

/** What an entry point uses when `options.WebSocket` is not given. */
export type DefaultTransport = () => Promise<{ WebSocket: WebSocketConstructor; auth: AuthTransport }>;

export const BEARER_PROTOCOL_PREFIX = 'cairn.bearer.';
/** The subprotocol offered beside the bearer entry; the gateway selects it, so the token is never echoed back in the handshake answer. */
export const CAIRN_SUBPROTOCOL = 'cairn.v1';

/** The global `WebSocket` of browsers, Deno, Bun and Node 22, if there is one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  const candidate = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof candidate === 'function' ? (candidate as WebSocketConstructor) : undefined;
}
