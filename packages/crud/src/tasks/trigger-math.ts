import { CairnError, TASK_LIMITS, type CatchUpPolicy, type TriggerSpec } from '@cairn/protocol';
import { Cron } from 'croner';

/*
 * When triggers fire. Cron expressions are evaluated by croner in the trigger's IANA zone
 * (see the README for why croner and what it does at DST changes: an instant in the
 * spring-forward gap fires at the first minute after the gap; an instant the fall-back
 * repeats fires once, at its first occurrence; sub-hourly patterns keep their real-time
 * spacing through the repeated hour). Everything here is pure: instants in, instants out.
 */

const CRONS = new Map<string, Cron>();
const CRON_CACHE_MAX = 1000;

function invalidTrigger(reason: string, message: string, index?: number): CairnError {
  return new CairnError('invalid_params', message, { details: { reason, ...(index === undefined ? {} : { trigger_index: index }) } });
}

/** Whether the runtime's zone database knows `zone`. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cronOf(expression: string, zone: string, index?: number): Cron {
  const key = `${zone}\u0000${expression}`;
  const cached = CRONS.get(key);
  if (cached) return cached;
  if (!isKnownTimeZone(zone)) throw invalidTrigger('unknown_time_zone', `time zone ${JSON.stringify(zone)} is not an IANA time zone this runtime knows`, index);
  let cron: Cron;
  try {
    cron = new Cron(expression, { timezone: zone, paused: true });
  } catch (error) {
    throw invalidTrigger('invalid_cron', `cron expression ${JSON.stringify(expression)} is invalid: ${(error as Error).message}`, index);
  }
  if (CRONS.size >= CRON_CACHE_MAX) CRONS.clear();
  CRONS.set(key, cron);
  return cron;
}

/**
 * Checks what the schema cannot: a cron expression croner parses and that ever fires, a known
 * zone, an interval window that is not empty. `invalid_params` with `details.reason`
 * (`invalid_cron`, `unknown_time_zone`, `invalid_window`) and `details.trigger_index`.
 */
