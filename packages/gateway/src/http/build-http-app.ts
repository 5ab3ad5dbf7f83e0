import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { loggerOptions, type LogScrubber } from '../logging/logger-options.js';
import type { ReadinessProbe } from './readiness.js';

export interface HttpAppOptions {
  readiness: ReadinessProbe;
  logLevel?: string;
  /** Largest HTTP body or WebSocket message accepted, in bytes. */
  maxMessageBytes?: number;
  /** Receives the keystore's redactor once it is open; every log line passes it. */
  scrubber?: LogScrubber;
}

/**
 * The Fastify instance of the gateway. `/healthz` answers as long as the process serves
 * HTTP at all (liveness); `/readyz` answers 200 only while the database is open and its
 * schema is current, else 503 with the failing checks, so an orchestrator stops routing
 * before clients see storage errors. Neither needs a token; neither reveals more than
 * pass/fail and a short reason.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(options.logLevel ?? 'info', options.scrubber),
    bodyLimit: options.maxMessageBytes ?? 4 * 1024 * 1024,
    // Through a LogController: the top-level `disableRequestLogging` option is deprecated in
    // Fastify 5 and printed FSTDEP023 on every start.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      const report = await options.readiness();
      return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
    } catch (error) {
      app.log.error({ err: error }, 'readiness probe failed');
      return reply.code(503).send({ status: 'not_ready', checks: { probe: { ok: false, detail: 'probe failed' } } });
    }
  });
  return app;
}
