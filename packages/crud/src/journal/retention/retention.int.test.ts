import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { TurnEventPayload } from '@cairn/protocol';
import { expectCode } from '../../testing/expect-error.js';
import { openTempStore, type TempStore } from '../../testing/temp-store.js';
import { readStream } from '../read-stream.js';
import { readWorkspaceAfter } from '../read-workspace-after.js';
import { verifyJournal } from '../verify-journal.js';
import { verifyCheckpoints } from '../verify-checkpoints.js';
import { readTableRows } from '../../testing/table-rows.js';
import { EVENT_COLUMNS } from '../journal-row.js';
import { encodeSegment, listSegments, readSegment, segmentName, workspaceArchiveDir, type ArchivedRow } from './archive-segment.js';

const WS = 'w1';
const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

describe('journal retention', () => {
  let temp: TempStore;
  let now = T0;
  beforeEach(async () => {
    now = T0;
    temp = await openTempStore({ clock: () => new Date(now++) });
    await temp.store.workspaces.create({ workspace_id: WS, name: 'W' });
    await temp.store.threads.start({ workspace_id: WS, thread_id: 't1' }); // seq 1: thread.started
  });
  afterEach(async () => temp.cleanup());

  /** A turn of 1 start + 4 events (5 journal events), recorded at the clock's `now`. */
  const turn = async (turnId: string) => {
    await temp.store.turns.start({ workspace_id: WS, thread_id: 't1', turn_id: turnId, input: [{ type: 'text', text: `do ${turnId}` }] });
    const e = (k: string, event: TurnEventPayload) => ({ thread_id: 't1', turn_id: turnId, idempotency_key: `${turnId}:${k}`, event });
    await temp.store.turns.appendEvents({
      workspace_id: WS,
      events: [
        e('1', { type: 'item.started', item_id: `${turnId}m`, item_type: 'agent_message' }),
        e('2', { type: 'item.agent_message.delta', item_id: `${turnId}m`, delta: `answer ${turnId}` }),
        e('3', { type: 'item.completed', item_id: `${turnId}m`, status: 'completed' }),
        e('4', { type: 'turn.completed' }),
      ],
    });
  };
  const liveSeqs = () =>
    temp.store.context.read(async (q) => (await q.all<{ s: number }>('SELECT workspace_seq AS s FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq', [WS])).map((r) => r.s));
  const verify = () => temp.store.port.read((q) => verifyJournal(q, { archiveDir: temp.store.retention.archiveDir }));
  const segments = () => listSegments(temp.store.retention.archiveDir, WS);

  /** After the thread's start (seq 1), three old turns (seq 2..16) on Jan 1, two young ones (17..26) 30 days later. */
  const history = async () => {
    for (const t of ['a', 'b', 'c']) await turn(t);
    now = T0 + 30 * DAY;
    for (const t of ['d', 'e']) await turn(t);
  };

  it('is off unless called: events stay however old they are', async () => {
    await history();
    expect(await liveSeqs()).toHaveLength(26);
    expect(await temp.store.retention.point(WS)).toBeUndefined();
  });

  it('keeps the events younger than keepDays, however many', async () => {
    await history();
    const report = await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    expect(report).toMatchObject({ archived: 16, workspaces: [{ workspaceId: WS, fromSeq: 0, toSeq: 16 }] });
    expect((await liveSeqs())[0]).toBe(17);
    expect(await temp.store.retention.point(WS)).toMatchObject({ workspaceSeq: 16 });
  });

  it('keeps the newest keepEvents events, however old, and never the newest event', async () => {
    await history();
    await temp.store.retention.retain({ now: new Date(T0 + 400 * DAY), keepDays: 1, keepEvents: 8 });
    expect(await liveSeqs()).toEqual([19, 20, 21, 22, 23, 24, 25, 26]);
    await temp.store.retention.retain({ now: new Date(T0 + 400 * DAY), keepDays: 0, keepEvents: 1 });
    expect(await liveSeqs()).toEqual([26]);
    await expectCode(temp.store.retention.retain({ keepDays: 0, keepEvents: 0 }), 'invalid_params');
  });

  it('stops at the first event too young, even when an older-recorded one follows it', async () => {
    await turn('a'); // seq 2..6 on Jan 1 (after the thread's start)
    now = T0 + 30 * DAY;
    await turn('b'); // 7..11 young
    now = T0;
    await turn('c'); // 12..16 recorded "old" again
    now = T0 + 30 * DAY;
    await turn('d');
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    expect((await liveSeqs())[0]).toBe(7);
  });

  it('verifies the archive and the live journal as one chain, also after appends to archived streams', async () => {
    await history();
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1, segmentEvents: 4 });
    expect(segments().map((s) => s.name)).toEqual(['000000000001-000000000004.jsonl.gz', '000000000005-000000000008.jsonl.gz', '000000000009-000000000012.jsonl.gz', '000000000013-000000000016.jsonl.gz']);
    expect(await verify()).toEqual({ ok: true, checked: 10, lastPosition: 26, archived: 16 });
    // The stream of turn c lies wholly in the archive: its next event continues it at stream_seq 6.
    await temp.store.events.append([{ workspaceId: WS, streamType: 'turn', streamId: 'c', type: 'note.added', payload: { n: 1 } }]);
    const tail = await temp.store.context.read((q) => readStream(q, 'turn', 'c', { afterStreamSeq: 5, limit: 10 }));
    expect(tail.map((e) => e.streamSeq)).toEqual([6]);
    expect(await verify()).toMatchObject({ ok: true, archived: 16 });
    // Without the archive directory the live rows are checked from the retention point on.
    expect(await temp.store.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 11, lastPosition: 27 });
  });

  it('names a segment that was altered, is missing, or was reordered', async () => {
    await history();
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1, segmentEvents: 4 });
    const [s1, s2, s3, s4] = segments();
    // Turn b's text (its delta, seq 9) is in the third segment.
    const original = readFileSync(s3!.path);

    // A changed byte, trailer left alone: the SHA-256 gives it away.
    writeFileSync(s3!.path, gzipSync(gunzipSync(original).toString('utf8').replace('answer b', 'answer X')));
    expect(await verify()).toMatchObject({ ok: false, reason: 'segment_corrupt', segment: s3!.name });
    // Rewritten consistently with its trailer: the event's own hash gives it away.
    const body = gunzipSync(original).toString('utf8').replace('answer b', 'answer X').split('\n').slice(0, -2).join('\n') + '\n';
    writeFileSync(s3!.path, gzipSync(`${body}${JSON.stringify({ sha256: createHash('sha256').update(body).digest('hex') })}\n`));
    expect(await verify()).toMatchObject({ ok: false, reason: 'hash_mismatch', segment: s3!.name, workspaceSeq: 9 });
    writeFileSync(s3!.path, original);
    expect(await verify()).toMatchObject({ ok: true });

    // A middle segment gone: the next one does not start where the archive ends.
    renameSync(s2!.path, `${s2!.path}.away`);
    expect(await verify()).toMatchObject({ ok: false, reason: 'workspace_seq_gap', segment: '000000000009-000000000012.jsonl.gz' });
    renameSync(`${s2!.path}.away`, s2!.path);
    // The newest segment gone: the archive ends before the retention point.
    renameSync(s4!.path, `${s4!.path}.away`);
    expect(await verify()).toMatchObject({ ok: false, reason: 'archive_mismatch', workspaceId: WS });
    renameSync(`${s4!.path}.away`, s4!.path);
    // Two segments swapped under each other's names.
    renameSync(s1!.path, `${s1!.path}.tmp`);
    renameSync(s2!.path, s1!.path);
    renameSync(`${s1!.path}.tmp`, s2!.path);
    expect(await verify()).toMatchObject({ ok: false, reason: 'segment_corrupt', segment: s1!.name });
  });

  it('answers snapshot_required for reads before the retention point, and reads on from it', async () => {
    await history();
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    const read = <T>(fn: Parameters<typeof temp.store.context.read<T>>[0]) => temp.store.context.read(fn);
    const error = await expectCode(read((q) => readWorkspaceAfter(q, WS, 3, 100)), 'snapshot_required');
    expect(error.details).toEqual({ retention_seq: 16 });
    await expectCode(read((q) => readWorkspaceAfter(q, WS, 0, 100)), 'snapshot_required');
    expect((await read((q) => readWorkspaceAfter(q, WS, 16, 100))).map((e) => e.workspaceSeq)[0]).toBe(17);
    await expectCode(read((q) => readStream(q, 'turn', 'a', { limit: 10 })), 'snapshot_required');
    expect(await read((q) => readStream(q, 'turn', 'a', { afterStreamSeq: 5, limit: 10 }))).toEqual([]);
    expect((await read((q) => readStream(q, 'turn', 'd', { limit: 10 }))).length).toBe(5);
  });

  it('leaves the read models alone, and a rebuild (archive + live) gives them back equal', async () => {
    await history();
    const tables = [...new Set(temp.store.events.log.projectors.flatMap((p) => p.tables))];
    const dump = () =>
      temp.store.context.read(async (q) => {
        const out: Record<string, unknown> = {};
        for (const t of tables) out[t] = await readTableRows(q, t);
        return out;
      });
    const before = await dump();
    const history0 = await temp.store.turns.history({ workspace_id: WS, thread_id: 't1' });
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1, segmentEvents: 6 });
    expect(await dump()).toEqual(before);
    const report = await temp.store.repair.rebuild();
    expect(report.events).toBe(26);
    expect(await dump()).toEqual(before);
    expect(await temp.store.turns.history({ workspace_id: WS, thread_id: 't1' })).toEqual(history0);
  });

  it('keeps checkpoints at or before the retention point verifying, against the archive', async () => {
    await turn('a');
    const link = await temp.store.context.read((q) => q.get<{ position: number; hash: string }>('SELECT position, hash FROM journal_event WHERE workspace_seq = 3'));
    now = T0 + 30 * DAY;
    await turn('b');
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    const checkpoint = { checkpointId: 1, workspaceId: WS, workspaceSeq: 3, position: link!.position, hash: link!.hash, kind: 'interval', recordedAt: new Date(T0).toISOString(), signature: 'valid', keyId: 'k' } as const;
    const report = (archiveDir?: string) => temp.store.context.read((q) => verifyCheckpoints(q, [checkpoint as never], archiveDir === undefined ? {} : { archiveDir }));
    expect(await report(temp.store.retention.archiveDir)).toMatchObject({ ok: true, findings: [] });
    expect((await report()).ok).toBe(false); // without the archive, the event is simply gone
    const forged = { ...checkpoint, hash: 'f'.repeat(64) };
    const bad = await temp.store.context.read((q) => verifyCheckpoints(q, [forged as never], { archiveDir: temp.store.retention.archiveDir }));
    expect(bad.findings.map((f) => f.reason)).toEqual(['events_rewritten']);
  });

  it('refuses, by the database, every DELETE but the retention path', async () => {
    await history();
    const refused = (sql: string, why: RegExp) => expect(temp.store.context.write((ctx) => ctx.run(sql))).rejects.toMatchObject({ cause: { message: expect.stringMatching(why) } });
    const del = (where: string) => `DELETE FROM journal_event WHERE ${where}`;
    await refused(del('workspace_seq = 1'), /DELETE refused/);
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    await refused(del('workspace_seq = 17'), /DELETE refused/);
    await refused(del('workspace_seq = 25'), /DELETE refused/);
    await refused('DELETE FROM journal_retention', /DELETE refused/);
    await refused('DELETE FROM journal_stream_retention', /DELETE refused/);
    await refused('UPDATE journal_retention SET workspace_seq = 3', /only moves forward/);
    await refused("UPDATE journal_retention SET workspace_seq = 20, hash = 'x'", /only moves forward/);
    expect(await liveSeqs()).toHaveLength(10);
  });

  it('at open, completes a segment whose rows are still live, and removes a torn one', async () => {
    await history();
    // What a run SIGKILLed between writing its segment and committing leaves: the file, the rows still live.
    const rows = await temp.store.context.read((q) => q.all<ArchivedRow>(`SELECT ${EVENT_COLUMNS}, hash_version FROM journal_event WHERE workspace_seq <= 5 ORDER BY workspace_seq`));
    const dir = workspaceArchiveDir(temp.store.retention.archiveDir, WS);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${segmentName(1, 5)}`, encodeSegment(rows, rows[0]!.prev_hash, null).bytes);
    const reopen = async () => {
      await temp.store.close();
      temp = { ...temp, store: await temp.reopen({ clock: () => new Date(now++) }) };
    };
    await reopen();
    expect(await temp.store.retention.point(WS)).toMatchObject({ workspaceSeq: 5 });
    expect((await liveSeqs())[0]).toBe(6);
    expect(await verify()).toMatchObject({ ok: true, archived: 5 });

    // The next one torn (cut short): removed, its rows stay live.
    const next = await temp.store.context.read((q) => q.all<ArchivedRow>(`SELECT ${EVENT_COLUMNS}, hash_version FROM journal_event WHERE workspace_seq <= 10 ORDER BY workspace_seq`));
    const whole = encodeSegment(next, next[0]!.prev_hash, segments()[0] ? readSegment(segments()[0]!).sha256 : null).bytes;
    writeFileSync(`${dir}/${segmentName(6, 10)}`, whole.subarray(0, whole.length - 9));
    await reopen();
    expect(segments().map((f) => f.name)).toEqual([segmentName(1, 5)]);
    expect((await liveSeqs())[0]).toBe(6);
    expect(await verify()).toMatchObject({ ok: true, archived: 5 });
    // A file reaching past the head (kept from before a restore of an older backup) is left alone.
    writeFileSync(`${dir}/${segmentName(90, 94)}`, whole);
    expect((await temp.store.retention.recover()).kept).toEqual([segmentName(90, 94)]);
    rmSync(`${dir}/${segmentName(90, 94)}`);
    // And the next run picks up from there.
    await temp.store.retention.retain({ now: new Date(T0 + 31 * DAY), keepDays: 7, keepEvents: 1 });
    expect(await verify()).toMatchObject({ ok: true, archived: 16 });
  });
});