export function validateTrigger(spec: TriggerSpec, index: number, now: Date): void {
  if (spec.kind === 'cron') {
    const cron = cronOf(spec.expression, spec.time_zone, index);
    if (cron.nextRun(now) === null && cron.nextRun(new Date(0)) === null) {
      throw invalidTrigger('invalid_cron', `cron expression ${JSON.stringify(spec.expression)} never fires`, index);
    }
  }
  if (spec.kind === 'interval' && spec.start_at !== undefined && spec.end_at !== undefined && Date.parse(spec.end_at) < Date.parse(spec.start_at)) {
    throw invalidTrigger('invalid_window', 'interval trigger: end_at is before start_at', index);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

function endOf(spec: TriggerSpec): number {
  return (spec.kind === 'interval' || spec.kind === 'cron') && spec.end_at !== undefined ? Date.parse(spec.end_at) : Infinity;
}

/** The first instant a trigger armed at `now` fires at, or null (manual, dependency, or a window already over). */
export function firstFireAt(spec: TriggerSpec, now: Date): string | null {
  switch (spec.kind) {
    case 'immediate':
      return now.toISOString();
    case 'scheduled_at':
      return iso(Date.parse(spec.at));
    case 'interval': {
      const first = spec.start_at !== undefined ? Date.parse(spec.start_at) : now.getTime() + spec.every_ms;
      return first > endOf(spec) ? null : iso(first);
    }
    case 'cron':
      return cronAfter(spec.expression, spec.time_zone, now.getTime() - 1, endOf(spec));
    case 'manual':
    case 'dependency':
      return null;
  }
}

function cronAfter(expression: string, zone: string, afterMs: number, endMs: number): string | null {
  const next = cronOf(expression, zone).nextRun(new Date(afterMs));
  if (next === null || next.getTime() > endMs) return null;
  return next.toISOString();
}

/** The instant after `atIso` a recurring trigger fires at, or null (one-shot, or past `end_at`). */
export function nextFireAfter(spec: TriggerSpec, atIso: string): string | null {
  const at = Date.parse(atIso);
  if (spec.kind === 'interval') {
    const next = at + spec.every_ms;
    return next > endOf(spec) ? null : iso(next);
  }
  if (spec.kind === 'cron') return cronAfter(spec.expression, spec.time_zone, at, endOf(spec));
  return null;
}

/** A recurring trigger's next instant strictly after `now` (resume, reschedule). */
export function nextFireFrom(spec: TriggerSpec, now: Date): string | null {
  if (spec.kind === 'interval') {
    const start = spec.start_at !== undefined ? Date.parse(spec.start_at) : now.getTime() + spec.every_ms;
    if (start > now.getTime()) return start > endOf(spec) ? null : iso(start);
    const k = Math.floor((now.getTime() - start) / spec.every_ms) + 1;
    const next = start + k * spec.every_ms;
    return next > endOf(spec) ? null : iso(next);
  }
  if (spec.kind === 'cron') return cronAfter(spec.expression, spec.time_zone, now.getTime(), endOf(spec));
  return firstFireAt(spec, now);
}

/**
 * A late instant is not a missed one: `skip` still fires an instant at most this late (a
 * scheduler that steps every few seconds is on time), and drops older ones.
 */
export const SKIP_GRACE_MS = 60_000;

/** Instants enumerated per trigger per call at most (a minutely cron after weeks of downtime stays bounded). */
const ENUMERATE_MAX = 100_000;

export interface DueFiring {
  /** The instants to fire now, oldest first (the catch-up policy applied). */
  fire: string[];
  /** How many due instants were not fired (skipped, or beyond an `all` bound). */
  skipped: number;
  /** The trigger's next instant after `now`, or null when it is done. */
  next: string | null;
  /** Whether the trigger is done (a one-shot that fired, or a window that ended). */
  done: boolean;
}

/**
 * The instants of a trigger due at `now`, from its `next_fire_at`, with its catch-up policy:
 * one due instant simply fires; several mean the scheduler was down, and `latest` (default)
 * fires the newest, `skip` only one within `SKIP_GRACE_MS` of now, `all` every one (the
 * newest `max`, default `TASK_LIMITS.catchUpMax`).
 */
export function dueFiring(spec: TriggerSpec, nextFireAt: string, now: Date): DueFiring {
  const nowMs = now.getTime();
  if (spec.kind !== 'interval' && spec.kind !== 'cron') {
    // One-shots (and a manual trigger's armed instant) fire once and disarm.
    return { fire: [nextFireAt], skipped: 0, next: null, done: spec.kind !== 'manual' };
  }
  const due: string[] = [];
  let at: string | null = nextFireAt;
  let enumerated = 0;
  const policy: CatchUpPolicy = spec.catch_up ?? { mode: 'latest' };
  const keep = policy.mode === 'all' ? (policy.max ?? TASK_LIMITS.catchUpMax) : 1;
  while (at !== null && Date.parse(at) <= nowMs && enumerated < ENUMERATE_MAX) {
    due.push(at);
    if (due.length > keep) due.shift();
    enumerated++;
    at = nextFireAfter(spec, at);
  }
  // Past the enumeration bound (a trigger asleep for ages): resume from now.
  if (at !== null && Date.parse(at) <= nowMs) at = nextFireFrom(spec, now);
  let fire = due;
  if (policy.mode === 'skip') fire = due.filter((instant) => nowMs - Date.parse(instant) <= SKIP_GRACE_MS).slice(-1);
  return { fire, skipped: enumerated - fire.length, next: at, done: at === null };
}

/** Instants of a trigger in [fromMs, toMs), at most `limit`, from its next fire time (agenda). */
export function instantsBetween(spec: TriggerSpec, nextFireAt: string, fromMs: number, toMs: number, limit: number): string[] {
  const out: string[] = [];
  let at: string | null = nextFireAt;
  let guard = 0;
  while (at !== null && Date.parse(at) < toMs && out.length < limit && guard < ENUMERATE_MAX) {
    if (Date.parse(at) >= fromMs) out.push(at);
    at = nextFireAfter(spec, at);
    guard++;
  }
  return out;
}
