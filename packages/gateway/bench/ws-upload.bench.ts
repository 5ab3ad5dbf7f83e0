// ws-upload: MB/s of a 256 MiB file uploaded over 127.0.0.1 with the client's `upload` helper
// (CAUP chunks of 256 KiB, a window of 8, every chunk hashed by both sides, the running hash
// persisted per durable batch, the whole-file SHA-256 checked at finish, ingested through the
// ArtifactService), against, in the same run:
//   - the local ingest baseline: `ArtifactService.ingestStream` of the same-sized file in this
//     process (hash, temp, fsync, rename, metadata): `ratio` = socket MB/s / local MB/s (target >= 0.6);
//   - a plain tus server (`@tus/server` + `@tus/file-store`, fsync at the end, no hashing) fed by
//     the official `tus-js-client`: `vs_tus` = socket MB/s / plain tus MB/s (goal >= 1.0).
// The gateway runs in a child process (`transfer-child.ts`), so `server_peak_rss_mb` is the
// server's own (VmRSS sampled every 10 ms); `rss_growth_mb_256` and `rss_growth_mb_1g` are the
// peaks over its idle RSS for a 256 MiB and a 1 GiB upload (must stay <= 64 MB and not grow
// with size). Each round uses fresh file contents (a new seed), so no side reuses a stored blob.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import * as tus from 'tus-js-client';
import { createSHA256 } from 'hash-wasm';
import { ArtifactService, LocalArtifactBlobStore } from '@cairn/artifacts';
import { createCairnClient, upload } from '@cairn/client';
import { report, round } from '@cairn/tooling/bench';
import { openRuntime } from '../src/index.js';
import { MiB, median, ownCpuMs, startChild, writeDeterministicFile } from './transfer-bench-kit.js';

const SIZE = 256 * MiB;
const BIG = 1024 * MiB;
/** `CAIRN_BENCH_QUICK=1`: one round, no 1 GiB pass (for trying a change; not the reported figures). */
const QUICK = process.env.CAIRN_BENCH_QUICK === '1';
const ROUNDS = QUICK ? 1 : 3;

interface CairnInfo {
  rpcUrl: string;
  url: string;
  token: string;
  workspace_id: string;
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-ws-upload-'));
const gateway = await startChild<CairnInfo>('cairn', join(dir, 'home'));
const plainTus = await startChild<{ url: string }>('tus', join(dir, 'tus'));
const local = await openRuntime({ env: {}, home: join(dir, 'local-home'), settings: { log_level: 'silent' } });
const service = new ArtifactService({ store: local.store, blobs: new LocalArtifactBlobStore({ root: join(dir, 'local-blobs') }), settings: local.settings });
const localWs = (await local.store.workspaces.ensureDefault()).workspace_id;
const client = createCairnClient({ url: gateway.info.rpcUrl, token: gateway.info.token });
await client.ready();

const viaSocket = async (path: string, sha256: string) => {
  const t0 = performance.now();
  const result = await upload(path, { client, workspace_id: gateway.info.workspace_id, sha256, mime_type: 'application/octet-stream' });
  if (result.artifact.sha256 !== sha256) throw new Error('socket upload stored other bytes');
  return performance.now() - t0;
};
const viaLocal = async (path: string, sha256: string) => {
  const t0 = performance.now();
  const ref = await service.ingestStream({ workspace_id: localWs, name: 'local.bin', mime_type: 'application/octet-stream', source_kind: 'user_upload' }, createReadStream(path, { highWaterMark: MiB }));
  if (ref.sha256 !== sha256) throw new Error('local ingest stored other bytes');
  return performance.now() - t0;
};
const viaTus = (path: string, size: number) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    const job = new tus.Upload(createReadStream(path), {
      endpoint: plainTus.info.url,
      uploadSize: size,
      chunkSize: 64 * MiB,
      retryDelays: [],
      metadata: { filename: 'plain.bin' },
      onError: reject,
      onSuccess: () => resolve(performance.now() - t0),
    });
    job.start();
  });

/** MB/s of SHA-256 over `total` bytes in 256 KiB chunks: node:crypto (OpenSSL) and hash-wasm (the resumable one the gateway persists). */
async function hashSpeeds(total: number) {
  const chunk = Buffer.alloc(256 * 1024, 7);
  const t0 = performance.now();
  const node = createHash('sha256');
  for (let n = 0; n < total; n += chunk.length) node.update(chunk);
  node.digest();
  const t1 = performance.now();
  const wasm = await createSHA256();
  wasm.init();
  for (let n = 0; n < total; n += chunk.length) wasm.update(chunk);
  wasm.digest();
  const t2 = performance.now();
  return { node_crypto_sha256_mb_s: round(total / MiB / ((t1 - t0) / 1000), 1), hash_wasm_sha256_mb_s: round(total / MiB / ((t2 - t1) / 1000), 1) };
}

