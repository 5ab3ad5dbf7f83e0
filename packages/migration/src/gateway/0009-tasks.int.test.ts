import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { migrateDown } from '../runner/migrate-down.js';
import { runMigrations } from '../runner/run-migrations.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { query, tableAndIndexNames } from '../testing/fixtures/sql.js';
import { gatewayMigrations } from './index.js';

const AT = '2026-01-01T00:00:00.000Z';
const INSERT_RUN = `INSERT INTO task_run (run_id, task_id, workspace_id, trigger_id, scheduled_for, attempt, status, executor_kind, ready_at, queue_at, claim_count, queued_at)
  VALUES (?, 'task', 'w', ?, ?, ?, 'queued', 'system', ?, ?, 0, ?)`;

describe.each(BACKENDS)('gateway migration 0009 (tasks) on $name', (backend) => {
  let db: TestDatabase;
  let ds: DataSource;
  afterEach(async () => {
    await db.cleanup();
  });

  it('adds the task tables to a v8 database with data, leaving the data alone; down drops only them', async () => {
    db = await backend.create();
    ds = await db.open();
    await runMigrations(ds, gatewayMigrations, { targetVersion: 8 });
    await query(ds, 'INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', ['w', 'W', null, AT, AT]);
    const before = await tableAndIndexNames(ds);

    expect((await runMigrations(ds, gatewayMigrations, { targetVersion: 9 })).applied.map((m) => m.version)).toEqual([9]);
    const added = (await tableAndIndexNames(ds)).filter((name) => !before.includes(name));
    expect(added).toEqual(
      [
        'task', 'idx_task_workspace_created', 'idx_task_root', 'idx_task_parent', 'idx_task_status_completed',
        'task_trigger', 'idx_task_trigger_due', 'idx_task_trigger_task',
        'task_run', 'idx_task_run_queue', 'idx_task_run_lease', 'idx_task_run_timeout', 'idx_task_run_task', 'idx_task_run_open', 'idx_task_run_status_completed',
        'task_dependency', 'idx_task_dependency_upstream', 'task_agent_spec',
        'task_delivery', 'idx_task_delivery_ready', 'idx_task_delivery_task', 'task_delivery_attempt',
        'task_write_lock', 'idx_task_write_lock_workspace', 'idx_task_write_lock_expires',
      ].sort(),
    );

    // A task needs its workspace.
    const task = `INSERT INTO task (task_id, workspace_id, root_task_id, depth, title, status, executor_kind, executor_config, input, retry, timeouts, deliveries, delivery_policy, run_count, created_at, updated_at, last_seq)
      VALUES (?, ?, ?, 0, 'T', 'scheduled', 'system', '{}', 'null', '{"kind":"none"}', '{}', '[]', '{}', 0, ?, ?, 1)`;
    await query(ds, task, ['task', 'w', 'task', AT, AT]);
    await expect(query(ds, task, ['task2', 'nope', 'task2', AT, AT])).rejects.toThrow();
    // One due instant of one trigger fires once: a second run for it is refused; a retry (attempt 2) is not.
    await query(ds, INSERT_RUN, ['r1', 'trg', AT, 1, AT, AT, AT]);
    await expect(query(ds, INSERT_RUN, ['r2', 'trg', AT, 1, AT, AT, AT])).rejects.toThrow();
    await query(ds, INSERT_RUN, ['r3', 'trg', AT, 2, AT, AT, AT]);
    expect(await query(ds, 'SELECT run_id FROM task_run ORDER BY run_id')).toEqual([{ run_id: 'r1' }, { run_id: 'r3' }]);

    await migrateDown(ds, gatewayMigrations, 8);
    expect(await tableAndIndexNames(ds)).toEqual(before);
    expect(await query(ds, 'SELECT workspace_id FROM workspace')).toEqual([{ workspace_id: 'w' }]);
  });
});
