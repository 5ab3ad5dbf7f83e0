import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultServiceSettings, openTempService, type TempService } from '../testing/temp-service.js';

const WS = 'ws_cap';

async function seedTurn(t: TempService): Promise<{ thread_id: string; turn_id: string }> {
  await t.store.workspaces.create({ workspace_id: WS, name: 'capture' });
  const { thread } = await t.store.threads.start({ workspace_id: WS, thread_id: 'thr_1' });
  const started = await t.store.turns.start({ workspace_id: WS, thread_id: thread.thread_id, turn_id: 'turn_1', input: [{ type: 'text', text: 'make files' }] });
  return { thread_id: thread.thread_id, turn_id: started.turn.turn_id };
}

describe('capture sessions', () => {
  let t: TempService;
  let root: string;
  let scope: { thread_id: string; turn_id: string };
  afterEach(async () => t.cleanup());
  const open = async (capture: Parameters<typeof defaultServiceSettings>[0] = {}) => {
    t = await openTempService({ settings: defaultServiceSettings(capture) });
    scope = await seedTurn(t);
    root = join(t.dir, 'workspace');
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(join(root, 'src', 'existing.ts'), 'export {};');
  };

  describe('with the defaults', () => {
    beforeEach(async () => open());

    it('captures new files and explicit candidates, bound to the thread and turn, honouring the ignore list', async () => {
      const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
      writeFileSync(join(root, 'report.md'), '# report');
      writeFileSync(join(root, 'src', 'existing.ts'), 'export const changed = 1;');
      for (const ignored of ['.git/HEAD', 'node_modules/x/index.js', 'dist/out.js', 'build/a', '.next/b', '.cache/c', 'target/d', 'sub/.DS_Store', 'a.tmp', 'b.swp', 'c~']) {
        mkdirSync(join(root, ignored, '..'), { recursive: true });
        writeFileSync(join(root, ignored), 'ignored');
      }
      writeFileSync(join(root, 'chart.png'), 'not really a png');
      session.candidate('chart.png', { item_id: 'item_7', mime_type: 'image/png' });
      const report = await session.complete();
      expect(report.captured.map((r) => r.name).sort()).toEqual(['chart.png', 'report.md']);
      expect(report.skipped).toEqual([]);
      const listed = await t.store.artifacts.listByTurn({ workspace_id: WS, turn_id: scope.turn_id });
      expect(listed.items.map((e) => [e.artifact.name, e.binding.thread_id, e.binding.turn_id, e.binding.item_id]).sort()).toEqual([
        ['chart.png', scope.thread_id, scope.turn_id, 'item_7'],
        ['report.md', scope.thread_id, scope.turn_id, null],
      ]);
    });

    it('applies the per-turn limits: files, bytes per file, bytes per turn', async () => {
      await t.cleanup();
      await open({ capture: { max_files_per_turn: 2, max_file_bytes: 100, max_turn_bytes: 150 } });
      const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
      writeFileSync(join(root, 'a.txt'), 'a'.repeat(80));
      writeFileSync(join(root, 'b.txt'), 'b'.repeat(101));
      writeFileSync(join(root, 'c.txt'), 'c'.repeat(80));
      writeFileSync(join(root, 'd.txt'), 'd'.repeat(10));
      writeFileSync(join(root, 'e.txt'), 'e'.repeat(10));
      const report = await session.complete();
      expect(report.captured.map((r) => r.name)).toEqual(['a.txt', 'd.txt']);
      expect(report.skipped).toEqual([
        { path: 'b.txt', reason: 'max_file_bytes' },
        { path: 'c.txt', reason: 'max_turn_bytes' },
        { path: 'e.txt', reason: 'max_files_per_turn' },
      ]);
    });

    it('holds an explicit candidate in an ignored directory to the per-file limit too', async () => {
      await t.cleanup();
      await open({ capture: { max_file_bytes: 10 } });
      const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
      mkdirSync(join(root, 'dist'));
      writeFileSync(join(root, 'dist', 'bundle.js'), 'x'.repeat(11));
      writeFileSync(join(root, '..name.txt'), 'dots');
      session.candidate(join(root, 'dist', 'bundle.js'));
      session.candidate(join(root, '..name.txt'));
      const report = await session.complete();
      expect(report.skipped).toEqual([{ path: 'dist/bundle.js', reason: 'max_file_bytes' }]);
      expect(report.captured.map((r) => r.name)).toEqual(['..name.txt']);
    });

    it('never follows a symlink out of the root, and refuses a candidate outside the roots', async () => {
      const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
      writeFileSync(join(t.dir, 'outside.txt'), 'outside');
      symlinkSync(join(t.dir, 'outside.txt'), join(root, 'link.txt'));
      session.candidate('link.txt');
      expect(() => session.candidate(join(t.dir, 'outside.txt'))).toThrow(expect.objectContaining({ code: 'invalid_params' }));
      const report = await session.complete();
      expect(report.captured).toEqual([]);
      expect(report.skipped).toEqual([{ path: 'link.txt', reason: 'symlink_escape' }]);
    });
  });

  it('captures modified files only when enabled', async () => {
    await open({ capture: { modified_workspace_files: true } });
    const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
    writeFileSync(join(root, 'src', 'existing.ts'), 'export const changed = 1;');
    utimesSync(join(root, 'src', 'existing.ts'), new Date(), new Date(Date.now() + 5_000));
    const report = await session.complete();
    expect(report.captured.map((r) => r.name)).toEqual(['existing.ts']);
  });

  it('captures nothing from the scan when new workspace files are off', async () => {
    await open({ capture: { new_workspace_files: false } });
    const session = await t.service.beginCapture({ workspace_id: WS, ...scope, roots: [root] });
    writeFileSync(join(root, 'new.txt'), 'new');
    expect((await session.complete()).captured).toEqual([]);
  });

  it('ingests a task result through the same path, bound task_result', async () => {
    await open();
    writeFileSync(join(root, 'result.json'), '{"ok":true}');
    const ref = await t.service.ingestTaskResult({ workspace_id: WS, task_id: 'task_1', task_run_id: 'run_1', root, path: 'result.json' });
    expect(ref).toMatchObject({ name: 'result.json', kind: 'json' });
    const { artifact } = await t.store.artifacts.get({ workspace_id: WS, artifact_id: ref.artifact_id });
    expect(artifact.source_kind).toBe('task_result');
  });
});
