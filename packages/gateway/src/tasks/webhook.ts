import { createHmac } from 'node:crypto';
import type { SecretResolver } from '@cairn/keystore';
import { systemClock, type Clock } from './clock.js';
import type { ExecutionResult, TaskExecution, TaskExecutor } from './executor.js';

/** The header that carries the HMAC-SHA256 signature: `t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-cairn-signature';

export interface WebhookRequest {
  url: string;
  /** Sent as JSON (`content-type: application/json`). */
  body: unknown;
  /** The signing secret's value (resolved from the keystore just before sending); absent: unsigned. */
  secret?: string | undefined;
  /** One attempt's limit, connect to last byte. */
  timeoutMs: number;
  /** Extra headers (`x-cairn-delivery`, `x-cairn-task`...). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  clock?: Clock;
}

/**
 * One attempt's outcome. `retryable` is false only for answers no retry can change (4xx other
 * than 408/429); the caller's backoff policy decides the rest. `error.message` never holds the
 * secret, the signature or the response body.
 */
export type WebhookOutcome =
  | { delivered: true; status: number }
  | { delivered: false; status: number | null; retryable: boolean; error: { code: 'http_status' | 'timeout' | 'connection_failed' | 'aborted'; message: string } };

/** The signature header's value for a body sent at `unixSeconds`. */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * POSTs one webhook attempt with `fetch`: JSON body, a signature header when there is a
 * secret, a hard timeout. A 2xx is delivered; anything else is an outcome, never a throw.
 */
export async function sendWebhook(request: WebhookRequest): Promise<WebhookOutcome> {
  const body = JSON.stringify(request.body ?? null);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'cairn-gateway', ...request.headers };
  if (request.secret !== undefined) {
    const seconds = Math.floor((request.clock ?? systemClock).now().getTime() / 1000);
    headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(request.secret, seconds, body);
  }
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  try {
    const response = await fetch(request.url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    // The body is drained (bounded by the timeout) so the connection can be reused; its text is never kept.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { delivered: true, status: response.status };
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    return { delivered: false, status: response.status, retryable, error: { code: 'http_status', message: `the endpoint answered HTTP ${response.status}` } };
  } catch (error) {
    if (request.signal?.aborted) return { delivered: false, status: null, retryable: true, error: { code: 'aborted', message: 'the delivery was stopped' } };
    if (timeout.aborted) return { delivered: false, status: null, retryable: true, error: { code: 'timeout', message: `no answer within ${request.timeoutMs} ms` } };
    return { delivered: false, status: null, retryable: true, error: { code: 'connection_failed', message: connectionMessage(error) } };
  }
}

/** `fetch failed` says nothing: the cause's code (ECONNREFUSED, ENOTFOUND...) is what an operator needs. */
function connectionMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `could not reach the endpoint (${code})` : 'could not reach the endpoint';
}

export interface WebhookExecutorOptions {
  secrets: SecretResolver;
  timeoutMs: number;
  clock?: Clock;
}

/**
 * The `webhook` executor: a task whose work is one POST (`executor_config: { url, secret_ref? }`; the body carries the task's `input`).
 * The run succeeds on a 2xx; otherwise it fails and the task's retry policy decides. The
 * secret is resolved at the moment of sending and goes nowhere else.
 */
export function webhookExecutor(options: WebhookExecutorOptions): TaskExecutor {
  return {
    kind: 'webhook',
    async execute(execution: TaskExecution): Promise<ExecutionResult> {
      const url = execution.config['url'];
      if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return { outcome: 'failed', error: { code: 'invalid_input', message: 'a webhook task needs an http(s) url' } };
      const secretRef = execution.config['secret_ref'];
      const secret = typeof secretRef === 'string' ? await options.secrets.resolve(secretRef) : undefined;
      const outcome = await sendWebhook({
        url,
        body: { task_id: execution.taskId, run_id: execution.runId, attempt: execution.attempt, workspace_id: execution.workspaceId, input: execution.input ?? null },
        secret,
        timeoutMs: options.timeoutMs,
        headers: { 'x-cairn-task': execution.taskId, 'x-cairn-run': execution.runId },
        signal: execution.signal,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      if (outcome.delivered) return { outcome: 'succeeded', result: { status: outcome.status } };
      if (outcome.error.code === 'aborted') return { outcome: 'cancelled', error: outcome.error };
      return { outcome: 'failed', error: outcome.error };
    },
  };
}
