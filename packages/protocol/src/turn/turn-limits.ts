import { LIMITS } from '../common/limits.js';

/** @deprecated Use `LIMITS.turn`: this view stays while crud imports it. */
export const TURN_LIMITS = LIMITS.turn;
