// artifact-ingest: `ArtifactService.ingestPath` of a 256 MB file (validated path, O_NOFOLLOW
// open, streamed copy hashed on the way, fsync, rename into the content address, directory
// fsync, then the version recorded in gateway.db) against a baseline in the same process
// that only reads the same file, hashes it and writes it with positional writes and one fsync:
// the floor of any durable, content-addressed store. `ratio` = ingest MB/s / baseline MB/s
// (median of the per-round ratios; the sides alternate, a `sync` and a GC before each). Target >= 0.8.
//
// Peak RSS is measured in child processes (this file run with `--rss <MB>`), one per size, so
// each figure is that ingest's alone: `process.resourceUsage().maxRSS` after ingesting a file
// of 64 MB and of 1 GB. Flat memory means the two are about equal. Files are made in a temp
// dir and removed at the end.
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openCrudStore } from '@cairn/crud';
import { report, round } from '@cairn/tooling/bench';
import { ArtifactService, LocalArtifactBlobStore } from '../src/index.js';
import { defaultServiceSettings } from '../src/testing/temp-service.js';

const MB = 2 ** 20;
const SIZE_MB = 256;
const ROUNDS = 5;
const MAX_MEASURE_MS = 120_000;
const RSS_SIZES_MB = [64, 1024];

/** A file of `mb` MiB of random bytes, written in 1 MiB chunks (flat memory). */
async function makeFile(path: string, mb: number): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  const chunk = Buffer.allocUnsafe(MB);
  try {
    for (let i = 0; i < mb; i++) {
      randomFillSync(chunk);
      await handle.write(chunk, 0, MB, i * MB);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The floor: read, SHA-256, positional writes to a new file, fsync, close. */
async function baseline(source: string, target: string): Promise<string> {
  const hash = createHash('sha256');
  const out = await open(target, 'wx', 0o600);
  let offset = 0;
  try {
    for await (const chunk of createReadStream(source, { highWaterMark: MB }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      for (let done = 0; done < chunk.byteLength; ) done += (await out.write(chunk, done, chunk.byteLength - done, offset + done)).bytesWritten;
      offset += chunk.byteLength;
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}

async function openService(dir: string) {
  const store = await openCrudStore({ path: join(dir, 'gateway.db') });
  const blobs = new LocalArtifactBlobStore({ root: join(dir, 'artifacts') });
  const service = new ArtifactService({ store, blobs, settings: defaultServiceSettings({ quotas: { max_artifact_bytes: 4 * 1024 * MB, workspace_artifact_bytes: 64 * 1024 * MB } }) });
  return { store, blobs, service };
}

async function ensureWorkspace(store: Awaited<ReturnType<typeof openCrudStore>>, id: string): Promise<void> {
  await store.workspaces.create({ workspace_id: id, name: id });
}

/** Child mode: ingest one file of `mb` MiB and print the peak RSS. */
async function rssChild(mb: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-ingest-rss-'));
  try {
    const src = join(dir, 'src');
    await import('node:fs').then((fs) => fs.mkdirSync(src));
    await makeFile(join(src, 'big.bin'), mb);
    const { store, service } = await openService(dir);
    await ensureWorkspace(store, 'ws_rss');
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    const ref = await service.ingestPath({ workspace_id: 'ws_rss', root: src, path: 'big.bin', source_kind: 'workspace_file' });
    if (ref.size_bytes !== mb * MB) throw new Error('short ingest');
    await store.close();
    process.stdout.write(`${JSON.stringify({ mb, rss_before_mb: round(before / MB, 1), peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-ingest-'));
  try {
    const src = join(dir, 'src');
    await import('node:fs').then((fs) => fs.mkdirSync(src));
    await makeFile(join(src, 'big.bin'), SIZE_MB);
    const { store, blobs, service } = await openService(dir);
    const ratios: number[] = [];
    const ingestRates: number[] = [];
    const baselineRates: number[] = [];
    const deadline = performance.now() + MAX_MEASURE_MS;
    // Round 0 warms up (page cache, JIT) and is not counted.
    for (let r = 0; r <= ROUNDS && performance.now() < deadline; r++) {
      const ws = `ws_round_${r}`;
      await ensureWorkspace(store, ws);
      const sides = r % 2 === 0 ? (['baseline', 'ingest'] as const) : (['ingest', 'baseline'] as const);
      const rate: Record<string, number> = {};
      for (const side of sides) {
        // Neither side pays for the other's dirty pages: write everything back first.
        spawnSync('sync');
        globalThis.gc?.();
        const t0 = performance.now();
        if (side === 'baseline') await baseline(join(src, 'big.bin'), join(dir, `baseline-${r}.bin`));
        else await service.ingestPath({ workspace_id: ws, root: src, path: 'big.bin', source_kind: 'workspace_file' });
        rate[side] = SIZE_MB / ((performance.now() - t0) / 1000);
      }
      rmSync(join(dir, `baseline-${r}.bin`), { force: true });
      for await (const blob of blobs.list(ws)) await blobs.delete(ws, blob.sha256);
      console.log(`  round ${r}${r === 0 ? ' (warm-up)' : ''}: ingest ${round(rate['ingest']!, 1)} MB/s, baseline ${round(rate['baseline']!, 1)} MB/s`);
      if (r === 0) continue;
      ingestRates.push(rate['ingest']!);
      baselineRates.push(rate['baseline']!);
      ratios.push(rate['ingest']! / rate['baseline']!);
    }
    await store.close();

    const rss: Record<string, number> = {};
    for (const mb of RSS_SIZES_MB) {
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--rss', String(mb)], { encoding: 'utf8', env: process.env });
      if (child.status !== 0) throw new Error(`rss child ${mb} MB failed: ${child.stderr}`);
      const line = JSON.parse(child.stdout.trim().split('\n').pop()!) as { peak_rss_mb: number; rss_before_mb: number };
      console.log(`  ${mb} MB ingest: peak RSS ${line.peak_rss_mb} MB (before the ingest ${line.rss_before_mb} MB)`);
      rss[`peak_rss_mb_${mb === 1024 ? '1gb' : `${mb}mb`}`] = line.peak_rss_mb;
    }
    report({
      bench: 'artifact-ingest',
      ratio: round(median(ratios), 3),
      target_ratio: 0.8,
      file_mb: SIZE_MB,
      rounds: ratios.length,
      ingest_mb_per_s: round(median(ingestRates), 1),
      baseline_mb_per_s: round(median(baselineRates), 1),
      ...rss,
      rss_growth_mb: round(rss['peak_rss_mb_1gb']! - rss['peak_rss_mb_64mb']!, 1),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rssAt = process.argv.indexOf('--rss');
if (rssAt >= 0) await rssChild(Number(process.argv[rssAt + 1]));
else await main();
