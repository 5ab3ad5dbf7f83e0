import type { FastifyInstance } from 'fastify';
import type { CheckpointFinding } from '@cairn/crud';
import { buildHttpApp } from '../http/build-http-app.js';
import { openRuntime, type GatewayRuntime } from '../runtime/open-runtime.js';
import { resolveRuntime, type RuntimeOptions } from '../runtime/runtime-options.js';

export interface StartGatewayOptions extends RuntimeOptions {
  /** Overrides the settings' listen address (tests pass port 0). */
  listen?: { host?: string; port?: number };
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:17878` */
  url: string;
  host: string;
  port: number;
  runtime: GatewayRuntime;
  app: FastifyInstance;
  /** Stops accepting connections, lets in-flight requests finish, then closes the databases. */
  close(): Promise<void>;
}

export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  // The app (and so its logger) exists before the runtime opens, so what opening changes in
  // the home (tightened permissions) is logged by the same pino as everything else.
  const { settings } = resolveRuntime(options);
  let opened: GatewayRuntime | undefined;
  const app = buildHttpApp({
    readiness: async () => (opened ? opened.readiness() : { ready: false, checks: { runtime: { ok: false, detail: 'starting' } } }),
    logLevel: settings.log_level,
    maxMessageBytes: settings.limits.max_message_bytes,
  });
  let runtime: GatewayRuntime;
  try {
    runtime = opened = await openRuntime({ ...options, log: options.log ?? app.log });
  } catch (error) {
    await app.close();
    throw error;
  }
  app.addHook('onClose', async () => runtime.close());
  const host = options.listen?.host ?? settings.listen.host;
  const port = options.listen?.port ?? settings.listen.port;
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  app.log.info({ recovery: runtime.recovery }, 'startup recovery done');
  // A workspace whose newest signed checkpoint the journal no longer holds was cut or rewritten
  // while no gateway ran (or behind this one's back): it is not checkpointed again; `cairn verify` says more.
  const logFinding = (finding: CheckpointFinding) => app.log.error({ finding }, 'journal no longer holds its newest signed checkpoint');
  runtime.checkpoints.findings.forEach(logFinding);
  runtime.checkpoints.onFinding(logFinding);
  runtime.checkpoints.onError((error) => app.log.warn({ err: error }, 'journal checkpoint not recorded; the next one retries'));
  app.log.info({ home: runtime.paths.home, host, port: boundPort }, 'cairn gateway ready');
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${boundPort}`,
    host,
    port: boundPort,
    runtime,
    app,
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}
