import { createClientWithTransport } from './client/create-client.js';
import type { CairnClientOptions } from './client/options.js';
import type { CairnClient } from './client/types.js';
import { browserDefaultTransport } from './transport/browser-transport.js';

/** The browser build of `createCairnClient`: the global WebSocket, the token in the subprotocol. */
export function createCairnClient(options: CairnClientOptions): CairnClient {
  return createClientWithTransport(options, browserDefaultTransport);
}

export * from './public-api.js';
