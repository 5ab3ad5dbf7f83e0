import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { CairnEnv } from '@cairn/config';
import { createCairnClient, download, upload, type CairnClient, type TransferProgress } from '@cairn/client';
import type { GlobalOptions } from '../cli.js';
import { usageError } from '../errors.js';
import { output } from './output.js';

type Add = (parent: Command, name: string) => Command;

interface ConnectOptions {
  url?: string;
}

/** The gateway's `/rpc` URL: `--url`, else `CAIRN_LISTEN`, else the default listen address. */
function rpcUrl(env: CairnEnv, options: ConnectOptions): string {
  if (options.url) return options.url;
  const match = env.listen ? /^(?:(.+):)?(\d{1,5})$/.exec(env.listen) : null;
  if (env.listen && !match) throw usageError(`CAIRN_LISTEN must be 'host:port' or 'port', got '${env.listen}'`);
  const host = match?.[1] ?? '127.0.0.1';
  const port = match?.[2] ?? '17878';
  return `ws://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}/rpc`;
}

/** The bearer token comes from `CAIRN_TOKEN` only: a token on the command line would land in shell history and `ps`. */
function tokenOf(): string {
  const token = process.env.CAIRN_TOKEN?.trim();
  if (!token) throw usageError('set CAIRN_TOKEN to a bearer token (cairn token issue) to talk to the gateway');
  return token;
}

/** A progress bar on stderr (terminal only, never with --json): bytes done of the total, and the resumes so far. */
function progressBar(global: GlobalOptions, label: string): { update: (p: TransferProgress) => void; stop: () => void } {
  const stream = process.stderr;
  if (global.json || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    fps: 10,
    hideCursor: true,
    clearOnComplete: true,
    format: `${label} [{bar}] {percentage}% {done}/{all} MiB{resumed}`,
  });
  let started = false;
  return {
    update: (p) => {
      const payload = { done: (p.transferred_bytes / 1048576).toFixed(1), all: (p.total_bytes / 1048576).toFixed(1), resumed: p.resumes > 0 ? ` (resumed ${p.resumes}x)` : '' };
      if (!started) {
        bar.start(Math.max(1, p.total_bytes), p.transferred_bytes, payload);
        started = true;
      } else bar.update(p.transferred_bytes, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

async function withClient<T>(env: CairnEnv, options: ConnectOptions, work: (client: CairnClient) => Promise<T>): Promise<T> {
  const client = createCairnClient({ url: rpcUrl(env, options), token: tokenOf() });
  try {
    await client.ready();
    return await work(client);
  } finally {
    await client.close();
  }
}

function nonNegative(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw usageError(`${name} must be a whole number of bytes`);
  return value;
}

/**
 * `cairn artifacts upload|download`: artifact bytes over a running gateway's socket (the
 * `upload`/`download` helpers of `@cairn/client`: chunked, verified, resumed across dropped
 * connections), with a progress bar on a terminal. The token is `CAIRN_TOKEN`.
 */
export function registerArtifactTransferCommands(artifacts: Command, add: Add, env: CairnEnv, global: () => GlobalOptions): void {
  add(artifacts, 'upload')
    .description('upload a file as an artifact through the running gateway (CAIRN_TOKEN); resumes across dropped connections')
    .argument('<file>')
    .requiredOption('--workspace <id>', 'the workspace the artifact belongs to')
    .option('--thread <id>', 'bind it to this thread')
    .option('--name <name>', "the artifact's name (default: the file's base name)")
    .option('--type <mime>', 'its media type (default application/octet-stream)')
    .option('--url <ws-url>', 'the gateway /rpc URL (default from CAIRN_LISTEN, else ws://127.0.0.1:17878/rpc)')
    .action(async (file: string, options: ConnectOptions & { workspace: string; thread?: string; name?: string; type?: string }) => {
      const bar = progressBar(global(), `uploading ${options.name ?? file}`);
      try {
        const result = await withClient(env, options, (client) =>
          upload(
            file,
            {
              client,
              workspace_id: options.workspace,
              ...(options.thread ? { thread_id: options.thread } : {}),
              ...(options.name ? { file_name: options.name } : {}),
              ...(options.type ? { mime_type: options.type } : {}),
            },
            bar.update,
          ),
        );
        bar.stop();
        const a = result.artifact;
        output(global(), result, () => [`uploaded ${a.name}: artifact ${a.artifact_id} version ${a.version_id}, ${a.size_bytes} bytes, sha256 ${a.sha256}`]);
      } finally {
        bar.stop();
      }
    });

  add(artifacts, 'download')
    .description('download an artifact version (or a byte range of it) through the running gateway (CAIRN_TOKEN)')
    .argument('<artifact-id>')
    .argument('<out-file>')
    .requiredOption('--workspace <id>', 'the workspace the artifact belongs to')
    .option('--version <id>', 'this version instead of the current one')
    .option('--offset <bytes>', 'start at this byte')
    .option('--length <bytes>', 'at most this many bytes')
    .option('--url <ws-url>', 'the gateway /rpc URL (default from CAIRN_LISTEN, else ws://127.0.0.1:17878/rpc)')
    .action(async (artifactId: string, out: string, options: ConnectOptions & { workspace: string; version?: string; offset?: string; length?: string }) => {
      const offset = nonNegative('--offset', options.offset);
      const length = nonNegative('--length', options.length);
      const bar = progressBar(global(), `downloading ${artifactId}`);
      try {
        const result = await withClient(env, options, (client) =>
          download(
            {
              workspace_id: options.workspace,
              artifact_id: artifactId,
              ...(options.version ? { version_id: options.version } : {}),
              ...(offset !== undefined || length !== undefined ? { range: { offset: offset ?? 0, ...(length !== undefined ? { length } : {}) } } : {}),
            },
            out,
            { client },
            bar.update,
          ),
        );
        bar.stop();
        output(global(), result, () => [
          `downloaded ${result.bytes_written} bytes of ${artifactId} version ${result.version_id} to ${out}${result.verified_whole_file ? ` (sha256 ${result.sha256} verified)` : ' (every chunk verified)'}`,
        ]);
      } finally {
        bar.stop();
      }
    });
}
