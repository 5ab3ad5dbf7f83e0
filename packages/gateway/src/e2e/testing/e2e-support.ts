import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import { METHODS, NOTIFICATIONS, checkValue, type MethodName, type ResultOf } from '@cairn/protocol';
import type { CairnClient } from '@cairn/client';
import { readWorkspaceAfter, type JournalEvent } from '@cairn/crud';
import { startTestGateway, type TestGateway } from '@cairn/gateway/testing';
import type { StartGatewayOptions } from '../../server/start-gateway.js';

/** Temp directories of one test file, removed by `cleanup`. */
export function tempRoot(prefix: string): { home: (name: string) => string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { home: (name) => join(root, name), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export type GatewaySettings = Record<string, Record<string, unknown>>;

/** A gateway whose home lives under `root`, with the given settings sections. */
export function gatewayAt(home: string, settings: GatewaySettings, options: Omit<StartGatewayOptions, 'home' | 'settings'> = {}): Promise<TestGateway> {
  return startTestGateway(home, { ...options, settings: settings as StartGatewayOptions['settings'] });
}

/** A typed call whose result is also checked against the protocol's result schema. */
export async function checkedCall<M extends MethodName>(client: CairnClient, method: M, params: Parameters<CairnClient['call']>[1] & object): Promise<ResultOf<M>> {
  const result = await client.call(method, params as never);
  expectValid(METHODS[method].result, result, `result of ${method}`);
  return result as ResultOf<M>;
}

export function expectValid(schema: Parameters<typeof checkValue>[0], value: unknown, what: string): void {
  const checked = checkValue(schema, value);
  if (!checked.ok) throw new Error(`${what} does not match its schema: ${JSON.stringify(checked.issues)}`);
}

export function expectNotificationValid(notification: { method: string; params: unknown }): void {
  expect(Object.hasOwn(NOTIFICATIONS, notification.method)).toBe(true);
  expectValid(NOTIFICATIONS[notification.method as keyof typeof NOTIFICATIONS], notification.params, `notification ${notification.method}`);
}

/** Polls `predicate` (event-driven tests re-check on every frame; this is for state outside a socket). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every page of a paginated method. */
export async function allPages<T>(fetch: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>, maxPages = 100): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetch(cursor);
    items.push(...result.items);
    if (result.next_cursor === null) return items;
    cursor = result.next_cursor;
  }
  throw new Error(`more than ${maxPages} pages`);
}

/** The journal events of one turn (every event, deltas included: `turn/timeline` leaves deltas out), read through the store. */
export async function journalOfTurn(gateway: TestGateway, workspaceId: string, turnId: string): Promise<JournalEvent[]> {
  const events = await gateway.runtime.store.context.read((q) => readWorkspaceAfter(q, workspaceId, 0, 10_000));
  return events.filter((e) => e.streamId === turnId);
}
