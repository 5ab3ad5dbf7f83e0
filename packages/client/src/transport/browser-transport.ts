import { CairnClientError } from '../errors/client-errors.js';
import { globalWebSocket, type DefaultTransport } from './websocket-like.js';

/** Browsers: the global WebSocket, the token in the `cairn.bearer.<token>` subprotocol (a browser cannot set headers). */
export const browserDefaultTransport: DefaultTransport = async () => {
  const WebSocket = globalWebSocket();
  if (!WebSocket) throw new CairnClientError('transport_unavailable', 'this environment has no global WebSocket: pass options.WebSocket');
  return { WebSocket, auth: 'protocol' };
};
