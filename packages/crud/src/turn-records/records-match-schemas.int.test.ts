import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Attachment, RecoveryJob, TurnBindings, TurnLlmContext, TurnPromptManifest, checkValue, type TSchema } from '@cairn/protocol';
import { openRecordsFixture, THREAD, WS, type RecordsFixture } from './testing/records-fixture.js';
import { seedJobs } from '../recovery-jobs/testing/seed-jobs.js';

let f: RecordsFixture;
beforeAll(async () => {
  f = await openRecordsFixture();
  await f.seedTurn('u1');
});
afterAll(async () => f.cleanup());

const valid = (schema: TSchema, value: unknown) => expect(checkValue(schema, value)).toEqual({ ok: true, value });

it('every record the store hands out matches its wire DTO schema', async () => {
  const ref = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };
  const sha = 'f'.repeat(64);
  const { manifest } = await f.records.recordPromptManifest({
    ...ref,
    manifest: { prompt: { prompt_id: 'p', version: '1', sha256: sha }, skills: [{ skill_id: 's', version: '1' }], tools: [] },
  });
  valid(TurnPromptManifest, manifest);
  await f.records.bindSkill({ ...ref, binding: { skill_id: 's', version: '1', sha256: null } });
  await f.records.bindMcp({ ...ref, binding: { server_id: 'm', server_version: '2', tool_names: ['t'], policy: { mode: 'ask' } } });
  valid(TurnBindings, await f.records.listBindings({ workspace_id: WS, turn_id: 'u1' }));
  await f.records.retainLlmContext({ ...ref, revision: 1, context: { messages: [{ role: 'user', content: 'x' }], tool_state: { a: 1 }, model: 'm' } });
  valid(TurnLlmContext, await f.records.getLlmContext({ workspace_id: WS, turn_id: 'u1' }));
  await seedJobs(f, 1);
  const job = await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: '2025-03-10T00:00:00.000Z' });
  valid(RecoveryJob, job);
  const { attachment } = await f.attachments.register({ ...ref, file_name: 'a.txt', media_type: 'text/plain', size_bytes: 1, sha256: sha });
  valid(Attachment, attachment);
  valid(Attachment, await f.attachments.markReady({ workspace_id: WS, attachment_id: attachment.attachment_id, storage: { upload_id: 'up' } }));
});
