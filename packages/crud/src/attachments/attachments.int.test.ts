import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import { OTHER_THREAD, OTHER_WS, openRecordsFixture, THREAD, WS, type RecordsFixture } from '../turn-records/testing/records-fixture.js';

const SHA = 'e'.repeat(64);
const declaration = { workspace_id: WS, thread_id: THREAD, turn_id: 'u-next', file_name: 'report.pdf', media_type: 'application/pdf', size_bytes: 1234, sha256: SHA };

describe('store.attachments: attachment upload registry', () => {
  let f: RecordsFixture;
  beforeAll(async () => {
    f = await openRecordsFixture();
  });
  afterAll(async () => f.cleanup());

  it('registers a pending attachment before its turn exists; the same declaration again answers created: false', async () => {
    const first = await f.attachments.register({ ...declaration, attachment_id: 'att-1' });
    expect(first).toEqual({
      created: true,
      attachment: {
        attachment_id: 'att-1',
        workspace_id: WS,
        thread_id: THREAD,
        turn_id: 'u-next',
        file_name: 'report.pdf',
        media_type: 'application/pdf',
        size_bytes: 1234,
        sha256: SHA,
        status: 'pending',
        storage: { upload_id: null, artifact_id: null, version_id: null },
        failure_reason: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
    expect(await f.attachments.register({ ...declaration, attachment_id: 'att-1' })).toEqual({ ...first, created: false });
    expect(await f.attachments.get({ workspace_id: WS, attachment_id: 'att-1' })).toEqual(first.attachment);
    const generated = await f.attachments.register(declaration);
    expect(generated.attachment.attachment_id).toMatch(/^att_/);
  });

  it('refuses a taken id with another declaration, or taken in another workspace, with conflict', async () => {
    await expectCode(f.attachments.register({ ...declaration, attachment_id: 'att-1', size_bytes: 1 }), 'conflict');
    const error = await expectCode(f.attachments.register({ ...declaration, workspace_id: OTHER_WS, thread_id: OTHER_THREAD, attachment_id: 'att-1' }), 'conflict');
    expect(JSON.stringify(error)).not.toContain(WS);
  });

  it('marks ready with its storage reference (idempotent), and refuses another reference or failing it afterwards', async () => {
    const ready = await f.attachments.markReady({ workspace_id: WS, attachment_id: 'att-1', storage: { upload_id: 'up-1', artifact_id: 'art-1', version_id: 'v1' } });
    expect(ready).toMatchObject({ status: 'ready', storage: { upload_id: 'up-1', artifact_id: 'art-1', version_id: 'v1' } });
    expect(await f.attachments.markReady({ workspace_id: WS, attachment_id: 'att-1', storage: { artifact_id: 'art-1' } })).toEqual(ready);
    await expectCode(f.attachments.markReady({ workspace_id: WS, attachment_id: 'att-1', storage: { artifact_id: 'art-2' } }), 'conflict');
    await expectCode(f.attachments.markFailed({ workspace_id: WS, attachment_id: 'att-1', reason: 'x' }), 'conflict');
  });

  it('marks failed with a redacted reason; a failed one never becomes ready', async () => {
    await f.attachments.register({ ...declaration, attachment_id: 'att-2' });
    const failed = await f.attachments.markFailed({ workspace_id: WS, attachment_id: 'att-2', reason: 'upload to https://u:hunter2secret@host/x refused' });
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'upload to https://u:[redacted]@host/x refused' });
    expect(await f.attachments.markFailed({ workspace_id: WS, attachment_id: 'att-2', reason: 'again' })).toEqual(failed);
    await expectCode(f.attachments.markReady({ workspace_id: WS, attachment_id: 'att-2', storage: { upload_id: 'u' } }), 'conflict');
  });

  it('lists a turn\'s attachments in registration order, paginated, scoped to the workspace', async () => {
    for (let i = 3; i <= 6; i++) await f.attachments.register({ ...declaration, turn_id: 'u-list', attachment_id: `att-${i}` });
    await f.attachments.register({ ...declaration, turn_id: 'u-elsewhere', attachment_id: 'att-x' });
    const page1 = await f.attachments.listForTurn({ workspace_id: WS, turn_id: 'u-list', limit: 3 });
    expect(page1.items.map((a) => a.attachment_id)).toEqual(['att-3', 'att-4', 'att-5']);
    const page2 = await f.attachments.listForTurn({ workspace_id: WS, turn_id: 'u-list', limit: 3, cursor: page1.next_cursor! });
    expect(page2).toEqual({ items: [expect.objectContaining({ attachment_id: 'att-6' })], next_cursor: null });
    expect(await f.attachments.listForTurn({ workspace_id: OTHER_WS, turn_id: 'u-list' })).toEqual({ items: [], next_cursor: null });
    await expectCode(f.attachments.listForTurn({ workspace_id: OTHER_WS, turn_id: 'u-list', cursor: page1.next_cursor! }), 'invalid_params');
  });

  it('answers not_found for unknown ids, other workspaces\' ids, and threads of another workspace', async () => {
    await expectCode(f.attachments.get({ workspace_id: WS, attachment_id: 'nope' }), 'not_found');
    await expectCode(f.attachments.get({ workspace_id: OTHER_WS, attachment_id: 'att-1' }), 'not_found');
    await expectCode(f.attachments.markReady({ workspace_id: OTHER_WS, attachment_id: 'att-1', storage: { upload_id: 'u' } }), 'not_found');
    await expectCode(f.attachments.markFailed({ workspace_id: OTHER_WS, attachment_id: 'att-1', reason: 'x' }), 'not_found');
    await expectCode(f.attachments.register({ ...declaration, thread_id: OTHER_THREAD, attachment_id: 'att-9' }), 'not_found');
    await expectCode(f.attachments.register({ ...declaration, workspace_id: 'ghost', attachment_id: 'att-9' }), 'not_found');
    await expectCode(f.attachments.listForTurn({ workspace_id: 'ghost', turn_id: 'u-list' }), 'not_found');
  });

  it('refuses bad input with invalid_params', async () => {
    await expectCode(f.attachments.register({ ...declaration, file_name: '../etc/passwd' }), 'invalid_params');
    await expectCode(f.attachments.register({ ...declaration, file_name: 'a\u0000b' }), 'invalid_params');
    await expectCode(f.attachments.register({ ...declaration, media_type: 'pdf' }), 'invalid_params');
    await expectCode(f.attachments.register({ ...declaration, size_bytes: -1 }), 'invalid_params');
    await expectCode(f.attachments.register({ ...declaration, sha256: 'E'.repeat(64) }), 'invalid_params');
    await expectCode(f.attachments.markReady({ workspace_id: WS, attachment_id: 'att-1', storage: {} }), 'invalid_params');
    await expectCode(f.attachments.listForTurn({ workspace_id: WS, turn_id: 'u', limit: 0 }), 'invalid_params');
  });
});
