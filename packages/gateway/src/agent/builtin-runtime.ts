import type { FastifyBaseLogger } from 'fastify';
import type { CrudStore } from '@cairn/crud';
import { hasErrorCode, type Turn, type TurnEventPayload } from '@cairn/protocol';
import type { AgentRuntime } from './agent-runtime.js';
import type { BuiltinCapture, BuiltinTurnCapture } from './builtin-capture.js';

export interface BuiltinRuntimeOptions {
  store: CrudStore;
  log: FastifyBaseLogger;
  /** After each committed step (the gateway wakes its notification hub). */
  onCommitted: (workspaceId: string) => void;
  /** Pause between streamed deltas, ms. */
  deltaIntervalMs: number;
  /** When given, the `echo` tool writes the reply to a file in the workspace's working directory, captured as an artifact at turn completion. */
  capture?: BuiltinCapture;
}

interface RunningTurn {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * The idempotency key of one step of a built-in turn (`builtin:<turn>:<step>`; steps are the
 * step index, `failed`, and `lost` for startup recovery's). Startup recovery recognises the
 * turns the built-in runtime owned by the key of their first step, so both use this.
 */
export function builtinKey(turnId: string, step: number | 'failed' | 'lost'): string {
  return `builtin:${turnId}:${step}`;
}

/** The reply the built-in runtime streams: deterministic, so tests and a newcomer see the same turn every time. */
export function builtinReply(turn: Pick<Turn, 'input'>): string {
  const text = turn.input.map((part) => (part.type === 'text' ? part.text : `[attachment ${part.attachment_id}]`)).join(' ');
  const quoted = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return `You said: "${quoted}". This is Cairn's built-in runtime: no model was called, and every step of this turn is in the journal.`;
}

/** The reply in the pieces it is streamed in: about four words each. */
export function replyDeltas(reply: string): string[] {
  const words = reply.split(/(?<= )/);
  const deltas: string[] = [];
  for (let i = 0; i < words.length; i += 4) deltas.push(words.slice(i, i + 4).join(''));
  return deltas;
}

/**
 * The default runtime: no model, no key, the whole flow. For each turn it streams an agent
 * message (`item.started`, deltas, `item.completed`), runs one tool item (`tool_call` of the
 * built-in `echo` tool), and completes the turn with a token count. Every step is one append
 * with an idempotency key derived from the turn, so a step retried after an unknown commit
 * writes nothing twice. A cancelled turn stops at the next step; an append the turn's state
 * refuses (the turn ended meanwhile) ends the run quietly.
 */
export function builtinRuntime(options: BuiltinRuntimeOptions): AgentRuntime {
  const turns = new Map<string, RunningTurn>();
  const keyOf = (workspaceId: string, turnId: string) => `${workspaceId}\u0000${turnId}`;

  async function run(turn: Turn, signal: AbortSignal): Promise<void> {
    const reply = builtinReply(turn);
    const messageId = 'msg_1';
    const toolId = 'tool_1';
    const steps: TurnEventPayload[] = [
      { type: 'item.started', item_id: messageId, item_type: 'agent_message' },
      ...replyDeltas(reply).map((delta): TurnEventPayload => ({ type: 'item.agent_message.delta', item_id: messageId, delta })),
      { type: 'item.completed', item_id: messageId, status: 'completed' },
      { type: 'item.started', item_id: toolId, item_type: 'tool_call', payload: { tool: 'echo', arguments: { text: reply.length } } },
      { type: 'item.completed', item_id: toolId, status: 'completed', payload: { tool: 'echo', output: { characters: reply.length } } },
      { type: 'turn.completed', usage: { input_tokens: countWords(turn), output_tokens: reply.split(/\s+/).length } },
    ];
    // The capture session starts with the turn: what the turn writes into its working directory is new at completion.
    const capture = options.capture ? await beginCapture(turn, toolId) : undefined;
    for (const [index, event] of steps.entries()) {
      if (signal.aborted) return;
      if (event.type === 'turn.completed' && capture) await captureReply(turn, reply, capture);
      if (event.type === 'item.agent_message.delta' && options.deltaIntervalMs > 0) {
        await sleep(options.deltaIntervalMs, signal);
        if (signal.aborted) return;
      }
      const [result] = (
        await options.store.turns.appendEvents({
          workspace_id: turn.workspace_id,
          events: [{ thread_id: turn.thread_id, turn_id: turn.turn_id, idempotency_key: builtinKey(turn.turn_id, index), event }],
        })
      ).results;
      options.onCommitted(turn.workspace_id);
      if (result && result.outcome !== 'applied') return; // the turn ended meanwhile (cancelled)
    }
  }

  return {
    name: 'builtin',
    start(turn) {
      const key = keyOf(turn.workspace_id, turn.turn_id);
      if (turns.has(key)) return;
      const controller = new AbortController();
      const done = run(turn, controller.signal)
        .catch((error: unknown) => {
          if (hasErrorCode(error, 'invariant_violation') || hasErrorCode(error, 'conflict')) return; // cancelled between steps
          options.log.error({ err: error, turn_id: turn.turn_id }, 'built-in runtime: turn step failed');
          return failTurn(turn, error);
        })
        .finally(() => turns.delete(key));
      turns.set(key, { controller, done });
    },
    cancel(workspaceId, turnId) {
      turns.get(keyOf(workspaceId, turnId))?.controller.abort();
    },
    running: () => turns.size,
    async drain(timeoutMs) {
      const all = Promise.allSettled([...turns.values()].map((t) => t.done));
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'timeout') {
        for (const t of turns.values()) t.controller.abort();
        await all;
      }
    },
  };

  /**
   * The echo tool's file: written and captured before the turn completes, so a client that
   * sees `turn/completed` finds the artifact already listed for the turn. A capture that fails
   * is logged, never fails the turn.
   */
  async function beginCapture(turn: Turn, toolId: string): Promise<BuiltinTurnCapture | undefined> {
    try {
      return await options.capture!.begin(turn, toolId);
    } catch (error) {
      options.log.warn({ err: error, turn_id: turn.turn_id }, 'built-in runtime: capture could not start; the turn runs without its file');
      return undefined;
    }
  }

  async function captureReply(turn: Turn, reply: string, capture: BuiltinTurnCapture): Promise<void> {
    try {
      await capture.write('reply.md', `# Reply to turn ${turn.turn_id}\n\n${reply}\n`);
      const report = await capture.complete();
      if (report.captured.length > 0) options.onCommitted(turn.workspace_id);
      if (report.skipped.length > 0) options.log.warn({ turn_id: turn.turn_id, skipped: report.skipped }, 'built-in runtime: files not captured');
    } catch (error) {
      options.log.warn({ err: error, turn_id: turn.turn_id }, 'built-in runtime: capture failed; the turn completes without its file');
    }
  }

  async function failTurn(turn: Turn, error: unknown): Promise<void> {
    try {
      await options.store.turns.appendEvents({
        workspace_id: turn.workspace_id,
        events: [
          {
            thread_id: turn.thread_id,
            turn_id: turn.turn_id,
            idempotency_key: builtinKey(turn.turn_id, 'failed'),
            event: { type: 'turn.failed', error: { code: 'runtime_error', message: hasErrorCode(error, 'busy') ? 'the database stayed busy' : 'the built-in runtime failed' } },
          },
        ],
      });
      options.onCommitted(turn.workspace_id);
    } catch (second) {
      options.log.error({ err: second, turn_id: turn.turn_id }, 'built-in runtime: could not record the failed turn; startup repair will');
    }
  }
}

function countWords(turn: Pick<Turn, 'input'>): number {
  return turn.input.reduce((n, part) => n + (part.type === 'text' ? part.text.split(/\s+/).filter(Boolean).length : 1), 0);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
