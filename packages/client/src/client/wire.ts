import { isRecord } from '../errors/client-errors.js';

/** One inbound JSON-RPC message, after the guards below. */
export type InboundMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: unknown }
  | { kind: 'notification'; method: string; params: unknown };

/**
 * Parses one text frame: a response, a notification, or an array of them (a batch answer).
 * What is none of these (bad JSON, a response to an id this client never uses, a request
 * from the server) yields nothing: the client has no one to answer it to, and the
 * request it belongs to, if any, ends by its timeout.
 */
export function parseFrame(text: string): InboundMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const items = Array.isArray(value) ? value : [value];
  const messages: InboundMessage[] = [];
  for (const item of items) {
    const message = parseMessage(item);
    if (message) messages.push(message);
  }
  return messages;
}

function parseMessage(value: unknown): InboundMessage | undefined {
  if (!isRecord(value) || value.jsonrpc !== '2.0') return undefined;
  if (typeof value.method === 'string') {
    return value.id === undefined ? { kind: 'notification', method: value.method, params: value.params } : undefined;
  }
  if (typeof value.id !== 'number') return undefined;
  if ('error' in value) return { kind: 'response', id: value.id, ok: false, error: value.error };
  if ('result' in value) return { kind: 'response', id: value.id, ok: true, result: value.result };
  return undefined;
}

export function requestFrame(id: number, method: string, params: unknown): { jsonrpc: '2.0'; id: number; method: string; params: unknown } {
  return { jsonrpc: '2.0', id, method, params };
}

/** The `workspace_id` and `seq` every notification carries; undefined when this one lacks them. */
export function journalPosition(params: unknown): { workspaceId: string; seq: number } | undefined {
  if (!isRecord(params)) return undefined;
  const { workspace_id: workspaceId, seq } = params;
  return typeof workspaceId === 'string' && Number.isSafeInteger(seq) ? { workspaceId, seq: seq as number } : undefined;
}
