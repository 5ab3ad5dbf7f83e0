import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { bearerOf, selectProtocol } from '../auth/bearer.js';
import { principalOf, type Principal } from '../auth/principal.js';
import { RateLimiter } from '../auth/rate-limiter.js';
import { serveConnection } from './rpc-connection.js';
import { CLOSE } from '../session/session.js';
import type { Router } from './router.js';
import type { GatewayServices } from './services.js';

export interface RpcEndpoint {
  /** Stops taking new requests (they answer `unavailable`) and new connections (HTTP 503). */
  stopAccepting(): void;
  /** Resolves when every request in flight has answered. */
  idle(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    cairnPrincipal?: Principal;
  }
}

/**
 * `/rpc` (JSON-RPC 2.0 over WebSocket) and `/metrics` on the app. The handshake is
 * authenticated before the upgrade: no token, or one that is unknown, revoked or expired, is
 * HTTP 401 and no socket; past `max_connections`, HTTP 503. The frame limit is the WebSocket
 * server's `maxPayload` (a larger frame closes the socket with 1009).
 */
export async function registerRpc(app: FastifyInstance, router: Router, services: GatewayServices): Promise<RpcEndpoint> {
  const limits = services.settings.limits;
  let accepting = true;
  let inFlight = 0;
  let idleWaiters: Array<() => void> = [];
  const track = async <T>(work: Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await work;
    } finally {
      inFlight--;
      if (inFlight === 0 && idleWaiters.length > 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  };
  const rateLimiter = new RateLimiter(limits.requests_per_second_per_token);
  await app.register(websocket, {
    options: {
      maxPayload: limits.max_message_bytes,
      handleProtocols: (protocols) => selectProtocol(protocols),
      // Compression would let a small frame inflate past every limit, and costs CPU per message.
      perMessageDeflate: false,
    },
  });

  const authenticate = async (request: FastifyRequest, reply: FastifyReply, what: 'rpc' | 'metrics'): Promise<Principal | undefined> => {
    const bearer = bearerOf(request.headers);
    const token = bearer === undefined ? undefined : await services.tokens.authenticate(bearer);
    if (!token) {
      services.metrics.rejected.inc({ reason: 'unauthorized' });
      await reply.code(401).header('www-authenticate', 'Bearer realm="cairn"').send({ error: { code: 'unauthorized', message: 'a valid bearer token is required' } });
      return undefined;
    }
    const principal = principalOf(token);
    if (what === 'metrics' && !principal.operator) {
      await reply.code(403).send({ error: { code: 'forbidden_workspace', message: '/metrics needs an operator token' } });
      return undefined;
    }
    return principal;
  };

  app.get(
    '/rpc',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        if (!accepting) {
          await reply.code(503).send({ error: { code: 'unavailable', message: 'the gateway is shutting down' } });
          return;
        }
        if (services.sessions.size >= limits.max_connections) {
          services.metrics.rejected.inc({ reason: 'max_connections' });
          await reply.code(503).send({ error: { code: 'unavailable', message: `the gateway holds its maximum of ${limits.max_connections} connections` } });
          return;
        }
        const principal = await authenticate(request, reply, 'rpc');
        if (principal) request.cairnPrincipal = principal;
      },
    },
    (socket, request) => {
      const principal = request.cairnPrincipal;
      if (!principal) {
        socket.close(4001, 'unauthorized');
        return;
      }
      serveConnection(socket, principal, {
        router,
        services,
        rateLimiter,
        frameLimits: { maxDepth: limits.max_json_depth, maxBatch: limits.max_batch_requests },
        maxInFlight: limits.max_in_flight_per_connection,
        accepting: () => accepting,
        track,
      });
    },
  );

  app.get('/metrics', async (request, reply) => {
    if (!(await authenticate(request, reply, 'metrics'))) return reply;
    const text = await services.metrics.registry.metrics();
    return reply.type(services.metrics.registry.contentType).send(text);
  });

  // A token revoked elsewhere (`cairn token revoke`, another gateway) or expired closes its idle
  // connections too, not only the next request: each connection's token is re-checked on this beat.
  const sweep = setInterval(() => {
    for (const session of services.sessions) {
      void services.tokens.stillValid(session.principal.token).then(
        (valid) => {
          if (!valid) session.close(CLOSE.unauthorized);
        },
        () => {},
      );
    }
  }, services.tokens.recheckMs);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  return {
    stopAccepting() {
      accepting = false;
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}
