import type { TurnEventAppendEntryResult, TurnEventPayload } from '@cairn/protocol';
import { TURN_TABLES } from '../turn-projector.js';
import type { TurnFixture } from './turn-fixture.js';

export type SpecEvent = [turnId: string, event: TurnEventPayload, options?: { threadId?: string; workspaceId?: string; key?: string }];

export interface WhenOutcome {
  /** `applied`, a `noop_*` outcome, or the error code that refused the event. */
  outcome: string;
  result?: TurnEventAppendEntryResult;
  /** The refusal's message (for violations: the projector's reason). */
  reason?: string;
  /** Whether any turn read model, the search index or the journal differs from before `when`. */
  changed: boolean;
}

const WATCHED = [...TURN_TABLES, 'turn_search', 'journal_event', 'thread'];

async function snapshot(fx: TurnFixture): Promise<string> {
  const parts: unknown[] = [];
  for (const table of WATCHED) parts.push(await fx.rows(table));
  return JSON.stringify(parts);
}

/**
 * Emmett-style projection spec: given these events (each must apply or no-op, never fail),
 * when this one arrives, then this outcome, and these rows (read with `fx.rows`). `changed`
 * tells whether anything at all was written by `when`.
 */
export function given(fx: TurnFixture, events: SpecEvent[]) {
  return {
    async when(turnId: string, event: TurnEventPayload, options: SpecEvent[2] = {}): Promise<WhenOutcome> {
      for (const [id, e, o] of events) await fx.append(id, e, o);
      const before = await snapshot(fx);
      try {
        const result = await fx.append(turnId, event, options);
        return { outcome: result.outcome, result, changed: (await snapshot(fx)) !== before };
      } catch (error) {
        const e = error as { code?: string; message?: string };
        if (typeof e.code !== 'string') throw error;
        return { outcome: e.code, reason: e.message ?? '', changed: (await snapshot(fx)) !== before };
      }
    },
  };
}
