import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { ArtifactService, LocalArtifactBlobStore } from '@cairn/artifacts';
import type { GatewaySettings } from '@cairn/config';
import { createSecretResolver } from '@cairn/keystore';
import type { ArtifactRef } from '@cairn/protocol';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { openRuntime, type GatewayRuntime } from '../runtime/open-runtime.js';
import { ManualClock } from './clock.js';
import { ExecutorRegistry, type TaskExecutor } from './executor.js';
import { INLINE_RESULT_MAX_CHARS, captureResultAsArtifact } from './result-capture.js';
import { TaskScheduler } from './scheduler.js';

// `[capture] task_results` in the scheduler (SQLite, then PostgreSQL): a run's result over the
// inline bound is stored as a JSON artifact bound task_result to the run, and the run records
// the ref; without capture such a run fails `result_too_large` instead of never completing.

const SETTINGS: GatewaySettings['tasks'] = {
  scheduler_enabled: true,
  poll_ms: 1000,
  lease_ms: 10_000,
  heartbeat_ms: 2000,
  claim_batch: 16,
  max_concurrent_runs: 2,
  reconciler_interval_ms: 5000,
  webhook_timeout_ms: 1000,
};
const quiet = { info() {}, warn() {}, error() {} };

/** A `tool` executor answering a result of `chars` characters of JSON (more or less). */
function bigResultTool(chars: number): TaskExecutor {
  return { kind: 'tool', execute: async () => ({ outcome: 'succeeded', result: { rows: 'x'.repeat(chars), ok: true } }) };
}

describe.each(['sqlite', 'postgres'] as const)('task results captured as artifacts (%s)', (backend) => {
  let root: string | undefined;
  let runtime: GatewayRuntime | undefined;
  let scheduler: TaskScheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop(100);
    await runtime?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    scheduler = runtime = root = undefined;
  });

  async function run(chars: number, capture: boolean): Promise<{ rt: GatewayRuntime; ws: string; artifacts: ArtifactService; detail: Awaited<ReturnType<GatewayRuntime['store']['tasks']['get']>> }> {
    root = mkdtempSync(join(tmpdir(), `cairn-result-capture-${backend}-`));
    const env = backend === 'postgres' ? { databaseUrl: (await createTestDatabase('result_capture')).url } : {};
    const rt = (runtime = await openRuntime({ home: join(root, 'home'), env, settings: { log_level: 'silent' } }));
    const ws = (await rt.store.workspaces.ensureDefault()).workspace_id;
    const artifacts = new ArtifactService({ store: rt.store, blobs: new LocalArtifactBlobStore({ root: join(root, 'blobs') }), settings: rt.settings });
    const clock = new ManualClock('2026-12-01T00:00:00.000Z');
    scheduler = new TaskScheduler({
      tasks: rt.store.tasks,
      executors: new ExecutorRegistry([bigResultTool(chars)]),
      settings: SETTINGS,
      delivery: { secrets: createSecretResolver(rt.keystore), webhookTimeoutMs: 1000 },
      onCommitted: () => {},
      log: quiet,
      clock,
      owner: 'sched',
      ...(capture ? { captureResult: captureResultAsArtifact(artifacts) } : {}),
    });
    await rt.store.tasks.create({ workspace_id: ws, task_id: 'report', title: 'big report', executor_kind: 'tool', triggers: [{ kind: 'immediate' }] }, { now: clock.now() });
    for (let i = 0; i < 200; i++) {
      await scheduler.tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
      await clock.advance(100);
      const detail = await rt.store.tasks.get({ workspace_id: ws, task_id: 'report' });
      if (detail.runs.some((r) => r.status === 'succeeded' || r.status === 'failed')) return { rt, ws, artifacts, detail };
    }
    throw new Error('the run never ended');
  }

  it('a result over the inline bound becomes a JSON artifact bound to the run; the run records its ref', async () => {
    const { rt, ws, artifacts, detail } = await run(INLINE_RESULT_MAX_CHARS + 10, true);
    const [ended] = detail.runs;
    expect(ended).toMatchObject({ status: 'succeeded', result: { result_artifact: { name: `task-result-${ended!.run_id}.json`, kind: 'json' } } });
    const ref = (ended!.result as { result_artifact: ArtifactRef }).result_artifact;
    const bytes = await buffer((await artifacts.read({ workspace_id: ws, artifact_id: ref.artifact_id }, { verify: true })).stream);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ rows: 'x'.repeat(INLINE_RESULT_MAX_CHARS + 10), ok: true });
    expect((ended!.result as { size_bytes: number }).size_bytes).toBe(bytes.byteLength);
    const bindings = await rt.store.context.read((q) => q.all('SELECT binding_kind, scope, task_id, task_run_id FROM artifact_binding WHERE artifact_id = ?', [ref.artifact_id]));
    expect(bindings).toEqual([{ binding_kind: 'task_result', scope: 'task_run', task_id: 'report', task_run_id: ended!.run_id }]);
    expect((await rt.store.artifacts.get({ workspace_id: ws, artifact_id: ref.artifact_id })).artifact.source_kind).toBe('task_result');
  }, 60_000);

  it('a result within the bound stays inline (no artifact); over it without capture the run fails result_too_large', async () => {
    const small = await run(1000, true);
    expect(small.detail.runs[0]).toMatchObject({ status: 'succeeded', result: { ok: true } });
    expect((await small.rt.store.artifacts.list({ workspace_id: small.ws })).items).toEqual([]);
    await scheduler?.stop(100);
    await runtime?.close();
    rmSync(root!, { recursive: true, force: true });
    scheduler = runtime = root = undefined;

    const big = await run(INLINE_RESULT_MAX_CHARS + 10, false);
    expect(big.detail.runs[0]).toMatchObject({ status: 'failed', error: { code: 'result_too_large' } });
  }, 60_000);
});
