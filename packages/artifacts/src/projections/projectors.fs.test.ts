import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { LocalArtifactBlobStore } from '../blobs/local-blob-store.js';
import { imageOf, minimalPdf } from '../testing/fixtures.js';
import { tempDir } from '../testing/temp-dir.js';
import { projectionKindsFor } from './media-types.js';
import { PROJECTORS } from './projectors.js';
import { PROJECTION_LIMITS, type ProjectionSource } from './projection-types.js';
import { cutUtf8 } from './utf8-cut.js';

let dir: ReturnType<typeof tempDir>;
let blobs: LocalArtifactBlobStore;
beforeAll(() => {
  dir = tempDir();
  blobs = new LocalArtifactBlobStore({ root: join(dir.path, 'artifacts') });
});
afterAll(() => dir.remove());

async function stored(bytes: Buffer, mime_type: string, name: string): Promise<ProjectionSource> {
  const put = await blobs.put('ws_p', bytes);
  return { workspace_id: 'ws_p', sha256: put.sha256, size_bytes: put.size_bytes, mime_type, name };
}

describe('plain_text', () => {
  const LIMIT = PROJECTION_LIMITS.plainTextBytes;

  it('returns a small text file whole', async () => {
    const out = await PROJECTORS.plain_text(await stored(Buffer.from('grüße, 世界\n'), 'text/plain', 'a.txt'), blobs);
    expect(out).toEqual({ status: 'ready', text: 'grüße, 世界\n', summary: { truncated: false, bytes: Buffer.byteLength('grüße, 世界\n') } });
  });

  it.each([1, 2, 3])('cuts before a 4-byte character that straddles 256 KB by %i byte(s), never splitting it', async (inside) => {
    // The emoji (4 bytes) starts `inside` bytes before the limit: it cannot fit, so the text ends right before it.
    const head = Buffer.alloc(LIMIT - inside, 'a');
    const bytes = Buffer.concat([head, Buffer.from('😀tail')]);
    const out = await PROJECTORS.plain_text(await stored(bytes, 'text/plain', 'cut.txt'), blobs);
    expect(out.status).toBe('ready');
    expect(out.text).toBe(head.toString());
    expect(out.summary).toEqual({ truncated: true, bytes: LIMIT - inside });
  });

  it('keeps a multibyte character that ends exactly at 256 KB', async () => {
    const head = Buffer.alloc(LIMIT - 3, 'b');
    const bytes = Buffer.concat([head, Buffer.from('€'), Buffer.from('more')]);
    const out = await PROJECTORS.plain_text(await stored(bytes, 'text/plain', 'exact.txt'), blobs);
    expect(Buffer.byteLength(out.text!)).toBe(LIMIT);
    expect(out.text!.endsWith('b€')).toBe(true);
  });

  it('skips bytes that are not UTF-8', async () => {
    const out = await PROJECTORS.plain_text(await stored(Buffer.from([0x66, 0xff, 0xfe, 0x00]), 'text/plain', 'bin.txt'), blobs);
    expect(out).toMatchObject({ status: 'skipped', error: 'not_utf8' });
  });

  it('cutUtf8 reports invalid input and never ends in a continuation byte', () => {
    expect(cutUtf8(Buffer.from([0xc3]), 10, true)).toBeUndefined();
    expect(cutUtf8(Buffer.from('éé'), 3, true)).toEqual({ text: 'é', truncated: true, bytes: 2 });
  });
});

describe('thumbnail', () => {
  it.each(['png', 'jpeg'] as const)('makes a PNG of at most 256 px from a real %s, stored as a blob', async (format) => {
    const source = await stored(await imageOf(format, 640, 400), `image/${format}`, `pic.${format}`);
    const out = await PROJECTORS.thumbnail(source, blobs);
    expect(out.status).toBe('ready');
    expect(out.summary).toMatchObject({ mime_type: 'image/png', width: 256, height: 160, source_width: 640, source_height: 400, source_format: format });
    const png = await buffer(await blobs.open('ws_p', out.blob_sha256!, { verify: true }));
    expect(createHash('sha256').update(png).digest('hex')).toBe(out.blob_sha256);
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 160]);
  });

  it('fails (never throws past the runner) on bytes that are not an image', async () => {
    const source = await stored(Buffer.from('not an image at all'), 'image/png', 'fake.png');
    await expect(PROJECTORS.thumbnail(source, blobs)).rejects.toThrow();
  });
});

