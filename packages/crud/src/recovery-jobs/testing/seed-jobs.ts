import type { RecordsFixture } from '../../turn-records/testing/records-fixture.js';
import { THREAD, WS } from '../../turn-records/testing/records-fixture.js';
import { recoveryJobId } from '../recovery-job-rows.js';

/** Opens `count` recovery jobs on `turnId` (one `recovery.opened` each), due at `dueAt`; answers their ids. */
export async function seedJobs(f: RecordsFixture, count: number, options: { turnId?: string; workspaceId?: string; dueAt?: string } = {}): Promise<string[]> {
  const turnId = options.turnId ?? 'u1';
  const workspaceId = options.workspaceId ?? WS;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    await f.given({
      turnId,
      workspaceId,
      type: 'recovery.opened',
      payload: { recovery_id: `r${i}`, reason: 'provider_error', thread_id: THREAD, due_at: options.dueAt ?? '2025-03-01T00:00:00.000Z' },
    });
    ids.push(recoveryJobId(workspaceId, turnId, { recoveryId: `r${i}` }));
  }
  return ids;
}
