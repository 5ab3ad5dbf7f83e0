import type { FastifyServerOptions } from 'fastify';

/** Where the logger finds the keystore's redactor once the keystore is open (the logger exists before it). */
export interface LogScrubber {
  redact?: ((line: string) => string) | undefined;
}

/**
 * pino (Fastify's own logger) with every place a credential can appear in a request
 * censored before it is serialised: the bearer token, the browser's subprotocol token and
 * cookies. Then every line, whatever logged it, passes the keystore's redactor on its way
 * out (`hooks.streamWrite` sees the serialised line), so a value held in the keystore never
 * reaches the log even when some error message quoted it.
 */
export function loggerOptions(level: string, scrubber: LogScrubber = {}): NonNullable<FastifyServerOptions['logger']> {
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
    hooks: {
      streamWrite: (line: string) => (scrubber.redact ? scrubber.redact(line) : line),
    },
  };
}
