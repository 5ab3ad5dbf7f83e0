// A child process for the transfer benches (not a bench: no `.bench.ts` suffix), so the
// server's RSS is its own and not the client's:
//   cairn <home>   a gateway (`startGateway`, SQLite home, 127.0.0.1 port 0, silent) with an
//                  operator token; prints one JSON line {url, rpcUrl, token, workspace_id, artifacts_root}
//   tus <dir>      a plain tus 1.0 server (`@tus/server` + `@tus/file-store`, the bench-only
//                  comparison): no hashing, the file fsynced when the upload completes; prints {url}
// Stops on SIGTERM or when stdin closes.
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';
import type { LocalArtifactBlobStore } from '@cairn/artifacts';
import { startGateway } from '../src/index.js';

const [mode, dir] = process.argv.slice(2);
if (!dir) throw new Error('usage: transfer-child.ts cairn|tus <dir>');
let stop: () => Promise<void>;
if (mode === 'cairn') {
  const gateway = await startGateway({
    env: {},
    home: dir,
    listen: { host: '127.0.0.1', port: 0 },
    notifyPollMs: 0,
    settings: { log_level: 'silent', quotas: { max_artifact_bytes: 4 * 2 ** 30, workspace_artifact_bytes: 64 * 2 ** 30 } },
  });
  const { secret } = await gateway.runtime.store.tokens.issue({ kind: 'operator', label: 'bench' });
  const workspace = await gateway.runtime.store.workspaces.ensureDefault();
  process.stdout.write(
    `${JSON.stringify({ url: gateway.url, rpcUrl: gateway.rpcUrl, token: secret, workspace_id: workspace.workspace_id, artifacts_root: (gateway.services.artifacts.blobs as LocalArtifactBlobStore).root })}\n`,
  );
  stop = () => gateway.close();
} else if (mode === 'tus') {
  const directory = join(dir, 'files');
  const tus = new Server({
    path: '/files',
    datastore: new FileStore({ directory }),
    onUploadFinish: async (_req, upload) => {
      const handle = await open(join(directory, upload.id), 'r+');
      await handle.sync();
      await handle.close();
      return {};
    },
  });
  const server = createServer((req, res) => void tus.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}/files` })}\n`);
  stop = () => new Promise((resolve) => server.close(() => resolve()));
} else throw new Error(`unknown mode ${mode}`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void stop().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown);
process.stdin.resume();