try {
  await hashSpeeds(32 * MiB);
  const hashing = await hashSpeeds(256 * MiB);
  console.log(`SHA-256: node:crypto ${hashing.node_crypto_sha256_mb_s} MB/s, hash-wasm ${hashing.hash_wasm_sha256_mb_s} MB/s`);
  // Warm-up: JIT, SQLite cache, the first WASM instantiation.
  const warm = join(dir, 'warm.bin');
  const warmSha = await writeDeterministicFile(warm, 1, 16 * MiB);
  await viaSocket(warm, warmSha);
  await viaLocal(warm, warmSha);
  await viaTus(warm, 16 * MiB);
  rmSync(warm);
  await new Promise((r) => setTimeout(r, 300));
  const idle = gateway.rssMb();

  const ratios: number[] = [];
  const vsTus: number[] = [];
  const socketMbS: number[] = [];
  const localMbS: number[] = [];
  const tusMbS: number[] = [];
  /** CPU ms per MiB of each side: the bench process (client, or the local ingest) plus the server child. */
  const cpu: Record<'socket' | 'local' | 'tus', number[]> = { socket: [], local: [], tus: [] };
  let peak256 = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const a = join(dir, `a${r}.bin`);
    const b = join(dir, `b${r}.bin`);
    const shaA = await writeDeterministicFile(a, 100 + r, SIZE);
    const shaB = await writeDeterministicFile(b, 200 + r, SIZE);
    const order = r % 2 === 0 ? ['socket', 'local', 'tus'] : ['tus', 'local', 'socket'];
    const ms: Record<string, number> = {};
    for (const side of order) {
      const cpu0 = ownCpuMs() + gateway.cpuMs() + plainTus.cpuMs();
      if (side === 'socket') {
        const { value, peak_rss_mb } = await gateway.peakDuring(() => viaSocket(a, shaA));
        ms.socket = value;
        peak256 = Math.max(peak256, peak_rss_mb);
      } else if (side === 'local') ms.local = await viaLocal(b, shaB);
      else ms.tus = await viaTus(a, SIZE);
      cpu[side as keyof typeof cpu].push((ownCpuMs() + gateway.cpuMs() + plainTus.cpuMs() - cpu0) / (SIZE / MiB));
    }
    const rate = (t: number) => SIZE / MiB / (t / 1000);
    socketMbS.push(rate(ms.socket!));
    localMbS.push(rate(ms.local!));
    tusMbS.push(rate(ms.tus!));
    ratios.push(ms.local! / ms.socket!);
    vsTus.push(ms.tus! / ms.socket!);
    console.log(`round ${r + 1}: socket ${round(rate(ms.socket!), 1)} MB/s, local ingest ${round(rate(ms.local!), 1)} MB/s, plain tus ${round(rate(ms.tus!), 1)} MB/s`);
    rmSync(a);
    rmSync(b);
  }

  let bigMs = Number.NaN;
  let peak1g = Number.NaN;
  if (!QUICK) {
    const big = join(dir, 'big.bin');
    const bigSha = await writeDeterministicFile(big, 999, BIG);
    ({ value: bigMs, peak_rss_mb: peak1g } = await gateway.peakDuring(() => viaSocket(big, bigSha)));
    rmSync(big);
  }
  console.log(`1 GiB: ${round(BIG / MiB / (bigMs / 1000), 1)} MB/s, server peak RSS ${peak1g} MB (idle ${idle} MB)`);

  report({
    bench: 'ws-upload',
    ratio: round(median(ratios), 3),
    ratios: ratios.map((x) => round(x, 3)),
    vs_tus: round(median(vsTus), 3),
    // CPU per MiB (client + server, every thread; the wall-clock ratios swing with the box's load, these much less).
    cpu_ms_per_mb_socket: round(median(cpu.socket), 2),
    cpu_ms_per_mb_local: round(median(cpu.local), 2),
    cpu_ms_per_mb_tus: round(median(cpu.tus), 2),
    cpu_ratio: round(median(cpu.local) / median(cpu.socket), 3),
    cpu_vs_tus: round(median(cpu.tus) / median(cpu.socket), 3),
    socket_mb_s: round(median(socketMbS), 1),
    local_ingest_mb_s: round(median(localMbS), 1),
    plain_tus_mb_s: round(median(tusMbS), 1),
    file_mb: SIZE / MiB,
    server_idle_rss_mb: idle,
    server_peak_rss_mb_256: peak256,
    server_peak_rss_mb_1g: peak1g,
    rss_growth_mb_256: round(peak256 - idle, 1),
    rss_growth_mb_1g: round(peak1g - idle, 1),
    socket_mb_s_1g: round(BIG / MiB / (bigMs / 1000), 1),
    bufferutil: process.env.WS_NO_BUFFER_UTIL ? 'disabled' : 'enabled',
    ...hashing,
  });
} finally {
  await client.close();
  await gateway.stop();
  await plainTus.stop();
  await local.close();
  rmSync(dir, { recursive: true, force: true });
}
