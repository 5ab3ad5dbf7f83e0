// Test helper (not exported): a TCP proxy in front of the test server that removes named
// parameters from a connection's StartupMessage and forwards everything else unchanged, as a
// pooler with `ignore_startup_parameters` does. It lets a test see a setting fail to apply
// on a real connection.
import { createServer, connect, type Socket } from 'node:net';

export async function startStrippingProxy(target: { host: string; port: number }, strip: string[]): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    const upstream = connect(target.port, target.host);
    sockets.add(upstream);
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (!first) return void upstream.write(chunk);
      first = false;
      upstream.write(rewriteStartup(chunk, strip));
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** StartupMessage: int32 length, int32 protocol 3.0, then name\0value\0 pairs and a final \0. */
function rewriteStartup(message: Buffer, strip: string[]): Buffer {
  const length = message.readInt32BE(0);
  const fields = message.subarray(8, length - 1).toString('utf8').split('\0');
  const kept: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (!strip.includes(fields[i]!)) kept.push(fields[i]!, fields[i + 1]!);
  const body = Buffer.from(`${kept.join('\0')}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(message.readInt32BE(4), 4);
  return Buffer.concat([head, body, message.subarray(length)]);
}
