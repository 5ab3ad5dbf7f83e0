import type { TurnEventPayload } from '@cairn/protocol';
import type { EventStream } from '../event-log/types.js';
import type { Journal } from '../journal/types.js';
import type { SearchIndex } from '../search/search-index.js';
import { holdStreamedText } from './hold-streamed-text.js';
import { TurnProjector } from './turn-projector.js';

/**
 * The turn stream's registration with the event log: the TurnProjector (turns, items,
 * timeline, search), and the held-streamed-text transform as its `prepare` hook. Other
 * projectors that follow turn events (the turn records, the recovery jobs) register for the
 * same stream type beside it, after it.
 */
export function turnStream(options: { journal: Journal; search: SearchIndex }): EventStream {
  const { journal, search } = options;
  return {
    streamType: 'turn',
    projectors: [new TurnProjector({ search })],
    prepare: journal.heldText ? (ctx, input) => holdStreamedText(ctx, journal, input.streamId, input.payload as TurnEventPayload) : undefined,
  };
}
