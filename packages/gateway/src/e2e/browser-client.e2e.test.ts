import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestGateway } from '@cairn/gateway/testing';
import { builtinReply } from '../agent/builtin-runtime.js';
import { bundleBrowserClient, CHROMIUM, itChromium, runPage, type BrowserBundle } from './testing/browser-support.js';
import { gatewayAt, tempRoot } from './testing/e2e-support.js';

// @cairn/client in a real browser (headless chromium) against a real gateway: the browser
// build, bundled as a browser app would bundle it, connects with the global WebSocket and the
// token in the `cairn.bearer.` subprotocol, runs a turn and sees its notifications; a refused
// token and a token revoked while connected end the client the way the README says.

const dirs = tempRoot('cairn-browser-');
let gateway: TestGateway;
let bundle: BrowserBundle;
let pages: Server;
let pagesUrl: string;
/** Above runPage's 30 s bound, so a hung browser fails with runPage's message (and is killed) first. */
const PAGE_TEST_TIMEOUT_MS = 45_000;
/** Page name -> the config handed to the page and the body of its module script. */
const routes = new Map<string, { config: Record<string, unknown>; script: string }>();

/** A page whose inline module imports the bundle, runs `script` and writes `summary` as JSON into `#result`. */
function html({ config, script }: { config: Record<string, unknown>; script: string }): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>@cairn/client in a browser</title></head>
<body>
<script type="application/json" id="config">${json}</script>
<pre id="result"></pre>
<script type="module">
import * as cairn from '/client.js';
const config = JSON.parse(document.getElementById('config').textContent);
const summary = { userAgent: navigator.userAgent, nodeGlobals: typeof process !== 'undefined' || typeof Buffer !== 'undefined' };
try {
${script}
} catch (error) {
  summary.thrown = { name: error && error.name, code: error && error.code, message: String(error && error.message) };
}
const out = document.getElementById('result');
out.textContent = JSON.stringify(summary);
out.dataset.done = '1';
</script>
</body></html>`;
}

async function load(name: string, config: Record<string, unknown>, script: string): Promise<Record<string, unknown>> {
  routes.set(name, { config, script });
  const { result, console } = await runPage(`${pagesUrl}/${name}`);
  let summary: Record<string, unknown>;
  try {
    summary = JSON.parse(result) as Record<string, unknown>;
  } catch {
    throw new Error(`page ${name} wrote no JSON: ${result}\n${console.join('\n')}`);
  }
  // Every page ran in chromium proper, not in something with Node's globals.
  expect(summary['userAgent']).toMatch(/HeadlessChrome\//);
  expect(summary['nodeGlobals']).toBe(false);
  return summary;
}

beforeAll(async () => {
  gateway = await gatewayAt(dirs.home('home'), { agent: { builtin_delta_interval_ms: 0 } });
  bundle = await bundleBrowserClient();
  pages = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const page = routes.get(path.slice(1));
    if (path === '/client.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle.code);
    else if (page) response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(page));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  if (pages) {
    pages.closeAllConnections();
    await new Promise((resolve) => pages.close(resolve));
  }
  await gateway?.close();
  dirs.cleanup();
}, 60_000);

describe('the browser bundle of @cairn/client', () => {
  it("is the browser entry with the protocol's sources, and holds neither ws nor any node: module", () => {
    expect(bundle.inputs).toContain('packages/client/src/browser.ts');
    expect(bundle.inputs).toContain('packages/client/src/transport/browser-transport.ts');
    expect(bundle.inputs).toContain('packages/protocol/src/index.ts');
    expect(bundle.inputs.filter((input) => /node_modules\/(\.pnpm\/)?ws[@/]|^node:|node-transport/.test(input))).toEqual([]);
    expect(bundle.external).toEqual([]);
    expect(bundle.code).not.toMatch(/from\s*["']node:|import\(\s*["'](node:|ws["'])/);
  });
});

describe(`@cairn/client in headless chromium${CHROMIUM ? '' : ' (skipped: chromium is not installed; .ci/run installs it)'}`, () => {
  itChromium('runs a built-in turn: the notifications in order, the deltas spelling the reply, auth/me through the subprotocol', async () => {
    const input = 'hello from a browser tab';
    const turnId = 'turn-browser-1';
    const summary = await load(
      'turn',
      { url: gateway.rpcUrl, token: gateway.operatorToken, input, turnId },
      `
  const client = cairn.createCairnClient({ url: config.url, token: config.token, reconnect: { maxAttempts: 1 } });
  summary.methods = [];
  summary.deltas = '';
  const completed = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no turn/completed within 15 s')), 15000);
    client.onAny((n) => {
      summary.methods.push(n.method);
      if (n.params.turn_id !== config.turnId) return;
      if (n.method === 'item/agent_message/delta') summary.deltas += n.params.delta;
      if (n.method === 'turn/completed') { clearTimeout(timer); resolve(); }
    });
  });
  summary.tokenKind = (await client.call('auth/me', {})).token.kind;
  const { workspace } = await client.rpc['workspace/default']({});
  const { thread } = await client.rpc['thread/start']({ workspace_id: workspace.workspace_id, title: 'from a browser' });
  const started = await client.rpc['turn/start']({
    workspace_id: workspace.workspace_id, thread_id: thread.thread_id, turn_id: config.turnId, input: [{ type: 'text', text: config.input }],
  });
  summary.turn = started.turn.turn_id;
  await completed;
  summary.lastSeq = client.lastSeq(workspace.workspace_id);
  summary.stateBeforeClose = client.state;
  await client.close();
  summary.stateAfterClose = client.state;
