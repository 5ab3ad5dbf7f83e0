import { describe, expect, it } from '@jest/globals';
import { isCairnError } from '@cairn/protocol';
import { loadSettings, validateSettings } from './load-settings.js';

function problemsOf(input: unknown): string[] {
  try {
    validateSettings(input);
  } catch (error) {
    if (isCairnError(error) && error.code === 'invalid_params') return (error.details?.['problems'] ?? []) as string[];
    throw error;
  }
  throw new Error('expected invalid_params');
}

describe('[tasks] settings', () => {
  it('fills the scheduler defaults', () => {
    expect(loadSettings({ file: '/nonexistent/gateway-settings.toml' }).settings.tasks).toEqual({
      scheduler_enabled: true,
      poll_ms: 1000,
      lease_ms: 30_000,
      heartbeat_ms: 10_000,
      claim_batch: 16,
      max_concurrent_runs: 8,
      reconciler_interval_ms: 15_000,
      webhook_timeout_ms: 10_000,
    });
  });

  it('keeps the defaults beside what a file sets', () => {
    expect(validateSettings({ tasks: { scheduler_enabled: false, poll_ms: 50 } }).tasks).toMatchObject({ scheduler_enabled: false, poll_ms: 50, lease_ms: 30_000 });
  });

  it('names each out-of-range or unknown key', () => {
    const problems = problemsOf({ tasks: { poll_ms: 0, claim_batch: 5000, colour: 'blue' } });
    expect(problems.some((p) => p.startsWith('/tasks/poll_ms'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/tasks/claim_batch'))).toBe(true);
    expect(problems.some((p) => p.startsWith('/tasks'))).toBe(true);
    expect(problemsOf({ tasks: { webhook_timeout_ms: 1.5 } }).some((p) => p.startsWith('/tasks/webhook_timeout_ms'))).toBe(true);
  });

  it('refuses a heartbeat that does not fit twice in the lease', () => {
    expect(problemsOf({ tasks: { lease_ms: 1000, heartbeat_ms: 600 } })).toEqual(['/tasks/heartbeat_ms: at most half of lease_ms']);
    expect(validateSettings({ tasks: { lease_ms: 1000, heartbeat_ms: 500 } }).tasks.heartbeat_ms).toBe(500);
  });
});
