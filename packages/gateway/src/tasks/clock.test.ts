import { describe, expect, it } from '@jest/globals';
import { ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('fires timers and sleeps in due order, each at its own instant', async () => {
    const clock = new ManualClock('2026-03-29T00:00:00Z');
    const seen: string[] = [];
    clock.setTimer(300, () => seen.push(`c@${clock.now().toISOString()}`));
    clock.setTimer(100, () => seen.push(`a@${clock.now().toISOString()}`));
    clock.setTimer(100, () => seen.push(`b@${clock.now().toISOString()}`));
    const cancelled = clock.setTimer(200, () => seen.push('never'));
    cancelled.cancel();
    void clock.sleep(250).then(() => seen.push(`slept@${clock.now().toISOString()}`));
    expect(clock.pending).toBe(4);
    await clock.advance(1000);
    expect(seen).toEqual([
      'a@2026-03-29T00:00:00.100Z',
      'b@2026-03-29T00:00:00.100Z',
      'slept@2026-03-29T00:00:00.250Z',
      'c@2026-03-29T00:00:00.300Z',
    ]);
    expect(clock.now().toISOString()).toBe('2026-03-29T00:00:01.000Z');
    expect(clock.pending).toBe(0);
  });

  it('runs a loop that sleeps between steps through simulated time', async () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      while (!controller.signal.aborted) {
        ticks.push(clock.now().getTime());
        await clock.sleep(1000, controller.signal);
      }
    })();
    await clock.advance(3500);
    controller.abort();
    await loop;
    expect(ticks).toEqual([0, 1000, 2000, 3000]);
  });

  it('never goes backwards', async () => {
    const clock = new ManualClock(1000);
    await expect(clock.set(500)).rejects.toThrow(/backwards/);
    expect(() => new ManualClock('not a date')).toThrow(/invalid start/);
  });
});

describe('systemClock', () => {
  it('sleeps on the wall clock and wakes at once on abort', async () => {
    const order: string[] = [];
    const slept = systemClock.sleep(30).then(() => order.push('sleep 30'));
    systemClock.setTimer(0, () => order.push('timer 0'));
    await slept;
    expect(order).toEqual(['timer 0', 'sleep 30']);
    const controller = new AbortController();
    const waiting = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await waiting;
    let fired = false;
    systemClock.setTimer(0, () => (fired = true)).cancel();
    await systemClock.sleep(10);
    expect(fired).toBe(false);
  });
});
