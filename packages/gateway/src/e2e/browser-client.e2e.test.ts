import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
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
    else if (path === '/drop') {
      // The page asks (a synchronous XHR, so it waits): the gateway drops every socket it holds.
      let dropped = 0;
      for (const session of gateway.services.sessions) {
        session.socket.terminate();
        dropped++;
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end(String(dropped));
    }
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
    // The browser transfer helpers and the protocol core they share with the Node ones, never the Node ones.
    expect(bundle.inputs).toEqual(expect.arrayContaining(['packages/client/src/transfer/browser-transfer.ts', 'packages/client/src/transfer/upload-core.ts', 'packages/client/src/transfer/download-core.ts']));
    expect(bundle.inputs.filter((input) => /node_modules\/(\.pnpm\/)?ws[@/]|^node:|node-transport|node-hashing|transfer\/(upload|download)\.ts$/.test(input))).toEqual([]);
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

  itChromium('uploads Blobs (0 B, one chunk + 1 B, a few MiB) and a ReadableStream, downloads them back, bytes and SHA-256 equal in the page and in the store', async () => {
    const { workspace_id: workspaceId } = await gateway.runtime.store.workspaces.ensureDefault();
    const files = [
      { name: 'browser-empty.bin', size: 0, seed: 1, source: 'file', sink: 'stream' },
      { name: 'browser-chunk-plus-one.bin', size: CHUNK + 1, seed: 2, source: 'stream', sink: 'callback' },
      { name: 'browser-few-mib.bin', size: 3 * 1024 * 1024 + 17, seed: 3, source: 'blob', sink: 'stream' },
    ];
    const summary = await load(
      'transfer',
      { url: gateway.rpcUrl, token: gateway.operatorToken, files, chunk: CHUNK },
      `
  const client = cairn.createCairnClient({ url: config.url, token: config.token, reconnect: { maxAttempts: 1 } });
  const { workspace } = await client.rpc['workspace/default']({});
  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  summary.files = [];
  for (const f of config.files) {
    ${DETERMINISTIC_BYTES_JS}
    const bytes = deterministicBytes(f.seed, f.size);
    const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
    const source = f.source === 'file' ? new File([bytes], f.name)
      : f.source === 'blob' ? new Blob([bytes])
      : new ReadableStream({ start(c) { for (let o = 0; o < bytes.length; o += 100000) c.enqueue(bytes.slice(o, o + 100000)); c.close(); } });
    const progress = [];
    const up = await cairn.upload(source, { client, workspace_id: workspace.workspace_id, chunk_size: config.chunk, ...(f.source === 'file' ? {} : { file_name: f.name }) }, (p) => progress.push(p.transferred_bytes));
    const pieces = [];
    const collect = (piece) => { pieces.push(piece.slice()); };
    let closed = false;
    const sink = f.sink === 'callback' ? collect : new WritableStream({ write: collect, close() { closed = true; } });
    const down = await cairn.download({ workspace_id: workspace.workspace_id, artifact_id: up.artifact.artifact_id }, sink, { client });
    const back = new Uint8Array(await new Blob(pieces).arrayBuffer());
    let same = back.length === bytes.length;
    for (let i = 0; same && i < bytes.length; i++) if (back[i] !== bytes[i]) same = false;
    summary.files.push({
      name: f.name, size: f.size, sha256, uploaded: up.artifact, resumes: up.resumes, lastProgress: progress.at(-1),
      downloadedSha256: hex(await crypto.subtle.digest('SHA-256', back)), same, closed, sink: f.sink,
      download: { bytes_written: down.bytes_written, sha256: down.sha256, verified_whole_file: down.verified_whole_file },
    });
  }
  await client.close();
`,
    );
    expect(summary['thrown']).toBeUndefined();
    const results = summary['files'] as Array<Record<string, unknown>>;
    expect(results).toHaveLength(files.length);
    for (const [i, file] of files.entries()) {
      const expected = createHash('sha256').update(deterministicBytes(file.seed, file.size)).digest('hex');
      const result = results[i]!;
      // In the page: WebCrypto's digest of what went up and of what came back, and every byte.
      expect(result).toMatchObject({ name: file.name, sha256: expected, downloadedSha256: expected, same: true, resumes: 0, lastProgress: file.size });
      expect(result['closed']).toBe(file.sink === 'stream');
      expect(result['download']).toEqual({ bytes_written: file.size, sha256: expected, verified_whole_file: true });
      // On the gateway: the artifact exists, with that size and hash.
      const artifactId = (result['uploaded'] as { artifact_id: string }).artifact_id;
      const { artifact, version } = await gateway.runtime.store.artifacts.get({ workspace_id: workspaceId, artifact_id: artifactId });
      expect(artifact.name).toBe(file.name);
      expect(version).toMatchObject({ sha256: expected, size_bytes: file.size });
    }
  }, PAGE_TEST_TIMEOUT_MS);

  itChromium('an upload and a download resume by themselves after the gateway drops the tab\'s socket mid-transfer', async () => {
    const { workspace_id: workspaceId } = await gateway.runtime.store.workspaces.ensureDefault();
    // Far more than the loopback socket and the browser buffer ahead of the page (a browser WebSocket cannot
    // push back): a drop after 3 chunks must find most of the download still to come, so it has to resume.
    const file = { name: 'browser-resumed.bin', size: 96 * CHUNK + 5, seed: 4 };
    const summary = await load(
      'resume',
      { url: gateway.rpcUrl, token: gateway.operatorToken, file, chunk: CHUNK },
      `
  const client = cairn.createCairnClient({ url: config.url, token: config.token, reconnect: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 50 } });
  const { workspace } = await client.rpc['workspace/default']({});
  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  ${DETERMINISTIC_BYTES_JS}
  const bytes = deterministicBytes(config.file.seed, config.file.size);
  summary.sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  // A synchronous XHR: the page stands still until the gateway has dropped its socket.
  const drop = () => { const x = new XMLHttpRequest(); x.open('GET', '/drop', false); x.send(); return Number(x.responseText); };
  summary.drops = [];
  const up = await cairn.upload(new Blob([bytes]), { client, workspace_id: workspace.workspace_id, file_name: config.file.name, chunk_size: config.chunk }, (p) => {
    if (summary.drops.length === 0 && p.transferred_bytes >= 3 * config.chunk) summary.drops.push(drop());
  });
  summary.upload = { artifact: up.artifact, resumes: up.resumes };
  const pieces = [];
  const down = await cairn.download({ workspace_id: workspace.workspace_id, artifact_id: up.artifact.artifact_id }, new WritableStream({ write(piece) { pieces.push(piece.slice()); } }), { client, chunk_size: config.chunk }, (p) => {
    if (summary.drops.length === 1 && p.transferred_bytes >= 3 * config.chunk) summary.drops.push(drop());
  });
  const back = new Uint8Array(await new Blob(pieces).arrayBuffer());
  summary.downloadedSha256 = hex(await crypto.subtle.digest('SHA-256', back));
  summary.download = { resumes: down.resumes, bytes_written: down.bytes_written, verified_whole_file: down.verified_whole_file };
  await client.close();
`,
    );
    expect(summary['thrown']).toBeUndefined();
    const expected = createHash('sha256').update(deterministicBytes(file.seed, file.size)).digest('hex');
    // Each drop found the tab's one socket, and each transfer resumed at least once and still delivered every byte.
    expect(summary).toMatchObject({ sha256: expected, downloadedSha256: expected, drops: [1, 1] });
    const uploaded = summary['upload'] as { artifact: { artifact_id: string }; resumes: number };
    expect(uploaded.resumes).toBeGreaterThanOrEqual(1);
    expect(summary['download']).toMatchObject({ bytes_written: file.size, verified_whole_file: true });
    expect((summary['download'] as { resumes: number }).resumes).toBeGreaterThanOrEqual(1);
    const { version } = await gateway.runtime.store.artifacts.get({ workspace_id: workspaceId, artifact_id: uploaded.artifact.artifact_id });
    expect(version).toMatchObject({ sha256: expected, size_bytes: file.size });
  }, PAGE_TEST_TIMEOUT_MS);
});

/** The gateway's recommended chunk size (256 KiB), asked for explicitly so "one chunk + 1 byte" is exactly that. */
const CHUNK = 256 * 1024;

/** The same deterministic bytes in the page (this source, inlined) and in Node. */
function deterministicBytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.imul(i ^ (seed * 0x9e3779b1), 0x85ebca6b) >>> 24;
  return out;
}
const DETERMINISTIC_BYTES_JS = deterministicBytes.toString().replace(/: number|: Uint8Array/g, '');

/** The gateway's count of handshakes refused for their token (`cairn_rejected_total{reason="unauthorized"}`). */
async function refusedHandshakes(): Promise<number> {
  const { values } = await gateway.services.metrics.rejected.get();
  return values.find((v) => v.labels['reason'] === 'unauthorized')?.value ?? 0;
}