describe('json_summary', () => {
  it('summarises the shape of a real JSON file', async () => {
    const doc = { name: 'cairn', version: 3, tags: ['a', 'b'], nested: { ok: true, none: null, list: [{ id: 1 }, { id: 2 }] } };
    const out = await PROJECTORS.json_summary(await stored(Buffer.from(JSON.stringify(doc)), 'application/json', 'doc.json'), blobs);
    expect(out).toEqual({
      status: 'ready',
      summary: {
        type: 'object',
        key_count: 4,
        keys: {
          name: { type: 'string' },
          version: { type: 'number' },
          tags: { type: 'array', length: 2, item_types: ['string'] },
          nested: {
            type: 'object',
            key_count: 3,
            keys: { ok: { type: 'boolean' }, none: { type: 'null' }, list: { type: 'array', length: 2, item_types: ['object'], items: { type: 'object', key_count: 1, keys: { id: { type: 'number' } } } } },
          },
        },
      },
    });
  });

  // Four levels (the root, deep, a, b); below that only the type, and the parent says truncated.
  it('bounds depth and keys', async () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const deep = { a: { b: { c: { d: { e: 1 } } } } };
    const out = await PROJECTORS.json_summary(await stored(Buffer.from(JSON.stringify({ wide, deep })), 'application/json', 'big.json'), blobs);
    const keys = (out.summary as { keys: Record<string, { key_count: number; keys: Record<string, unknown>; truncated?: true }> }).keys;
    expect(keys['wide']!.key_count).toBe(100);
    expect(Object.keys(keys['wide']!.keys)).toHaveLength(64);
    expect(keys['wide']!.truncated).toBe(true);
    expect(JSON.stringify(keys['deep'])).toBe('{"type":"object","key_count":1,"keys":{"a":{"type":"object","key_count":1,"keys":{"b":{"type":"object","key_count":1,"keys":{"c":{"type":"object"}},"truncated":true}}}}}');
  });

  it('skips a file that is not JSON', async () => {
    const out = await PROJECTORS.json_summary(await stored(Buffer.from('{"a": '), 'application/json', 'broken.json'), blobs);
    expect(out).toEqual({ status: 'skipped', error: expect.stringMatching(/^not_json: .*JSON/) });
  });
});

describe('pdf_text', () => {
  it('extracts the text of a real PDF', async () => {
    const out = await PROJECTORS.pdf_text(await stored(minimalPdf(['Quarterly report', 'Revenue grew (a lot).']), 'application/pdf', 'r.pdf'), blobs);
    expect(out.status).toBe('ready');
    expect(out.text).toContain('Quarterly report');
    expect(out.text).toContain('Revenue grew (a lot).');
    expect(out.summary).toEqual({ pages: 1, truncated: false });
  });

  it('rejects bytes that are not a PDF', async () => {
    await expect(PROJECTORS.pdf_text(await stored(Buffer.from('%PDF-nope'), 'application/pdf', 'x.pdf'), blobs)).rejects.toThrow();
  });
});

describe('projectionKindsFor', () => {
  it.each([
    ['text/plain', 'a.txt', ['plain_text']],
    ['application/json', 'a.json', ['plain_text', 'json_summary']],
    ['image/png', 'a.png', ['thumbnail']],
    ['image/jpeg', 'a.jpg', ['thumbnail']],
    ['image/svg+xml', 'a.svg', ['plain_text']],
    ['application/pdf', 'a.pdf', ['pdf_text']],
    ['application/zip', 'a.zip', []],
  ])('%s %s → %j', (mime_type, name, kinds) => {
    expect(projectionKindsFor({ mime_type, name })).toEqual(kinds);
  });
});
