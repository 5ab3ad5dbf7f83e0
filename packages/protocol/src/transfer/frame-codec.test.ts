import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { hasErrorCode } from '../errors/cairn-error.js';
import { LIMITS } from '../common/limits.js';
import { METHODS } from '../methods/registry.js';
import { DIRECT_NOTIFICATIONS, NOTIFICATIONS } from '../notifications/notifications.js';
import { decodeDownloadFrame, decodeFrame, decodeUploadFrame, encodeDownloadFrame, encodeFrame, encodeUploadFrame, frameMagic } from './frame-codec.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function reasonOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    if (!hasErrorCode(error, 'invalid_frame')) throw error;
    return error.details?.reason;
  }
  throw new Error('expected invalid_frame');
}

describe('binary frame codec', () => {
  const payload = new Uint8Array([1, 2, 3, 250]);
  const header = { upload_id: 'up_1', offset: 10, len: 4, chunk_sha256: sha(payload) };

  it('round-trips a CAUP frame: magic, big-endian header length, JSON header, payload', () => {
    const frame = encodeUploadFrame(header, payload);
    expect(frameMagic(frame)).toBe('CAUP');
    const headerLength = new DataView(frame.buffer).getUint32(4, false);
    expect(new TextDecoder().decode(frame.subarray(8, 8 + headerLength))).toBe(JSON.stringify(header));
    expect(frame.length).toBe(8 + headerLength + payload.length);
    const decoded = decodeUploadFrame(frame);
    expect(decoded.header).toEqual(header);
    expect([...decoded.payload]).toEqual([...payload]);
  });

  it('round-trips a CADN frame, including an empty final one', () => {
    const empty = new Uint8Array(0);
    const h = { download_id: 'dn_1', artifact_id: 'a1', version_id: 'v1', offset: 0, len: 0, total_size_bytes: 0, chunk_sha256: sha(empty), final_chunk: true };
    const decoded = decodeDownloadFrame(encodeDownloadFrame(h, empty));
    expect(decoded.header).toEqual(h);
    expect(decoded.payload.length).toBe(0);
  });

  it('refuses each malformed frame with its own reason', () => {
    const good = encodeUploadFrame(header, payload);
    expect(reasonOf(() => decodeFrame(good.subarray(0, 6)))).toBe('truncated_prefix');
    expect(reasonOf(() => decodeUploadFrame(good.subarray(0, 20)))).toBe('truncated_header');
    const badMagic = good.slice();
    badMagic[0] = 'X'.charCodeAt(0);
    expect(reasonOf(() => decodeUploadFrame(badMagic))).toBe('bad_magic');
    expect(reasonOf(() => decodeUploadFrame(encodeDownloadFrame({ ...header } as never, payload)))).toBe('bad_magic');
    const oversize = good.slice();
    new DataView(oversize.buffer).setUint32(4, LIMITS.transfer.frameHeaderMaxBytes + 1, false);
    expect(reasonOf(() => decodeUploadFrame(oversize))).toBe('oversize_header');
    expect(reasonOf(() => decodeUploadFrame(encodeFrame('CAUP', 'not an object', payload)))).toBe('bad_header');
    expect(reasonOf(() => decodeUploadFrame(encodeFrame('CAUP', { ...header, extra: 1 }, payload)))).toBe('bad_header');
    expect(reasonOf(() => decodeUploadFrame(encodeUploadFrame({ ...header, len: 5 }, payload)))).toBe('length_mismatch');
    const notJson = encodeFrame('CAUP', 12345, payload);
    notJson[8] = 0xff;
    expect(reasonOf(() => decodeUploadFrame(notJson))).toBe('bad_header_json');
  });

  it('refuses a magic that is not four ASCII characters when encoding', () => {
    expect(() => encodeFrame('CAU', {})).toThrow(TypeError);
  });
});

describe('transfer methods and notification', () => {
  it('are registered: the seven methods and the one direct notification', () => {
    for (const name of ['start', 'status', 'finish', 'abort']) expect(Object.hasOwn(METHODS, `artifact/upload/${name}`)).toBe(true);
    for (const name of ['start', 'finish', 'abort']) expect(Object.hasOwn(METHODS, `artifact/download/${name}`)).toBe(true);
    expect(Object.hasOwn(NOTIFICATIONS, 'artifact/upload/chunk_ack')).toBe(true);
    expect(Object.keys(DIRECT_NOTIFICATIONS)).toEqual(['artifact/upload/chunk_ack']);
  });

  it('keeps the limits coherent: recommended chunk 256 KiB, maximum 1 MiB', () => {
    expect(LIMITS.transfer.chunkRecommendedBytes).toBe(256 * 1024);
    expect(LIMITS.transfer.chunkMaxBytes).toBe(1024 * 1024);
    expect(LIMITS.transfer.chunkMinBytes).toBeLessThan(LIMITS.transfer.chunkRecommendedBytes);
  });
});
