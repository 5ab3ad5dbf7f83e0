import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { extractText, getDocumentProxy } from 'unpdf';
import { summarizeJson } from './json-summary.js';
import { PROJECTION_LIMITS, type ProjectionKindName, type ProjectionOutcome, type Projector } from './projection-types.js';
import { readPrefix } from './read-prefix.js';
import { cutUtf8 } from './utf8-cut.js';

/** A version that does not qualify: the reason (and a detail) as the row's error text; only `ready` carries content. */
const skipped = (reason: string, detail: Record<string, unknown> = {}): ProjectionOutcome => ({
  status: 'skipped',
  error: Object.keys(detail).length === 0 ? reason : `${reason}: ${JSON.stringify(detail)}`,
});

/**
 * `plain_text`: the first 256 KB as UTF-8, cut on a character boundary. Reads 3 bytes past the
 * limit so that a character straddling the cut is seen whole and dropped, never split.
 */
export const plainText: Projector = async (source, blobs) => {
  const limit = PROJECTION_LIMITS.plainTextBytes;
  const prefix = await readPrefix(blobs, source, limit + 3);
  const cut = cutUtf8(prefix, limit, source.size_bytes <= limit);
  if (cut === undefined) return skipped('not_utf8');
  return { status: 'ready', text: cut.text, summary: { truncated: cut.truncated, bytes: cut.bytes } };
};

/**
 * `thumbnail`: a PNG at most 256 px on its longer edge, stored as a blob of the same
 * workspace. The source is streamed into sharp (libvips) with a pixel limit, so a
 * decompression bomb fails instead of exhausting memory.
 */
export const thumbnail: Projector = async (source, blobs) => {
  if (source.size_bytes > PROJECTION_LIMITS.thumbnailSourceBytes) return skipped('too_large', { limit: PROJECTION_LIMITS.thumbnailSourceBytes });
  const edge = PROJECTION_LIMITS.thumbnailEdge;
  const pipeline = sharp({ limitInputPixels: PROJECTION_LIMITS.thumbnailInputPixels, failOn: 'error' });
  const metadata = pipeline.clone().metadata();
  const out = pipeline.clone().rotate().resize(edge, edge, { fit: 'inside', withoutEnlargement: true }).png().toBuffer({ resolveWithObject: true });
  (await blobs.open(source.workspace_id, source.sha256)).pipe(pipeline);
  const [meta, { data, info }] = await Promise.all([metadata, out]);
  const put = await blobs.put(source.workspace_id, data);
  return {
    status: 'ready',
    blob_sha256: put.sha256,
    blob_size_bytes: put.size_bytes,
    summary: { mime_type: 'image/png', width: info.width, height: info.height, size_bytes: data.byteLength, source_width: meta.width, source_height: meta.height, source_format: meta.format },
  };
};

/**
 * `json_summary`: the shape of a JSON file (types, keys, array lengths), bounded in depth and
 * keys. Memory is bounded by refusing (`skipped`) files over 8 MB before reading them.
 */
export const jsonSummary: Projector = async (source, blobs) => {
  if (source.size_bytes > PROJECTION_LIMITS.jsonSummarySourceBytes) return skipped('too_large', { limit: PROJECTION_LIMITS.jsonSummarySourceBytes });
  const bytes = await buffer(await blobs.open(source.workspace_id, source.sha256));
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return skipped('not_json', { message: (error as Error).message.slice(0, 200) });
  }
  return { status: 'ready', summary: summarizeJson(value) as unknown as Record<string, unknown> };
};

/** `pdf_text`: the text of every page (unpdf's PDF.js build), cut at 256 KB on a character boundary. */
export const pdfText: Projector = async (source, blobs) => {
  if (source.size_bytes > PROJECTION_LIMITS.pdfSourceBytes) return skipped('too_large', { limit: PROJECTION_LIMITS.pdfSourceBytes });
  const bytes = await buffer(await blobs.open(source.workspace_id, source.sha256));
  const pdf = await getDocumentProxy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { verbosity: 0 });
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: true });
    const cut = cutUtf8(Buffer.from(text, 'utf8'), PROJECTION_LIMITS.pdfTextBytes, true)!;
    return { status: 'ready', text: cut.text, summary: { pages: totalPages, truncated: cut.truncated } };
  } finally {
    await pdf.loadingTask.destroy();
  }
};

/** Every projection kind and the function that computes it. */
export const PROJECTORS: Readonly<Record<ProjectionKindName, Projector>> = Object.freeze({
  plain_text: plainText,
  thumbnail,
  json_summary: jsonSummary,
  pdf_text: pdfText,
});
