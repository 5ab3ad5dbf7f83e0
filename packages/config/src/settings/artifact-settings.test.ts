import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ARTIFACT_QUOTAS, isCairnError } from '@cairn/protocol';
import { runtimePaths } from '../home/runtime-home.js';
import { resolveArtifactsRoot } from './artifacts-root.js';
import { loadSettings, validateSettings } from './load-settings.js';
import { DEFAULT_CAPTURE_IGNORE } from './schema.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const MiB = 1024 * 1024;

describe('[quotas], [capture], [artifacts]', () => {
  it("defaults to the issue's numbers", () => {
    const settings = validateSettings({});
    expect(settings.quotas).toEqual({
      max_artifact_bytes: 512 * MiB,
      workspace_artifact_bytes: 10 * 1024 * MiB,
      workspace_artifact_files: 100_000,
      warn_at_fraction: 0.8,
    });
    // The store's own defaults are the same numbers, so a library caller without settings gets them too.
    expect(settings.quotas).toEqual(DEFAULT_ARTIFACT_QUOTAS);
    expect(settings.capture).toEqual({
      user_uploads: true,
      new_workspace_files: true,
      modified_workspace_files: false,
      generated_media: true,
      tool_outputs: true,
      task_results: true,
      agent_messages: false,
      max_files_per_turn: 32,
      max_file_bytes: 50 * MiB,
      max_turn_bytes: 128 * MiB,
      ignore: ['.git', 'target', 'node_modules', 'dist', 'build', '.next', '.cache', '.DS_Store', '*.tmp', '*.swp', '*~'],
    });
    expect(settings.artifacts).toEqual({ gc_grace_hours: 24 });
  });

  it('gives each load its own ignore list (a caller editing one does not change the defaults)', () => {
    const first = validateSettings({});
    first.capture.ignore.push('secret-dir');
    expect(validateSettings({}).capture.ignore).toEqual([...DEFAULT_CAPTURE_IGNORE]);
  });

  it('reads the sections from the TOML file; an ignore list replaces the default one', () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
    const file = join(dir, 'gateway-settings.toml');
    writeFileSync(
      file,
      ['[quotas]', 'workspace_artifact_files = 10', 'warn_at_fraction = 0.5', '[capture]', 'modified_workspace_files = true', 'ignore = ["*.log"]', '[artifacts]', 'root = "/srv/blobs"', 'gc_grace_hours = 1.5'].join('\n'),
    );
    const { settings } = loadSettings({ file });
    expect(settings.quotas).toMatchObject({ workspace_artifact_files: 10, warn_at_fraction: 0.5, max_artifact_bytes: 512 * MiB });
    expect(settings.capture).toMatchObject({ modified_workspace_files: true, ignore: ['*.log'], new_workspace_files: true });
    expect(settings.artifacts).toEqual({ root: '/srv/blobs', gc_grace_hours: 1.5 });
  });

  it.each([
    [{ quotas: { warn_at_fraction: 1.5 } }, '/quotas/warn_at_fraction'],
    [{ quotas: { workspace_artifact_files: -1 } }, '/quotas/workspace_artifact_files'],
    [{ capture: { max_files_per_turn: 1.5 } }, '/capture/max_files_per_turn'],
    [{ capture: { ignore: [''] } }, '/capture/ignore/0'],
    [{ capture: { scan_everything: true } }, '/capture'],
    [{ artifacts: { root: '' } }, '/artifacts/root'],
    [{ artifacts: { gc_grace_hours: -1 } }, '/artifacts/gc_grace_hours'],
  ])('refuses %j naming the path', (input, path) => {
    try {
      validateSettings(input);
    } catch (error) {
      expect(isCairnError(error) && error.code).toBe('invalid_params');
      expect((error as Error).message).toContain(path);
      return;
    }
    throw new Error('expected invalid_params');
  });
});

describe('resolveArtifactsRoot', () => {
  const paths = runtimePaths('/home/op/.cairn');

  it('is <home>/artifacts by default, the absolute root when set (outside the home too), a relative one inside the home', () => {
    expect(resolveArtifactsRoot(validateSettings({}), paths)).toBe('/home/op/.cairn/artifacts');
    expect(resolveArtifactsRoot(validateSettings({ artifacts: { root: '/mnt/shared/cairn/' } }), paths)).toBe('/mnt/shared/cairn');
    expect(resolveArtifactsRoot(validateSettings({ artifacts: { root: 'blobs' } }), paths)).toBe('/home/op/.cairn/blobs');
  });

  it("refuses '..' segments", () => {
    expect(() => resolveArtifactsRoot(validateSettings({ artifacts: { root: '/mnt/../etc' } }), paths)).toThrow(/'\.\.' segments/);
    expect(() => resolveArtifactsRoot(validateSettings({ artifacts: { root: '../elsewhere' } }), paths)).toThrow(/'\.\.' segments/);
  });
});
