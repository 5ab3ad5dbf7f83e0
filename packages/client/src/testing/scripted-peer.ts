import { WebSocketServer, type WebSocket } from 'ws';

/** One request as the peer received it. */
export interface PeerRequest {
  id: number | string | null;
  method: string;
  params: unknown;
  /** Which connection (0, 1, ...) it arrived on. */
  connection: number;
}

/** What a handler answers: a result, or an error member sent as is. */
export type PeerAnswer = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

export interface PeerConnection {
  readonly index: number;
  readonly socket: WebSocket;
  notify(method: string, params: unknown): void;
  close(code?: number, reason?: string): void;
  /** Drops the TCP connection without a closing handshake (a crashed gateway, a cut cable). */
  drop(): void;
}

export type PeerHandler = (request: PeerRequest, connection: PeerConnection) => PeerAnswer | undefined | Promise<PeerAnswer | undefined>;

export interface ScriptedPeer {
  /** `ws://127.0.0.1:<port>/rpc` */
  readonly url: string;
  readonly requests: PeerRequest[];
  readonly connections: PeerConnection[];
  /** Handshakes seen, accepted or refused. */
  readonly handshakes: () => number;
  /** Frames as received (text), in order; a batch is one frame. */
  readonly frames: string[];
  handle(handler: PeerHandler): void;
  close(): Promise<void>;
}

/**
 * A small JSON-RPC peer on a real socket (127.0.0.1, port 0) that speaks the gateway's
 * handshake: a bearer token in `Authorization` or in the `cairn.bearer.<token>` subprotocol
 * (echoed back, as a browser requires), HTTP 401 otherwise. What it answers is scripted per
 * test; `undefined` from a handler sends no answer. Stands in for the gateway until its own
 * integration tests run this client against the real thing.
 */
export async function startScriptedPeer(options: { token?: string } = {}): Promise<ScriptedPeer> {
  const token = options.token ?? 'test-token';
  let handshakes = 0;
  let handler: PeerHandler = () => undefined;
  const requests: PeerRequest[] = [];
  const frames: string[] = [];
  const connections: PeerConnection[] = [];
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    path: '/rpc',
    verifyClient: (info, done) => {
      handshakes++;
      const header = info.req.headers.authorization;
      const protocols = String(info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const ok = header === `Bearer ${token}` || protocols.includes(`cairn.bearer.${token}`);
      if (ok) done(true);
      else done(false, 401, 'Unauthorized');
    },
    // As the gateway: the token is accepted from the bearer entry, and `cairn.v1` is the protocol selected.
      handleProtocols: (protocols) => (protocols.has('cairn.v1') ? 'cairn.v1' : false),
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');

  server.on('connection', (socket) => {
    const connection: PeerConnection = {
      index: connections.length,
      socket,
      notify: (method, params) => socket.send(JSON.stringify({ jsonrpc: '2.0', method, params })),
      close: (code, reason) => socket.close(code, reason),
      drop: () => socket.terminate(),
    };
    connections.push(connection);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString('utf8');
      frames.push(text);
      void answer(connection, JSON.parse(text) as unknown);
    });
  });

  async function answerOne(connection: PeerConnection, message: unknown): Promise<unknown> {
    const { id, method, params } = message as { id: number; method: string; params: unknown };
    const request = { id, method, params, connection: connection.index };
    requests.push(request);
    const reply = await handler(request, connection);
    return reply === undefined ? undefined : { jsonrpc: '2.0', id, ...reply };
  }

  async function answer(connection: PeerConnection, message: unknown): Promise<void> {
    const socket = connection.socket;
    if (Array.isArray(message)) {
      const replies = (await Promise.all(message.map((m) => answerOne(connection, m)))).filter((r) => r !== undefined);
      if (replies.length > 0 && socket.readyState === socket.OPEN) socket.send(JSON.stringify(replies));
      return;
    }
    const reply = await answerOne(connection, message);
    if (reply !== undefined && socket.readyState === socket.OPEN) socket.send(JSON.stringify(reply));
  }

  return {
    url: `ws://127.0.0.1:${address.port}/rpc`,
    requests,
    connections,
    frames,
    handshakes: () => handshakes,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Polls `predicate` every 5 ms for at most `timeoutMs`; fails the test with `what` when it never holds. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The answer of an error as the gateway words it. */
export function rpcError(code: number, dataCode: string, message: string, details?: Record<string, unknown>): PeerAnswer {
  return { error: { code, message, data: details === undefined ? { code: dataCode } : { code: dataCode, details } } };
}
