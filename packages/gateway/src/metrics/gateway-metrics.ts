import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CrudStore } from '@cairn/crud';

export interface GatewayMetricsSources {
  store: CrudStore;
  connections: () => number;
  /** Newest signed checkpoint's time (ms since the epoch), or undefined when there is none. */
  newestCheckpointAt: () => Promise<number | undefined>;
  /** Task runs executing in this gateway's scheduler now (0 without one). */
  executingTaskRuns?: () => number;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'outcome'>;
  readonly latency: Histogram<'method'>;
  readonly notifications: Counter<'method'>;
  /** Events runtimes outside the gateway applied through `turn/event/append` (not retries of ones applied before). */
  readonly runtimeEvents: Counter;
  readonly rejected: Counter<'reason'>;
  /** Task runs this gateway's scheduler ended, by executor kind and outcome (`stopped`: left to lease recovery). */
  readonly taskRuns: Counter<'kind' | 'outcome'>;
  /** Delivery attempts this gateway's scheduler recorded, by kind (thread or webhook) and outcome. */
  readonly taskDeliveries: Counter<'kind' | 'outcome'>;
}

const JOURNAL_POSITION = 'SELECT max(position) AS position FROM journal_event';

/**
 * The gateway's Prometheus metrics, through prom-client (the de-facto Node client: the text
 * format, histograms and the process/event-loop metrics without code of our own). Gauges that
 * describe storage are read when scraped: the journal position (its `rate()` is the append
 * rate of every process writing the database, not only this gateway), the write queue, busy
 * retries (SQLite) or serialization retries (PostgreSQL), and the age of the newest signed
 * checkpoint.
 */
export function createGatewayMetrics(sources: GatewayMetricsSources): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cairn_process_' });
  const { store } = sources;
  new Gauge({
    name: 'cairn_connections',
    help: 'Open WebSocket connections.',
    registers: [registry],
    collect() {
      this.set(sources.connections());
    },
  });
  const requests = new Counter({ name: 'cairn_requests_total', help: 'JSON-RPC requests by method and outcome (ok or the error code).', labelNames: ['method', 'outcome'] as const, registers: [registry] });
  const latency = new Histogram({
    name: 'cairn_request_duration_seconds',
    help: 'JSON-RPC request latency by method.',
    labelNames: ['method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const notifications = new Counter({ name: 'cairn_notifications_total', help: 'Notifications sent, by method.', labelNames: ['method'] as const, registers: [registry] });
  const runtimeEvents = new Counter({
    name: 'cairn_runtime_events_total',
    help: 'Events external runtimes applied through turn/event/append on this gateway (every writer: rate(cairn_journal_position)).',
    registers: [registry],
  });
  const rejected = new Counter({ name: 'cairn_rejected_total', help: 'Handshakes and frames refused before any method ran, by reason.', labelNames: ['reason'] as const, registers: [registry] });
  new Gauge({
    name: 'cairn_journal_position',
    help: 'Newest global journal position (rate() of it: events appended per second by every writer).',
    registers: [registry],
    async collect() {
      const row = await store.context.read((q) => q.get<{ position: number | null }>(JOURNAL_POSITION, []));
      this.set(row?.position ?? 0);
    },
  });
  new Gauge({
    name: 'cairn_write_queue_depth',
    help: 'Write jobs queued behind the one running (SQLite coordinator), or in flight (PostgreSQL).',
    registers: [registry],
    collect() {
      this.set(store.sqlite ? store.sqlite.coordinator.pending : 0);
    },
  });
  new Gauge({
    name: 'cairn_storage_retries',
    help: 'Write retries since start: SQLITE_BUSY from other processes, or PostgreSQL serialization/deadlock retries.',
    registers: [registry],
    collect() {
      if (store.sqlite) this.set(store.sqlite.coordinator.stats.busyRetries);
      else if (store.postgres) this.set(Object.values(store.postgres.writePath.stats.retries).reduce((a, b) => a + b, 0));
    },
  });
  new Gauge({
    name: 'cairn_checkpoint_age_seconds',
    help: 'Seconds since the newest signed journal checkpoint (-1: none yet).',
    registers: [registry],
    async collect() {
      const at = await sources.newestCheckpointAt();
      this.set(at === undefined ? -1 : Math.max(0, (Date.now() - at) / 1000));
    },
  });
  const taskRuns = new Counter({
    name: 'cairn_task_runs_total',
    help: "Task runs this gateway's scheduler ended, by executor kind and outcome (stopped: by shutdown or a lost lease, left to recovery).",
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const taskDeliveries = new Counter({
    name: 'cairn_task_deliveries_total',
    help: "Task delivery attempts this gateway's scheduler recorded, by kind and outcome.",
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'cairn_task_runs_executing',
    help: "Task runs executing in this gateway's scheduler.",
    registers: [registry],
    collect() {
      this.set(sources.executingTaskRuns?.() ?? 0);
    },
  });
  return { registry, requests, latency, notifications, runtimeEvents, rejected, taskRuns, taskDeliveries };
}
