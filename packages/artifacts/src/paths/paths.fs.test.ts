import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../testing/temp-dir.js';
import { resolveInsideRoot } from './resolve-inside-root.js';
import { validateArtifactName } from './validate-artifact-name.js';
import { workingDirectory } from './working-directory.js';

let dir: ReturnType<typeof tempDir>;
let root: string;
let outside: string;

beforeEach(() => {
  dir = tempDir();
  root = join(dir.path, 'root');
  outside = join(dir.path, 'outside');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'sub', 'a.txt'), 'a');
  writeFileSync(join(outside, 'secret.txt'), 's');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out.txt'));
  symlinkSync(outside, join(root, 'dir-out'));
  symlinkSync(join(root, 'sub', 'a.txt'), join(root, 'link-in.txt'));
});
afterEach(() => dir.remove());

describe('resolveInsideRoot', () => {
  it('resolves a file inside, a symlink that stays inside, and a path not yet created', async () => {
    const real = realpathSync(root);
    expect(await resolveInsideRoot(root, 'sub/a.txt')).toBe(join(real, 'sub', 'a.txt'));
    expect(await resolveInsideRoot(root, 'link-in.txt')).toBe(join(real, 'sub', 'a.txt'));
    expect(await resolveInsideRoot(root, 'sub/new/file.txt')).toBe(join(real, 'sub', 'new', 'file.txt'));
  });

  it.each([
    ['../outside/secret.txt', 'parent_segment'],
    ['sub/../../outside/secret.txt', 'parent_segment'],
    ['sub/../sub/a.txt', 'parent_segment'],
    ['/etc/passwd', 'absolute_path'],
    ['', 'invalid_path'],
    ['a\0b', 'invalid_path'],
    ['link-out.txt', 'symlink_escape'],
    ['dir-out/secret.txt', 'symlink_escape'],
    ['dir-out/not-yet.txt', 'symlink_escape'],
  ])('refuses %j (%s)', async (path, reason) => {
    await expect(resolveInsideRoot(root, path)).rejects.toMatchObject({ code: 'invalid_params', details: { reason } });
  });

  it('refuses everything when the root itself is missing', async () => {
    await expect(resolveInsideRoot(join(dir.path, 'nope'), 'a.txt')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('validateArtifactName', () => {
  it('accepts a file name, NFC-normalised', () => {
    expect(validateArtifactName('report.pdf')).toBe('report.pdf');
    expect(validateArtifactName('Cafe\u0301.txt')).toBe('Caf\u00e9.txt');
  });

  it.each([[''], ['   '], ['.'], ['..'], ['a/b'], ['a\\b'], ['x\u0000'], ['tab\there'], ['é'.repeat(128)], [42]])('refuses %j', (name) => {
    expect(() => validateArtifactName(name)).toThrow(expect.objectContaining({ code: 'invalid_params', details: { field: 'name', reason: 'invalid_name' } }));
  });
});

describe('workingDirectory', () => {
  it('derives <base>/<workspace>[/<turn>] and refuses ids that are not ids', () => {
    expect(workingDirectory('/home/work', { workspace_id: 'ws_1' })).toBe('/home/work/ws_1');
    expect(workingDirectory('/home/work', { workspace_id: 'ws_1', turn_id: 'turn:2' })).toBe('/home/work/ws_1/turn:2');
    for (const ids of [{ workspace_id: '..' }, { workspace_id: 'a/b' }, { workspace_id: 'ws', turn_id: '../x' }]) {
      expect(() => workingDirectory('/home/work', ids)).toThrow(expect.objectContaining({ code: 'invalid_params' }));
    }
  });
});
