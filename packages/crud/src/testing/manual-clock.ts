/** A clock tests move by hand: `clock.set(ms)`, `clock.tick(ms)`; each reading also advances 1 ms so timestamps stay distinct. */
export interface ManualClock {
  (): Date;
  set(ms: number): void;
  tick(ms?: number): void;
}

export function manualClock(start = Date.parse('2025-01-01T00:00:00.000Z')): ManualClock {
  let t = start;
  const clock = (() => new Date(t++)) as ManualClock;
  clock.set = (ms) => {
    t = ms;
  };
  clock.tick = (ms = 1000) => {
    t += ms;
  };
  return clock;
}
