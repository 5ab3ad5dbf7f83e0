import { CairnError } from '@cairn/protocol';
import type { Journal } from '../journal/types.js';
import { appendEvents, type RegisteredStream } from './append-events.js';
import type { EventLog, EventStream, Projector } from './types.js';

export interface EventLogOptions {
  journal: Journal;
  /** Every stream's registration; a new stream is one more entry here, never a new write path. */
  streams: readonly EventStream[];
}

const NONE: readonly Projector[] = [];

/**
 * Builds the event log from the stream registrations, once (as tRPC builds its router: a
 * duplicate projector name or a second `prepare` for one stream throws here, not on the first
 * append). Dispatch is precomputed per (stream type, event type), so an append finds its
 * projectors with two map lookups instead of asking each one.
 */
export function createEventLog(options: EventLogOptions): EventLog {
  const { journal } = options;
  const streams = [...options.streams];
  const registry = new Map<string, { prepare?: EventStream['prepare']; byType: Map<string, Projector[]> }>();
  const projectors: Projector[] = [];
  const names = new Set<string>();
  for (const stream of streams) {
    let entry = registry.get(stream.streamType);
    if (!entry) registry.set(stream.streamType, (entry = { byType: new Map() }));
    if (stream.prepare) {
      if (entry.prepare) throw refuse(`stream ${stream.streamType} has two prepare hooks`);
      entry.prepare = stream.prepare;
    }
    for (const projector of stream.projectors) {
      if (names.has(projector.name)) throw refuse(`two projectors are named ${projector.name}`);
      names.add(projector.name);
      projectors.push(projector);
      for (const type of new Set(projector.canHandle)) {
        const list = entry.byType.get(type);
        if (list) list.push(projector);
        else entry.byType.set(type, [projector]);
      }
    }
  }
  const dispatch: ReadonlyMap<string, RegisteredStream> = registry;
  return {
    journal,
    streams,
    projectors,
    projectorsFor: (streamType, type) => registry.get(streamType)?.byType.get(type) ?? NONE,
    appendEvents: (ctx, inputs) => appendEvents(ctx, journal, dispatch, inputs),
  };
}

function refuse(message: string): CairnError {
  return new CairnError('invalid_params', `event log: ${message}`);
}
