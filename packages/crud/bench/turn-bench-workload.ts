// Shared by the turn benches (not a bench itself: no `.bench.ts` suffix). A deterministic
// stream of turn events shaped like an agent's: a turn starts, runs messages streamed in
// deltas and tool calls whose payload is updated, and completes.
import type { TurnEventPayload } from '@cairn/protocol';

export interface BenchEvent {
  threadId: string;
  turnId: string;
  key: string;
  event: TurnEventPayload;
}

const SENTENCE = 'The agent read three files, found the failing assertion and proposed a two-line patch to the parser. ';

/** Events of one turn: started, `items` items (odd: message with 4 deltas; even: command updated once), completed. */
export function turnEvents(threadId: string, turnId: string, items = 3): BenchEvent[] {
  const out: BenchEvent[] = [];
  let k = 0;
  const push = (event: TurnEventPayload) => out.push({ threadId, turnId, key: `${turnId}:${k++}`, event });
  push({ type: 'turn.started', input: [{ type: 'text', text: `Fix the flaky parser test in ${turnId}. ${SENTENCE}` }] });
  for (let i = 0; i < items; i++) {
    const itemId = `item_${i}`;
    if (i % 2 === 0) {
      push({ type: 'item.started', item_id: itemId, item_type: 'agent_message' });
      for (let d = 0; d < 4; d++) push({ type: 'item.agent_message.delta', item_id: itemId, delta: SENTENCE });
      push({ type: 'item.completed', item_id: itemId, status: 'completed' });
    } else {
      push({ type: 'item.started', item_id: itemId, item_type: 'command', payload: { command: `pnpm test -- parser --shard ${i}` } });
      push({ type: 'item.updated', item_id: itemId, payload: { command: `pnpm test -- parser --shard ${i}`, output: SENTENCE } });
      push({ type: 'item.completed', item_id: itemId, status: 'completed', payload: { command: `pnpm test -- parser --shard ${i}`, exit_code: 0 } });
    }
  }
  push({ type: 'turn.completed', usage: { input_tokens: 1200, output_tokens: 300 } });
  return out;
}

/** `count` events over `threads` threads, turn after turn. */
export function workload(count: number, threads: number, prefix = 'turn'): BenchEvent[] {
  const out: BenchEvent[] = [];
  for (let t = 0; out.length < count; t++) out.push(...turnEvents(`thread_${t % threads}`, `${prefix}_${t}`));
  return out.slice(0, count);
}

/** A clock the bench can rewind, 1 ms per reading: both sides of a comparison see the same timestamps. */
export function benchClock(start = Date.parse('2025-01-01T00:00:00.000Z')): (() => Date) & { reset(): void; at(i: number): string } {
  let t = start;
  const clock = (() => new Date(t++)) as (() => Date) & { reset(): void; at(i: number): string };
  clock.reset = () => {
    t = start;
  };
  clock.at = (i) => new Date(start + i).toISOString();
  return clock;
}
