import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecretResolver, MemoryKeystore } from '@cairn/keystore';
import { ManualClock } from './clock.js';
import type { TaskExecution } from './executor.js';
import { sendWebhook, signWebhook, webhookExecutor, WEBHOOK_SIGNATURE_HEADER } from './webhook.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real HTTP server on 127.0.0.1, port 0; `answer` decides each response from the request count. */
async function endpoint(answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      answer(received.length, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('sendWebhook against a server on 127.0.0.1', () => {
  it('delivers a signed JSON body that the receiver can verify', async () => {
    const { url, received } = await endpoint((_n, res) => res.writeHead(204).end());
    const clock = new ManualClock('2026-12-01T12:00:00Z');
    const outcome = await sendWebhook({ url, body: { hello: 'world' }, secret: 'whsec-test-value', timeoutMs: 2000, clock, headers: { 'x-cairn-delivery': 'd1' } });
    expect(outcome).toEqual({ delivered: true, status: 204 });
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(JSON.parse(hit!.body)).toEqual({ hello: 'world' });
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['x-cairn-delivery']).toBe('d1');
    const t = Math.floor(clock.now().getTime() / 1000);
    expect(hit!.headers[WEBHOOK_SIGNATURE_HEADER]).toBe(signWebhook('whsec-test-value', t, hit!.body));
    // A receiver with another secret computes another signature.
    expect(hit!.headers[WEBHOOK_SIGNATURE_HEADER]).not.toBe(signWebhook('other', t, hit!.body));
  });

  it('sends no signature without a secret', async () => {
    const { url, received } = await endpoint((_n, res) => res.writeHead(200).end('ok'));
    expect(await sendWebhook({ url, body: {}, timeoutMs: 2000 })).toEqual({ delivered: true, status: 200 });
    expect(received[0]!.headers[WEBHOOK_SIGNATURE_HEADER]).toBeUndefined();
  });

  it('reports a 5xx as retryable, and the retry delivers', async () => {
    const { url, received } = await endpoint((n, res) => res.writeHead(n === 1 ? 503 : 200).end());
    const first = await sendWebhook({ url, body: { n: 1 }, timeoutMs: 2000 });
    expect(first).toEqual({ delivered: false, status: 503, retryable: true, error: { code: 'http_status', message: 'the endpoint answered HTTP 503' } });
    expect(await sendWebhook({ url, body: { n: 1 }, timeoutMs: 2000 })).toEqual({ delivered: true, status: 200 });
    expect(received).toHaveLength(2);
  });

  it('reports a 4xx as not retryable, except 429', async () => {
    const { url } = await endpoint((n, res) => res.writeHead(n === 1 ? 404 : 429).end());
    expect(await sendWebhook({ url, body: {}, timeoutMs: 2000 })).toMatchObject({ delivered: false, status: 404, retryable: false });
    expect(await sendWebhook({ url, body: {}, timeoutMs: 2000 })).toMatchObject({ delivered: false, status: 429, retryable: true });
  });

  it('gives up on a server that never answers after the timeout', async () => {
    const { url, received } = await endpoint(() => {}); // never responds
    const outcome = await sendWebhook({ url, body: {}, timeoutMs: 150 });
    expect(outcome).toEqual({ delivered: false, status: null, retryable: true, error: { code: 'timeout', message: 'no answer within 150 ms' } });
    expect(received).toHaveLength(1);
  });

  it('reports a refused connection by its code', async () => {
    const { url } = await endpoint((_n, res) => res.end());
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect(await sendWebhook({ url, body: {}, timeoutMs: 2000 })).toEqual({
      delivered: false,
      status: null,
      retryable: true,
      error: { code: 'connection_failed', message: 'could not reach the endpoint (ECONNREFUSED)' },
    });
  });

  it('stops when its signal aborts', async () => {
    const { url } = await endpoint(() => {});
    const controller = new AbortController();
    const sent = sendWebhook({ url, body: {}, timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await sent).toMatchObject({ delivered: false, error: { code: 'aborted' } });
  });
});

describe('webhookExecutor', () => {
  function execution(config: Record<string, unknown>, input: unknown = null): TaskExecution {
    return { workspaceId: 'ws_1', taskId: 'task_1', runId: 'run_1', attempt: 1, kind: 'webhook', config, input, ownerThreadId: null, agent: null, signal: new AbortController().signal, started: async () => {} };
  }

  it('signs with the secret its ref names, and the value appears nowhere in the outcome', async () => {
    const keystore = new MemoryKeystore();
    await keystore.set('webhook', 'hook-1', 'whsec-value-never-logged');
    const { url, received } = await endpoint((n, res) => res.writeHead(n === 1 ? 200 : 500).end());
    const executor = webhookExecutor({ secrets: createSecretResolver(keystore), timeoutMs: 2000 });
    const result = await executor.execute(execution({ url, secret_ref: 'secret://webhook/hook-1' }, { report: 'done' }));
    expect(result).toEqual({ outcome: 'succeeded', result: { status: 200 } });
    const hit = received[0]!;
    expect(JSON.parse(hit.body)).toEqual({ task_id: 'task_1', run_id: 'run_1', attempt: 1, workspace_id: 'ws_1', input: { report: 'done' } });
    const t = /^t=(\d+),/.exec(String(hit.headers[WEBHOOK_SIGNATURE_HEADER]))![1];
    expect(hit.headers[WEBHOOK_SIGNATURE_HEADER]).toBe(signWebhook('whsec-value-never-logged', Number(t), hit.body));

    const failed = await executor.execute(execution({ url, secret_ref: 'secret://webhook/hook-1' }));
    expect(failed).toEqual({ outcome: 'failed', error: { code: 'http_status', message: 'the endpoint answered HTTP 500' } });
    expect(JSON.stringify(failed)).not.toContain('whsec-value-never-logged');
    await keystore.close();
  });

  it('fails a run whose url is not http(s), and one whose secret is missing (not_found)', async () => {
    const keystore = new MemoryKeystore();
    const executor = webhookExecutor({ secrets: createSecretResolver(keystore), timeoutMs: 2000 });
    expect(await executor.execute(execution({ url: 'file:///etc/passwd' }))).toMatchObject({ outcome: 'failed', error: { code: 'invalid_input' } });
    await expect(executor.execute(execution({ url: 'http://127.0.0.1:9/', secret_ref: 'secret://webhook/missing' }))).rejects.toMatchObject({ code: 'not_found' });
    await keystore.close();
  });
});