`,
    );
    expect(summary['thrown']).toBeUndefined();
    expect(summary).toMatchObject({ tokenKind: 'operator', turn: turnId, stateBeforeClose: 'open', stateAfterClose: 'closed' });
    expect(summary['lastSeq']).toEqual(expect.any(Number));
    const methods = summary['methods'] as string[];
    const started = methods.indexOf('turn/started');
    const firstDelta = methods.indexOf('item/agent_message/delta');
    const completed = methods.indexOf('turn/completed');
    expect(started).toBeGreaterThanOrEqual(0);
    expect(firstDelta).toBeGreaterThan(started);
    expect(completed).toBeGreaterThan(methods.lastIndexOf('item/agent_message/delta'));
    expect(summary['deltas']).toBe(builtinReply({ input: [{ type: 'text', text: input }] }));
  }, PAGE_TEST_TIMEOUT_MS);

  itChromium('with a refused token: the browser sees only failed handshakes, and the client stops with reconnect_exhausted', async () => {
    const refusedBefore = await refusedHandshakes();
    const summary = await load(
      'bad-token',
      { url: gateway.rpcUrl, token: 'not-a-token' },
      `
  const client = cairn.createCairnClient({ url: config.url, token: config.token, reconnect: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 } });
  summary.states = [];
  client.onConnectionChange((change) => summary.states.push(change.state));
  try { await client.ready(); summary.ready = true; } catch (error) { summary.readyError = error.code; }
  try { await client.call('auth/me', {}); } catch (error) { summary.callError = error.code; summary.isClientError = cairn.isCairnClientError(error); }
`,
    );
    expect(summary['thrown']).toBeUndefined();
    // A browser cannot read a refused handshake's 401 (README: set reconnect.maxAttempts), so
    // the refusal is a failed attempt like a network error: one try and one retry, then stop.
    expect(summary).toMatchObject({ readyError: 'reconnect_exhausted', callError: 'reconnect_exhausted', isClientError: true, states: ['reconnecting', 'closed'] });
    expect(summary['ready']).toBeUndefined();
    // ...and the gateway refused exactly those two handshakes as unauthorized.
    expect((await refusedHandshakes()) - refusedBefore).toBe(2);
  }, PAGE_TEST_TIMEOUT_MS);

  itChromium('with a token revoked while connected: close code 4001 reaches the browser and the client stops with unauthorized', async () => {
    const workspaceToken = await gateway.scopedToken([(await gateway.runtime.store.workspaces.ensureDefault()).workspace_id]);
    const summary = await load(
      'revoked',
      { url: gateway.rpcUrl, token: workspaceToken },
      `
  const client = cairn.createCairnClient({ url: config.url, token: config.token, reconnect: { maxAttempts: 3, initialDelayMs: 10 } });
  const closed = new Promise((resolve) => client.onConnectionChange((change) => { if (change.state === 'closed') resolve(change); }));
  const { token } = await client.call('auth/me', {});
  summary.tokenKind = token.kind;
  summary.revoked = (await client.rpc['auth/token/revoke']({ token_id: token.token_id })).revoked;
  const change = await closed;
  summary.closedWith = { code: change.error.code, closeCode: change.closeCode ?? null };
  try { await client.call('auth/me', {}); } catch (error) { summary.callError = error.code; }
`,
    );
    expect(summary['thrown']).toBeUndefined();
    expect(summary).toMatchObject({ tokenKind: 'workspace', revoked: true, closedWith: { code: 'unauthorized' }, callError: 'unauthorized' });
  }, PAGE_TEST_TIMEOUT_MS);
});

/** The gateway's count of handshakes refused for their token (`cairn_rejected_total{reason="unauthorized"}`). */
async function refusedHandshakes(): Promise<number> {
  const { values } = await gateway.services.metrics.rejected.get();
  return values.find((v) => v.labels['reason'] === 'unauthorized')?.value ?? 0;
}
