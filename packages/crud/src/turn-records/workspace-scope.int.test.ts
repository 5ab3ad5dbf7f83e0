import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import { seedJobs } from '../recovery-jobs/testing/seed-jobs.js';
import { OTHER_THREAD, OTHER_WS, openRecordsFixture, THREAD, WS, type RecordsFixture } from './testing/records-fixture.js';

// Every workspace-scoped operation of the turn-record families, given the id of a record that
// EXISTS in another workspace, answers `not_found` exactly as for an unknown id, and changes
// nothing: ids never leak across workspaces, and a scoped token cannot act on them.

const T0 = '2025-03-10T00:00:00.000Z';
const SHA = (c: string) => c.repeat(64);
const failure = { provider: 'openai', model: 'gpt-x', http_status: 503, error_class: 'overloaded', retry_after_ms: 5000, message: 'try later' };

/** The error an operation answers, without the ids it was given: to compare a foreign id's answer with an unknown one's. */
async function notFoundShape(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await expectCode(promise, 'not_found');
  return { code: error.code, message: error.message };
}

describe("another workspace's ids are not_found", () => {
  let f: RecordsFixture;
  let job: string;
  const mine = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };
  beforeAll(async () => {
    f = await openRecordsFixture();
    await f.seedTurn('u1');
    await f.seedTurn('u-other', { workspaceId: OTHER_WS, threadId: OTHER_THREAD });
    await f.records.recordPromptManifest({ ...mine, manifest: { prompt: { prompt_id: 'system', version: '1', sha256: SHA('a') }, skills: [], tools: [] } });
    await f.records.bindSkill({ ...mine, binding: { skill_id: 'pdf', version: '1', sha256: null } });
    await f.records.retainLlmContext({ ...mine, revision: 1, context: { messages: [] } });
    await f.attachments.register({ ...mine, attachment_id: 'att-mine', file_name: 'a.txt', media_type: 'text/plain', size_bytes: 1, sha256: SHA('d') });
    job = (await seedJobs(f, 1))[0]!;
  });
  afterAll(async () => f.cleanup());

  it('recoveryJobs: complete, fail and release with workspace_id refuse a foreign job as if unknown, and leave it claimed', async () => {
    const claimed = await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    expect(claimed).toMatchObject({ job_id: job, workspace_id: WS, status: 'claimed' });
    const held = { job_id: job, worker_id: 'w', now: T0 };
    const unknown = { ...held, job_id: 'rj_unknown' };
    for (const settle of [
      (p: typeof held) => f.recoveryJobs.complete({ ...p, workspace_id: OTHER_WS }),
      (p: typeof held) => f.recoveryJobs.fail({ ...p, workspace_id: OTHER_WS, failure }),
      (p: typeof held) => f.recoveryJobs.release({ ...p, workspace_id: OTHER_WS }),
    ]) {
      const foreign = await expectCode(settle(held), 'not_found');
      const missing = await expectCode(settle(unknown), 'not_found');
      expect(foreign).toMatchObject({ message: missing.message, details: { workspace_id: OTHER_WS, job_id: job } });
      expect(missing.details).toEqual({ workspace_id: OTHER_WS, job_id: 'rj_unknown' });
    }
    expect(await f.recoveryJobs.get({ workspace_id: WS, job_id: job })).toEqual(claimed);
    await expectCode(f.recoveryJobs.get({ workspace_id: OTHER_WS, job_id: job }), 'not_found');
    await expectCode(f.recoveryJobs.listForTurn({ workspace_id: OTHER_WS, turn_id: 'u1' }), 'not_found');
    await expectCode(f.recoveryJobs.complete({ ...held, workspace_id: '../x' }), 'invalid_params');
    // Scoped to its own workspace, or not scoped at all, the holder settles as before.
    expect(await f.recoveryJobs.release({ ...held, workspace_id: WS })).toMatchObject({ status: 'pending' });
    await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    expect(await f.recoveryJobs.complete(held)).toMatchObject({ status: 'completed' });
  });

  it('turnRecords: every read and write refuses a turn of another workspace as if unknown', async () => {
    const theirs = { workspace_id: OTHER_WS, thread_id: OTHER_THREAD, turn_id: 'u1' };
    const foreign = {
      manifest: () => f.records.getPromptManifest({ workspace_id: OTHER_WS, turn_id: 'u1' }),
      bindings: () => f.records.listBindings({ workspace_id: OTHER_WS, turn_id: 'u1' }),
      context: () => f.records.getLlmContext({ workspace_id: OTHER_WS, turn_id: 'u1' }),
      record: () => f.records.recordPromptManifest({ ...theirs, manifest: { prompt: { prompt_id: 'x', version: '1', sha256: SHA('b') }, skills: [], tools: [] } }),
      skill: () => f.records.bindSkill({ ...theirs, binding: { skill_id: 'pdf', version: '2', sha256: null } }),
      mcp: () => f.records.bindMcp({ ...theirs, binding: { server_id: 'gh', server_version: null, tool_names: [], policy: {} } }),
      retain: () => f.records.retainLlmContext({ ...theirs, revision: 2, context: { messages: [] } }),
    };
    for (const [name, op] of Object.entries(foreign)) {
      const answer = await notFoundShape(op());
      expect({ name, ...answer }).toMatchObject({ name, code: 'not_found' });
    }
    expect(await notFoundShape(f.records.getPromptManifest({ workspace_id: OTHER_WS, turn_id: 'u1' }))).toEqual(
      await notFoundShape(f.records.getPromptManifest({ workspace_id: OTHER_WS, turn_id: 'u-unknown' })),
    );
    // Nothing changed on the turn of WS.
    expect(await f.records.getPromptManifest({ workspace_id: WS, turn_id: 'u1' })).toMatchObject({ prompt: { prompt_id: 'system' } });
    expect((await f.records.listBindings({ workspace_id: WS, turn_id: 'u1' })).skills).toMatchObject([{ skill_id: 'pdf', version: '1' }]);
    expect(await f.records.getLlmContext({ workspace_id: WS, turn_id: 'u1' })).toMatchObject({ revision: 1 });
  });

  it('attachments: get, markReady, markFailed and listForTurn refuse another workspace as if unknown', async () => {
    const before = await f.attachments.get({ workspace_id: WS, attachment_id: 'att-mine' });
    for (const op of [
      () => f.attachments.get({ workspace_id: OTHER_WS, attachment_id: 'att-mine' }),
      () => f.attachments.markReady({ workspace_id: OTHER_WS, attachment_id: 'att-mine', storage: { upload_id: 'up' } }),
      () => f.attachments.markFailed({ workspace_id: OTHER_WS, attachment_id: 'att-mine', reason: 'x' }),
    ]) {
      expect(await notFoundShape(op())).toEqual({ code: 'not_found', message: 'attachment not found' });
    }
    await expectCode(f.attachments.register({ ...mine, thread_id: OTHER_THREAD, attachment_id: 'att-x', file_name: 'b', media_type: 'text/plain', size_bytes: 1, sha256: SHA('e') }), 'not_found');
    // Listing another workspace's turn shows none of this workspace's attachments.
    expect(await f.attachments.listForTurn({ workspace_id: OTHER_WS, turn_id: 'u1' })).toEqual({ items: [], next_cursor: null });
    expect(await f.attachments.get({ workspace_id: WS, attachment_id: 'att-mine' })).toEqual(before);
  });
});
