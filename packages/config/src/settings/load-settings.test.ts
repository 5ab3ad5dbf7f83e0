import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCairnError } from '@cairn/protocol';
import { loadSettings, validateSettings } from './load-settings.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function settingsFile(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
  const file = join(dir, 'gateway-settings.toml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (error) {
    if (isCairnError(error)) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    throw error;
  }
  throw new Error('expected an error');
}

describe('loadSettings', () => {
  it('fills every default when there is no file', () => {
    const { settings, file } = loadSettings({ file: '/nonexistent/gateway-settings.toml' });
    expect(file).toBeNull();
    expect(settings.listen).toEqual({ host: '127.0.0.1', port: 17878 });
    expect(settings.storage.synchronous).toBe('NORMAL');
    expect(settings.retention.llm_context_ttl_days).toBe(7);
    expect(settings.limits.max_chunk_bytes).toBe(1024 * 1024);
  });

  it('reads the TOML file and keeps defaults for what it leaves out', () => {
    const file = settingsFile('[listen]\nport = 18000\n[storage]\nsynchronous = "FULL"\n[providers.openai]\napi_key = "secret://provider/openai"\n');
    const { settings } = loadSettings({ file });
    expect(settings.listen).toEqual({ host: '127.0.0.1', port: 18000 });
    expect(settings.storage).toEqual({ synchronous: 'FULL', busy_timeout_ms: 5000, startup_check: 'quick', database_schema: 'public' });
    expect(settings.providers['openai']?.api_key).toBe('secret://provider/openai');
  });

  it('lets the environment override the file', () => {
    const file = settingsFile('[listen]\nport = 18000\n');
    expect(loadSettings({ file, env: { listen: '0.0.0.0:19000', logLevel: 'debug' } }).settings).toMatchObject({
      listen: { host: '0.0.0.0', port: 19000 },
      log_level: 'debug',
    });
    expect(loadSettings({ file, env: { listen: '19001' } }).settings.listen).toEqual({ host: '127.0.0.1', port: 19001 });
    expect(loadSettings({ env: { listen: '[::1]:19002' } }).settings.listen).toEqual({ host: '::1', port: 19002 });
    expect(errorOf(() => loadSettings({ env: { listen: 'nope' } })).code).toBe('invalid_params');
  });

  it('names the file and the line of a TOML syntax error', () => {
    const file = settingsFile('[listen\nport = 1\n');
    const error = errorOf(() => loadSettings({ file }));
    expect(error.code).toBe('invalid_params');
    expect(error.message).toContain(file);
  });

  it('leaves journal retention off by default, and checks its bounds', () => {
    expect(validateSettings({}).journal_retention).toEqual({ enabled: false, keep_days: 90, keep_events: 10_000, every_seconds: 3600, segment_events: 10_000 });
    expect(validateSettings({ journal_retention: { enabled: true, keep_days: 0 } }).journal_retention).toMatchObject({ enabled: true, keep_days: 0, keep_events: 10_000 });
    expect(errorOf(() => validateSettings({ journal_retention: { keep_events: 0 } })).code).toBe('invalid_params');
    expect(errorOf(() => validateSettings({ journal_retention: { keep_days: -1 } })).code).toBe('invalid_params');
  });

  it('defaults the journal checkpoints to every 1000 events or 60 s, 0 turning a trigger off', () => {
    expect(validateSettings({}).checkpoints).toEqual({ every_events: 1000, every_seconds: 60 });
    expect(validateSettings({ checkpoints: { every_events: 0 } }).checkpoints).toEqual({ every_events: 0, every_seconds: 60 });
    expect(errorOf(() => validateSettings({ checkpoints: { every_seconds: -1 } })).code).toBe('invalid_params');
  });

  it('accepts startup_check "off" and refuses anything but quick or off', () => {
    expect(validateSettings({ storage: { startup_check: 'off' } }).storage.startup_check).toBe('off');
    const error = errorOf(() => validateSettings({ storage: { startup_check: 'full' } }));
    expect(((error.details?.['problems'] ?? []) as string[]).some((p) => p.startsWith('/storage/startup_check'))).toBe(true);
  });

  it('names the path of every invalid value and refuses unknown keys', () => {
    const error = errorOf(() => validateSettings({ listen: { port: 70000 }, storage: { synchronous: 'OFF' }, colour: 'blue' }));
    expect(error.code).toBe('invalid_params');
    const problems = (error.details?.['problems'] ?? []) as string[];
    expect(problems.some((p) => p.startsWith('/listen/port'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/storage/synchronous'))).toBe(true);
    expect(problems.some((p) => p.includes('colour') || p.startsWith('/:'))).toBe(true);
  });

  it('refuses credentials written in clear, without echoing them', () => {
    const file = settingsFile('[providers.openai]\napi_key = "sk-abcdefghijklmnopqrstuvwx"\n');
    const error = errorOf(() => loadSettings({ file }));
    expect(error.code).toBe('invalid_params');
    expect(error.message).not.toContain('sk-abcdefghijklmnopqrstuvwx');
  });
});
