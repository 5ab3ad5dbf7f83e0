import type { AgentSpec, Task, TaskDelivery, TaskDeliveryAttempt, TaskDependency, TaskRun, TaskTrigger, WriteLock } from '@cairn/protocol';
import { canonicalJson } from '../journal/canonical-json.js';
import type { ReadContext, WriteContext } from '../port/types.js';

/*
 * The task read models as rows, and the one way each is written: an upsert of the whole
 * record (the events carry records as they are after the change, so the projector writes what
 * the event says and a rebuild writes the same rows). The index-only columns are derived here
 * and nowhere else: `task_run.queue_at` (ready_at while queued and its task not paused),
 * `task_delivery.ready_at` (next attempt while pending, lease end while delivering).
 */

// Canonical (sorted keys): the first write and a rebuild from the journal's stored payload write the same text.
const json = (value: unknown): string => canonicalJson(value === undefined ? null : value);
const parse = <T>(text: unknown): T => (text === null || text === undefined ? (null as T) : (JSON.parse(String(text)) as T));
const n = (value: unknown): number => Number(value);
const nn = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export type Row = Record<string, unknown>;

export const TASK_COLUMNS = `task_id, workspace_id, root_task_id, parent_task_id, depth, title, status, paused_from, executor_kind, executor_config, input,
  owner_thread_id, retry, timeouts, deliveries, delivery_policy, lock_spec, run_count, last_run_id, result, error, created_at, updated_at, completed_at, last_seq`;

export function toTask(r: Row): Task {
  return {
    task_id: String(r.task_id),
    workspace_id: String(r.workspace_id),
    root_task_id: String(r.root_task_id),
    parent_task_id: (r.parent_task_id as string | null) ?? null,
    depth: n(r.depth),
    title: String(r.title),
    status: r.status as Task['status'],
    paused_from: (r.paused_from as Task['paused_from']) ?? null,
    executor_kind: r.executor_kind as Task['executor_kind'],
    executor_config: parse(r.executor_config),
    input: parse(r.input),
    owner_thread_id: (r.owner_thread_id as string | null) ?? null,
    retry: parse(r.retry),
    timeouts: parse(r.timeouts),
    deliveries: parse(r.deliveries),
    delivery_policy: parse(r.delivery_policy),
    lock: parse(r.lock_spec),
    run_count: n(r.run_count),
    last_run_id: (r.last_run_id as string | null) ?? null,
    result: parse(r.result),
    error: parse(r.error),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    completed_at: (r.completed_at as string | null) ?? null,
    last_seq: n(r.last_seq),
  };
}

const TASK_UPSERT = `INSERT INTO task (${TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (task_id) DO UPDATE SET title = excluded.title, status = excluded.status, paused_from = excluded.paused_from,
  executor_config = excluded.executor_config, input = excluded.input, retry = excluded.retry, timeouts = excluded.timeouts,
  deliveries = excluded.deliveries, delivery_policy = excluded.delivery_policy, lock_spec = excluded.lock_spec, run_count = excluded.run_count,
  last_run_id = excluded.last_run_id, result = excluded.result, error = excluded.error, updated_at = excluded.updated_at,
  completed_at = excluded.completed_at, last_seq = excluded.last_seq`;

export async function writeTask(ctx: WriteContext, t: Task, lastSeq: number): Promise<void> {
  await ctx.run(TASK_UPSERT, [
    t.task_id, t.workspace_id, t.root_task_id, t.parent_task_id, t.depth, t.title, t.status, t.paused_from, t.executor_kind,
    json(t.executor_config), json(t.input), t.owner_thread_id, json(t.retry), json(t.timeouts), json(t.deliveries), json(t.delivery_policy),
    t.lock === null ? null : json(t.lock), t.run_count, t.last_run_id, json(t.result), t.error === null ? null : json(t.error),
    t.created_at, t.updated_at, t.completed_at, lastSeq,
  ]);
}

export const TRIGGER_COLUMNS = 'trigger_id, task_id, workspace_id, ordinal, kind, spec, status, next_fire_at, last_fired_at, fire_count, created_at, updated_at';

