import { describe, expect, it } from '@jest/globals';
import type { ResultOf } from '@cairn/protocol';
import type { BatchOutcomes, CairnClient } from './types.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T) => undefined;

/** Compile-time checks: tsc -b type-checks this file; the body never runs a client. */
function typeChecks(client: CairnClient): void {
  void client.call('thread/start', { workspace_id: 'w' }).then((r) => r.thread.thread_id);
  // @ts-expect-error unknown params field
  void client.call('thread/start', { workspace_id: 'w', bogus: 1 });
  // @ts-expect-error unknown method
  void client.call('thread/nope', {});
  // @ts-expect-error turn/start needs input
  void client.rpc['turn/start']({ workspace_id: 'w', thread_id: 't' });
  client.on('turn/completed', (p) => {
    const status: 'completed' | 'cancelled' = p.status;
    void [status, p.seq, p.workspace_id];
  });
  // @ts-expect-error unknown notification
  client.on('turn/nope', () => undefined);
  type Outcomes = BatchOutcomes<[{ method: 'workspace/default'; params: Record<string, never> }, { method: 'thread/get'; params: { workspace_id: string; thread_id: string } }]>;
  type First = Extract<Outcomes[0], { ok: true }>['result'];
  assertType<Equal<First, ResultOf<'workspace/default'>>>(true);
}

describe('types', () => {
  it('type-checks (see typeChecks)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
