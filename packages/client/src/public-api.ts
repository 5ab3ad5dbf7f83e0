// What both entry points (index.ts for Node, browser.ts for browsers) export besides createCairnClient.
export {
  CairnClientError,
  CairnRpcError,
  CLIENT_ERROR_CODES,
  hasRpcErrorCode,
  isCairnClientError,
  isCairnRpcError,
  type ClientErrorCode,
} from './errors/client-errors.js';
export { reconnectDelay, type CairnClientOptions, type ReconnectOptions } from './client/options.js';
export type {
  BatchEntry,
  BatchOutcome,
  BatchOutcomes,
  CairnClient,
  ConnectionChange,
  ConnectionState,
  RpcMethods,
  Unsubscribe,
} from './client/types.js';
export { BEARER_PROTOCOL_PREFIX, CAIRN_SUBPROTOCOL, type AuthTransport, type WebSocketConstructor, type WebSocketLike } from './transport/websocket-like.js';
export { CLOSE_RESYNC_REQUIRED, CLOSE_UNAUTHORIZED } from './client/connection.js';
