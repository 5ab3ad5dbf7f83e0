import type { FastifyServerOptions } from 'fastify';

/**
 * pino (Fastify's own logger) with every place a credential can appear in a request
 * censored before it is serialised: the bearer token, the browser's subprotocol token and
 * cookies. Values from the keystore are scrubbed separately, by the keystore's redactor.
 */
export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["sec-websocket-protocol"]',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  };
}
