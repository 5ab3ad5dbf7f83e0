import type { IncomingHttpHeaders } from 'node:http';

/** The subprotocol a browser offers beside `cairn.bearer.<token>`; the gateway selects it, so the token is never echoed back. */
export const CAIRN_SUBPROTOCOL = 'cairn.v1';
const BEARER_PROTOCOL_PREFIX = 'cairn.bearer.';
/** A bearer value is `cairn_` and 43 base64url characters; anything far longer is not one of ours. */
const MAX_BEARER_LENGTH = 512;

/**
 * The bearer token of a handshake: `Authorization: Bearer <token>`, else (browsers cannot set
 * headers on a WebSocket) a `Sec-WebSocket-Protocol` entry `cairn.bearer.<token>`. Undefined
 * when neither is present or well-formed.
 */
export function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
    return match && match[1]!.length <= MAX_BEARER_LENGTH ? match[1] : undefined;
  }
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const entry of protocols.split(',')) {
      const protocol = entry.trim();
      if (protocol.startsWith(BEARER_PROTOCOL_PREFIX)) {
        const token = protocol.slice(BEARER_PROTOCOL_PREFIX.length);
        return token.length > 0 && token.length <= MAX_BEARER_LENGTH ? token : undefined;
      }
    }
  }
  return undefined;
}

/**
 * The subprotocol the gateway answers with: `cairn.v1` when offered. A browser that offered
 * only the bearer entry gets no subprotocol header, which browsers refuse: they must offer
 * `cairn.v1` too (the client does).
 */
export function selectProtocol(protocols: ReadonlySet<string>): string | false {
  return protocols.has(CAIRN_SUBPROTOCOL) ? CAIRN_SUBPROTOCOL : false;
}
