import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode } from '@cairn/protocol';
import { readCairnEnv } from '../env.js';
import { resolveRuntimeHome, runtimePaths } from './runtime-home.js';

describe('runtime home', () => {
  it('prefers CAIRN_HOME, else ~/.cairn, always absolute', () => {
    expect(resolveRuntimeHome({ home: '/srv/cairn', userHome: '/home/a' })).toBe('/srv/cairn');
    expect(resolveRuntimeHome({ userHome: '/home/a' })).toBe('/home/a/.cairn');
    expect(resolveRuntimeHome({ home: 'rel/home' })).toBe(join(process.cwd(), 'rel/home'));
  });

  it('resolves a home that is itself a symlink to the directory it names', () => {
    const root = mkdtempSync(join(tmpdir(), 'cairn-home-link-'));
    try {
      mkdirSync(join(root, 'disk'));
      symlinkSync(join(root, 'disk'), join(root, 'link'));
      expect(resolveRuntimeHome({ home: join(root, 'link') })).toBe(realpathSync(join(root, 'disk')));
      expect(resolveRuntimeHome({ home: join(root, 'missing') })).toBe(join(root, 'missing'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses '..' segments", () => {
    let caught: unknown;
    try {
      resolveRuntimeHome({ home: '/srv/../etc' });
    } catch (error) {
      caught = error;
    }
    expect(hasErrorCode(caught, 'invalid_params')).toBe(true);
  });

  it('derives every path from the root', () => {
    const paths = runtimePaths('/h');
    expect(paths).toEqual({
      home: '/h',
      gatewayDb: '/h/gateway.db',
      keystoreDb: '/h/keystore.db',
      keystoreKey: '/h/keystore.key',
      settingsFile: '/h/gateway-settings.toml',
      artifactsDir: '/h/artifacts',
      uploadSessionsDir: '/h/artifacts/upload_sessions',
      backupsDir: '/h/backups',
      archiveDir: '/h/archive',
    });
  });

  it('reads only the variables it knows, ignoring blanks', () => {
    expect(readCairnEnv({ CAIRN_HOME: ' /x ', CAIRN_LISTEN: '', HOME: '/home/u', OTHER: 'y' })).toEqual({ home: '/x', userHome: '/home/u' });
  });
});