export function toTrigger(r: Row): TaskTrigger {
  return {
    trigger_id: String(r.trigger_id),
    task_id: String(r.task_id),
    workspace_id: String(r.workspace_id),
    spec: parse(r.spec),
    status: r.status as TaskTrigger['status'],
    next_fire_at: (r.next_fire_at as string | null) ?? null,
    last_fired_at: (r.last_fired_at as string | null) ?? null,
    fire_count: n(r.fire_count),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
  };
}

/** A trigger row carries its position in the task's list (`ordinal`) besides the record. */
export type TriggerRecord = TaskTrigger & { ordinal: number };

const TRIGGER_UPSERT = `INSERT INTO task_trigger (${TRIGGER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (trigger_id) DO UPDATE SET spec = excluded.spec, status = excluded.status, next_fire_at = excluded.next_fire_at,
  last_fired_at = excluded.last_fired_at, fire_count = excluded.fire_count, updated_at = excluded.updated_at`;

export async function writeTrigger(ctx: WriteContext, t: TriggerRecord): Promise<void> {
  // Only an active trigger is in the due index.
  const next = t.status === 'active' ? t.next_fire_at : null;
  await ctx.run(TRIGGER_UPSERT, [
    t.trigger_id, t.task_id, t.workspace_id, t.ordinal, t.spec.kind, json(t.spec), t.status, next, t.last_fired_at, t.fire_count, t.created_at, t.updated_at,
  ]);
}

export const RUN_COLUMNS = `run_id, task_id, workspace_id, trigger_id, scheduled_for, attempt, status, executor_kind, ready_at, queue_at, lease_owner,
  lease_expires_at, claim_count, last_heartbeat_at, timeout_at, thread_id, turn_id, result, error, queued_at, claimed_at, started_at, completed_at, retried_by_run_id`;

export function toRun(r: Row): TaskRun {
  return {
    run_id: String(r.run_id),
    task_id: String(r.task_id),
    workspace_id: String(r.workspace_id),
    trigger_id: String(r.trigger_id),
    scheduled_for: String(r.scheduled_for),
    attempt: n(r.attempt),
    status: r.status as TaskRun['status'],
    executor_kind: r.executor_kind as TaskRun['executor_kind'],
    ready_at: String(r.ready_at),
    lease_owner: (r.lease_owner as string | null) ?? null,
    lease_expires_at: (r.lease_expires_at as string | null) ?? null,
    claim_count: n(r.claim_count),
    last_heartbeat_at: (r.last_heartbeat_at as string | null) ?? null,
    timeout_at: (r.timeout_at as string | null) ?? null,
    thread_id: (r.thread_id as string | null) ?? null,
    turn_id: (r.turn_id as string | null) ?? null,
    result: parse(r.result),
    error: parse(r.error),
    queued_at: String(r.queued_at),
    claimed_at: (r.claimed_at as string | null) ?? null,
    started_at: (r.started_at as string | null) ?? null,
    completed_at: (r.completed_at as string | null) ?? null,
    retried_by_run_id: (r.retried_by_run_id as string | null) ?? null,
  };
}

const RUN_UPSERT = `INSERT INTO task_run (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, ready_at = excluded.ready_at, queue_at = excluded.queue_at,
  lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at, claim_count = excluded.claim_count,
  last_heartbeat_at = excluded.last_heartbeat_at, timeout_at = excluded.timeout_at, thread_id = excluded.thread_id, turn_id = excluded.turn_id,
  result = excluded.result, error = excluded.error, claimed_at = excluded.claimed_at, started_at = excluded.started_at,
  completed_at = excluded.completed_at, retried_by_run_id = excluded.retried_by_run_id`;

/** `paused`: the run's task is paused, so a queued run leaves the claim index until it resumes. */
export async function writeRun(ctx: WriteContext, r: TaskRun, paused: boolean): Promise<void> {
  const queueAt = r.status === 'queued' && !paused ? r.ready_at : null;
  await ctx.run(RUN_UPSERT, [
    r.run_id, r.task_id, r.workspace_id, r.trigger_id, r.scheduled_for, r.attempt, r.status, r.executor_kind, r.ready_at, queueAt, r.lease_owner,
    r.lease_expires_at, r.claim_count, r.last_heartbeat_at, r.timeout_at, r.thread_id, r.turn_id, json(r.result), r.error === null ? null : json(r.error),
    r.queued_at, r.claimed_at, r.started_at, r.completed_at, r.retried_by_run_id,
  ]);
}

