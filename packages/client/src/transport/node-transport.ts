import { CairnClientError } from '../errors/client-errors.js';
import { globalWebSocket, type DefaultTransport, type WebSocketConstructor } from './websocket-like.js';

/**
 * Node's default: the `ws` package, loaded on first connect (a dynamic import, so nothing of
 * it loads before it is needed), because it sends the `Authorization` header and reports the
 * HTTP status of a refused handshake, which is how a 401 becomes `unauthorized` instead of a
 * retry loop. Node 22's global WebSocket can do neither, so it is only the fallback when
 * `ws` is not installed. Outside Node (Deno, workers) the global WebSocket is used.
 */
export const nodeDefaultTransport: DefaultTransport = async () => {
  const global = globalWebSocket();
  const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (inNode || !global) {
    try {
      const ws = await import('ws');
      return { WebSocket: ws.WebSocket as unknown as WebSocketConstructor, auth: 'header' };
    } catch (cause) {
      if (!global) throw new CairnClientError('transport_unavailable', 'no WebSocket implementation: install ws or pass options.WebSocket', { cause });
    }
  }
  return { WebSocket: global as WebSocketConstructor, auth: 'protocol' };
};
