import type { TurnEventPayload } from '@cairn/protocol';
import type { WriteContext } from '../port/types.js';
import { REDACTED } from '../journal/secret-rules.js';
import type { HeldTextGuard, Journal } from '../journal/types.js';
import type { JournaledTurnEvent } from './projection/types.js';

const HELD_OF_ITEM = "SELECT held_sealed FROM turn_item WHERE turn_id = ? AND item_id = ? AND status = 'in_progress'";
const HELD_OF_TURN = "SELECT item_id, held_sealed FROM turn_item WHERE turn_id = ? AND status = 'in_progress' AND held_sealed IS NOT NULL";
/** Attempts at a sealed form that redaction leaves intact (each a fresh nonce; one nearly always suffices). */
const SEAL_ATTEMPTS = 8;

/**
 * Streamed text and secrets. The redactor sees one event at a time, so a secret that a model
 * streams in two deltas would pass both checks and be joined whole in the item's text, the
 * search index and every read. Before a delta is journaled, the held tail of the item's
 * earlier deltas is put in front of it and `guard.split` decides what may be released; the
 * rest (the few characters that could still grow into a secret) is journaled and projected
 * only sealed (`held`), never in the clear. The events that close an item carry the held
 * tail as `held_release` (`held_releases` for a failed or cancelled turn), so no
 * acknowledged text is lost: what was held is either completed into a redacted secret by
 * the next delta, or released as the item ends. Returns the event as it is journaled; without
 * a guard, the event unchanged. Runs as the turn stream's `prepare` hook: inside the write
 * job, in event order (a batch's second delta sees the tail the first one held), before the
 * event log redacts the payload once and the projectors decide.
 */
export async function holdStreamedText(ctx: WriteContext, journal: Journal, turnId: string, event: TurnEventPayload): Promise<JournaledTurnEvent> {
  const guard = journal.heldText;
  if (!guard) return event;
  switch (event.type) {
    case 'item.agent_message.delta': {
      const row = await ctx.get<{ held_sealed: string | null }>(HELD_OF_ITEM, [turnId, event.item_id]);
      if (!row) return event; // unknown or closed item: the projector names the violation
      const { release, hold } = guard.split(openHeld(guard, row.held_sealed) + event.delta);
      return { ...event, delta: release, ...(hold === '' ? {} : { held: sealIntact(guard, journal, hold) }) };
    }
    case 'item.completed': {
      if (event.text !== undefined) return event; // the given text replaces the streamed one, held tail included
      const held = (await ctx.get<{ held_sealed: string | null }>(HELD_OF_ITEM, [turnId, event.item_id]))?.held_sealed;
      return held ? { ...event, held_release: openHeld(guard, held) } : event;
    }
    case 'turn.failed':
    case 'turn.cancelled': {
      const rows = await ctx.all<{ item_id: string; held_sealed: string }>(HELD_OF_TURN, [turnId]);
      if (rows.length === 0) return event;
      return { ...event, held_releases: Object.fromEntries(rows.map((r) => [r.item_id, openHeld(guard, r.held_sealed)])) };
    }
    default:
      return event;
  }
}

/**
 * A held tail that can no longer be opened (the keystore's data key was deleted or replaced)
 * is released as `[redacted]`: it may have been the beginning of a secret, and refusing it
 * would leave the item unable ever to close.
 */
function openHeld(guard: HeldTextGuard, sealed: string | null): string {
  if (sealed === null) return '';
  return guard.open(sealed) ?? REDACTED;
}

/** The journal redacts every string of the payload; a sealed form it would alter could not be opened again. */
function sealIntact(guard: HeldTextGuard, journal: Journal, hold: string): string {
  for (let i = 0; i < SEAL_ATTEMPTS; i++) {
    const sealed = guard.seal(hold);
    if (journal.redact(sealed) === sealed) return sealed;
  }
  throw new Error(`no sealed form of held text survived redaction in ${SEAL_ATTEMPTS} attempts`);
}