export function toDependency(r: Row): TaskDependency {
  return {
    task_id: String(r.task_id),
    depends_on_task_id: String(r.depends_on_task_id),
    workspace_id: String(r.workspace_id),
    trigger_id: String(r.trigger_id),
    condition: r.condition as TaskDependency['condition'],
    on_unmet: r.on_unmet as TaskDependency['on_unmet'],
  };
}

export async function writeDependency(ctx: WriteContext, d: TaskDependency): Promise<void> {
  await ctx.run(
    `INSERT INTO task_dependency (task_id, depends_on_task_id, workspace_id, trigger_id, condition, on_unmet) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_id, depends_on_task_id) DO NOTHING`,
    [d.task_id, d.depends_on_task_id, d.workspace_id, d.trigger_id, d.condition, d.on_unmet],
  );
}

export function toAgent(r: Row): AgentSpec {
  return {
    task_id: String(r.task_id),
    workspace_id: String(r.workspace_id),
    model: (r.model as string | null) ?? null,
    instructions: String(r.instructions),
    tools: parse(r.tools),
    max_turns: nn(r.max_turns),
    max_tokens: nn(r.max_tokens),
  };
}

export async function writeAgent(ctx: WriteContext, a: AgentSpec): Promise<void> {
  await ctx.run(
    `INSERT INTO task_agent_spec (task_id, workspace_id, model, instructions, tools, max_turns, max_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_id) DO NOTHING`,
    [a.task_id, a.workspace_id, a.model, a.instructions, json(a.tools), a.max_turns, a.max_tokens],
  );
}

export const DELIVERY_COLUMNS = `delivery_id, task_id, run_id, workspace_id, kind, thread_id, url, secret_ref, deliver_on, status, payload, attempts, max_attempts,
  initial_backoff_ms, max_backoff_ms, next_attempt_at, ready_at, lease_owner, lease_expires_at, last_error, created_at, delivered_at`;

export function toDelivery(r: Row): TaskDelivery {
  return {
    delivery_id: String(r.delivery_id),
    task_id: String(r.task_id),
    run_id: String(r.run_id),
    workspace_id: String(r.workspace_id),
    kind: r.kind as TaskDelivery['kind'],
    thread_id: (r.thread_id as string | null) ?? null,
    url: (r.url as string | null) ?? null,
    secret_ref: (r.secret_ref as string | null) ?? null,
    on: r.deliver_on as TaskDelivery['on'],
    status: r.status as TaskDelivery['status'],
    payload: parse(r.payload),
    attempts: n(r.attempts),
    max_attempts: n(r.max_attempts),
    next_attempt_at: (r.next_attempt_at as string | null) ?? null,
    lease_owner: (r.lease_owner as string | null) ?? null,
    lease_expires_at: (r.lease_expires_at as string | null) ?? null,
    last_error: (r.last_error as string | null) ?? null,
    created_at: String(r.created_at),
    delivered_at: (r.delivered_at as string | null) ?? null,
  };
}

/** The backoff of a delivery, fixed when it is created (the task's delivery policy then). */
export interface DeliveryBackoff {
  initial_backoff_ms: number;
  max_backoff_ms: number;
}

const DELIVERY_UPSERT = `INSERT INTO task_delivery (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (delivery_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
  ready_at = excluded.ready_at, lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at,
  last_error = excluded.last_error, delivered_at = excluded.delivered_at`;

export function deliveryReadyAt(d: TaskDelivery): string | null {
  if (d.status === 'pending') return d.next_attempt_at;
  if (d.status === 'delivering') return d.lease_expires_at;
  return null;
}

export async function writeDelivery(ctx: WriteContext, d: TaskDelivery, backoff: DeliveryBackoff): Promise<void> {
  await ctx.run(DELIVERY_UPSERT, [
    d.delivery_id, d.task_id, d.run_id, d.workspace_id, d.kind, d.thread_id, d.url, d.secret_ref, d.on, d.status, json(d.payload), d.attempts,
    d.max_attempts, backoff.initial_backoff_ms, backoff.max_backoff_ms, d.next_attempt_at, deliveryReadyAt(d), d.lease_owner, d.lease_expires_at,
    d.last_error, d.created_at, d.delivered_at,
  ]);
}

