import type { Applied, Noop, Refusal } from './types.js';

/** The one outcome vocabulary every projector answers in (ARCHITECTURE.md, "The write path"). */
export const NOOP_ALREADY_STARTED: Noop = { outcome: 'noop_already_started' };
export const NOOP_ALREADY_TERMINAL: Noop = { outcome: 'noop_already_terminal' };
export const NOOP_DUPLICATE_TERMINAL: Noop = { outcome: 'noop_duplicate_terminal' };

export const violation = (reason: string): Refusal => ({ outcome: 'invariant_violation', reason });

export const applied = <W>(write: (placed: W) => Promise<void>): Applied<W> => ({ outcome: 'applied', write });
