import { idempotencyDigest, type CrudStore, type ReadContext } from '@cairn/crud';
import type { RecoveryCount } from '../runtime/startup-recovery.js';
import { builtinKey } from './builtin-runtime.js';

/** The `turn.failed` error of a built-in turn whose process died under it. */
export const RUNTIME_LOST = 'runtime_lost';

const RUNNING_TURNS = `SELECT workspace_id, thread_id, turn_id FROM turn WHERE status = 'running' ORDER BY workspace_id, turn_id LIMIT ? OFFSET ?`;
const KEY_USED = 'SELECT 1 AS used FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?';
const PAST_START = `SELECT 1 AS past FROM journal_event WHERE workspace_id = ? AND stream_type = 'turn' AND stream_id = ? AND type <> 'turn.started' LIMIT 1`;

interface LostTurn {
  workspace_id: string;
  thread_id: string;
  turn_id: string;
}

/**
 * At start, before any client: the built-in runtime runs in the gateway's process, so a turn it
 * was running when that process died (SIGKILL, power loss) has nobody left to end it and would
 * stay `running` for ever. Each is ended with `turn.failed {code: 'runtime_lost'}` through the
 * normal append path (key `builtin:<turn>:lost`, so a start interrupted again never fails a
 * turn twice, and a turn that ended meanwhile is a no-op). Only for a home whose gateway is
 * the only one running its turns (SQLite): on a shared PostgreSQL another live gateway may be
 * running them.
 */
export async function failLostBuiltinTurns(store: CrudStore, options: { batch?: number; maxRounds?: number } = {}): Promise<RecoveryCount> {
  const batch = options.batch ?? 500;
  const maxRounds = options.maxRounds ?? 100;
  const find = () => store.context.read((q) => lostTurns(q, batch));
  let detected = 0;
  let repaired = 0;
  for (let round = 0; round < maxRounds; round++) {
    const lost = await find();
    detected += lost.length;
    let applied = 0;
    for (const turn of lost) {
      const [result] = (
        await store.turns.appendEvents({
          workspace_id: turn.workspace_id,
          events: [
            {
              thread_id: turn.thread_id,
              turn_id: turn.turn_id,
              idempotency_key: builtinKey(turn.turn_id, 'lost'),
              event: { type: 'turn.failed', error: { code: RUNTIME_LOST, message: 'the gateway stopped while its built-in runtime ran this turn' }, repair: { kind: RUNTIME_LOST } },
            },
          ],
        })
      ).results;
      if (result?.outcome === 'applied') applied++;
    }
    repaired += applied;
    if (lost.length < batch || applied === 0) break;
  }
  return { detected, repaired, remaining: (await find()).length };
}

/**
 * Running turns the built-in runtime owned: one whose first step it journaled (key
 * `builtin:<turn>:0`; keys are stored as digests), or one that never got past `turn.started`
 * (a gateway whose runtime is built-in runs every turn `turn/start` opens, and a turn an
 * external runtime reports into soon has events with keys of its own). Up to `limit`.
 */
async function lostTurns(q: ReadContext, limit: number): Promise<LostTurn[]> {
  const lost: LostTurn[] = [];
  for (let offset = 0; lost.length < limit; offset += limit) {
    const running = await q.all<LostTurn>(RUNNING_TURNS, [limit, offset]);
    for (const turn of running) {
      const builtin = await q.get(KEY_USED, [turn.workspace_id, idempotencyDigest(builtinKey(turn.turn_id, 0))]);
      const pastStart = builtin ? undefined : await q.get(PAST_START, [turn.workspace_id, turn.turn_id]);
      if (builtin || !pastStart) lost.push(turn);
    }
    if (running.length < limit) break;
  }
  return lost.slice(0, limit);
}