export function toAttempt(r: Row): TaskDeliveryAttempt {
  return {
    delivery_id: String(r.delivery_id),
    attempt: n(r.attempt),
    workspace_id: String(r.workspace_id),
    owner: String(r.owner),
    outcome: r.outcome as TaskDeliveryAttempt['outcome'],
    response_status: nn(r.response_status),
    error: (r.error as string | null) ?? null,
    attempted_at: String(r.attempted_at),
  };
}

export async function writeAttempt(ctx: WriteContext, a: TaskDeliveryAttempt): Promise<void> {
  await ctx.run(
    `INSERT INTO task_delivery_attempt (delivery_id, attempt, workspace_id, owner, outcome, response_status, error, attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (delivery_id, attempt) DO NOTHING`,
    [a.delivery_id, a.attempt, a.workspace_id, a.owner, a.outcome, a.response_status, a.error, a.attempted_at],
  );
}

export const LOCK_COLUMNS = 'lock_id, workspace_id, scope, path, holder_run_id, task_id, status, acquired_at, expires_at, ttl_ms, queued_at';

export function toLock(r: Row): WriteLock {
  return {
    lock_id: String(r.lock_id),
    workspace_id: String(r.workspace_id),
    scope: r.scope as WriteLock['scope'],
    path: String(r.path),
    holder_run_id: String(r.holder_run_id),
    task_id: String(r.task_id),
    status: r.status as WriteLock['status'],
    acquired_at: (r.acquired_at as string | null) ?? null,
    expires_at: (r.expires_at as string | null) ?? null,
    ttl_ms: n(r.ttl_ms),
    queued_at: String(r.queued_at),
  };
}

export async function writeLock(ctx: WriteContext, l: WriteLock): Promise<void> {
  await ctx.run(
    `INSERT INTO task_write_lock (${LOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (lock_id) DO UPDATE SET status = excluded.status, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
    [l.lock_id, l.workspace_id, l.scope, l.path, l.holder_run_id, l.task_id, l.status, l.acquired_at, l.expires_at, l.ttl_ms, l.queued_at],
  );
}

// Reads every operation shares.

export async function findTask(q: ReadContext, taskId: string, lock = ''): Promise<Task | undefined> {
  const row = await q.get<Row>(`SELECT ${TASK_COLUMNS} FROM task WHERE task_id = ?${lock}`, [taskId]);
  return row ? toTask(row) : undefined;
}

export async function taskTriggers(q: ReadContext, taskId: string): Promise<TriggerRecord[]> {
  const rows = await q.all<Row>(`SELECT ${TRIGGER_COLUMNS} FROM task_trigger WHERE task_id = ? ORDER BY ordinal`, [taskId]);
  return rows.map((r) => ({ ...toTrigger(r), ordinal: n(r.ordinal) }));
}

/** The runs of a task that have not ended (`idx_task_run_open`). */
export async function openRuns(q: ReadContext, taskId: string, lock = ''): Promise<TaskRun[]> {
  const rows = await q.all<Row>(
    `SELECT ${RUN_COLUMNS} FROM task_run WHERE task_id = ? AND status IN ('queued', 'starting', 'running') ORDER BY queued_at, run_id${lock}`,
    [taskId],
  );
  return rows.map(toRun);
}

export async function findRun(q: ReadContext, runId: string, lock = ''): Promise<TaskRun | undefined> {
  const row = await q.get<Row>(`SELECT ${RUN_COLUMNS} FROM task_run WHERE run_id = ?${lock}`, [runId]);
  return row ? toRun(row) : undefined;
}

export async function findAgent(q: ReadContext, taskId: string): Promise<AgentSpec | null> {
  const row = await q.get<Row>('SELECT task_id, workspace_id, model, instructions, tools, max_turns, max_tokens FROM task_agent_spec WHERE task_id = ?', [taskId]);
  return row ? toAgent(row) : null;
}

export async function findDelivery(q: ReadContext, deliveryId: string, lock = ''): Promise<TaskDelivery | undefined> {
  const row = await q.get<Row>(`SELECT ${DELIVERY_COLUMNS} FROM task_delivery WHERE delivery_id = ?${lock}`, [deliveryId]);
  return row ? toDelivery(row) : undefined;
}

/** `FOR UPDATE` where the database has row locks that matter (PostgreSQL), nothing on SQLite (its one write lock is held). */
export function rowLock(ctx: ReadContext): string {
  return ctx.dialect.claimLock === '' ? '' : ' FOR UPDATE';
}
