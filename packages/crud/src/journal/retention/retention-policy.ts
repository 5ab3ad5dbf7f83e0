import { CairnError } from '@cairn/protocol';
import type { ArchivedRow } from './archive-segment.js';

/** What retention keeps of each workspace: an event leaves only when BOTH rules let it go. */
export interface RetentionPolicy {
  /** Keep every event recorded less than this many days before `now`. */
  keepDays: number;
  /** Keep at least this many newest events per workspace (at least 1: a workspace's head always stays). */
  keepEvents: number;
  /** Most events per archive segment. Default 10,000. */
  segmentEvents?: number;
}

export const DEFAULT_SEGMENT_EVENTS = 10_000;

export function checkPolicy(policy: RetentionPolicy): Required<RetentionPolicy> {
  const { keepDays, keepEvents, segmentEvents = DEFAULT_SEGMENT_EVENTS } = policy;
  if (!Number.isFinite(keepDays) || keepDays < 0) throw new CairnError('invalid_params', 'keepDays must be a number of days, 0 or more');
  if (!Number.isSafeInteger(keepEvents) || keepEvents < 1) throw new CairnError('invalid_params', 'keepEvents must be an integer, 1 or more');
  if (!Number.isSafeInteger(segmentEvents) || segmentEvents < 1) throw new CairnError('invalid_params', 'segmentEvents must be an integer, 1 or more');
  return { keepDays, keepEvents, segmentEvents };
}

/**
 * How many of `rows` (a workspace's oldest live events, in seq order) may leave: the longest
 * prefix of v2 events recorded before `now - keepDays` and at least `keepEvents` behind the
 * head. It stops at the first event too young, so an event is never archived while an older
 * one stays, even when clocks made `recorded_at` go backwards.
 */
export function eligiblePrefix(rows: readonly ArchivedRow[], headSeq: number, policy: Required<RetentionPolicy>, now: Date): number {
  const cutoff = now.getTime() - policy.keepDays * 86_400_000;
  let n = 0;
  for (const row of rows) {
    if (row.workspace_seq > headSeq - policy.keepEvents) break;
    if (row.hash_version !== 2) break; // v1 rows form the file's old chain: they stay (the delete trigger insists)
    const at = Date.parse(row.recorded_at);
    if (!(at < cutoff)) break;
    n++;
  }
  return n;
}
