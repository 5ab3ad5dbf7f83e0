import { CairnError } from '../errors/cairn-error.js';
import { checkValue } from '../common/check-value.js';
import { LIMITS } from '../common/limits.js';
import { CadnHeader, CaupHeader } from './transfer-schemas.js';

/** The four ASCII bytes that open an upload chunk frame (client to gateway). */
export const UPLOAD_FRAME_MAGIC = 'CAUP';
/** The four ASCII bytes that open a download chunk frame (gateway to client). */
export const DOWNLOAD_FRAME_MAGIC = 'CADN';
/** `magic(4) | header length u32 BE(4)`: the fixed prefix of every binary frame. */
export const FRAME_PREFIX_BYTES = 8;

/** Why a binary frame was refused: `details.reason` of its `invalid_frame` error. */
export type FrameErrorReason =
  | 'truncated_prefix'
  | 'bad_magic'
  | 'oversize_header'
  | 'truncated_header'
  | 'bad_header_json'
  | 'bad_header'
  | 'length_mismatch';

/** A decoded frame: the magic, the header as parsed JSON (not yet checked against a schema) and the payload (a view, not a copy). */
export interface DecodedFrame {
  magic: string;
  header: unknown;
  payload: Uint8Array;
}

export interface DecodeOptions {
  /** Largest header accepted, bytes (default `LIMITS.transfer.frameHeaderMaxBytes`). */
  maxHeaderBytes?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function frameError(reason: FrameErrorReason, message: string, extra: Record<string, unknown> = {}): CairnError {
  return new CairnError('invalid_frame', message, { details: { reason, ...extra } });
}

/**
 * Encodes one binary frame: `magic | header length (u32 BE) | header (UTF-8 JSON) | payload`.
 * Works on `Uint8Array` only (no `Buffer`), so browsers can use it. `magic` must be four ASCII
 * characters. The payload is copied once into the frame.
 */
export function encodeFrame(magic: string, header: unknown, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (!/^[\x20-\x7e]{4}$/.test(magic)) throw new TypeError(`frame magic must be 4 ASCII characters, got ${JSON.stringify(magic)}`);
  const headerBytes = encoder.encode(JSON.stringify(header));
  const frame = new Uint8Array(FRAME_PREFIX_BYTES + headerBytes.length + payload.length);
  for (let i = 0; i < 4; i++) frame[i] = magic.charCodeAt(i);
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(4, headerBytes.length, false);
  frame.set(headerBytes, FRAME_PREFIX_BYTES);
  frame.set(payload, FRAME_PREFIX_BYTES + headerBytes.length);
  return frame;
}

/** The magic of a frame, or undefined when it is shorter than four bytes. Cheap: callers route on it before decoding. */
export function frameMagic(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  return String.fromCharCode(bytes[0] as number, bytes[1] as number, bytes[2] as number, bytes[3] as number);
}

/**
 * Splits one binary frame into magic, header JSON and payload. Throws `CairnError('invalid_frame')`
 * with `details.reason`: `truncated_prefix` (under 8 bytes), `oversize_header` (declared header
 * larger than the limit), `truncated_header` (fewer bytes than the header length says),
 * `bad_header_json` (not UTF-8 JSON). The magic is not checked here (see `decodeUploadFrame`).
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeOptions = {}): DecodedFrame {
  const maxHeader = options.maxHeaderBytes ?? LIMITS.transfer.frameHeaderMaxBytes;
  if (bytes.length < FRAME_PREFIX_BYTES) throw frameError('truncated_prefix', `a binary frame needs at least ${FRAME_PREFIX_BYTES} bytes, got ${bytes.length}`);
  const magic = frameMagic(bytes) as string;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  if (headerLength > maxHeader) {
    throw frameError('oversize_header', `the frame header declares ${headerLength} bytes; at most ${maxHeader}`, { header_bytes: headerLength, limit: maxHeader });
  }
  if (FRAME_PREFIX_BYTES + headerLength > bytes.length) {
    throw frameError('truncated_header', `the frame header declares ${headerLength} bytes but the frame holds ${bytes.length - FRAME_PREFIX_BYTES}`, {
      header_bytes: headerLength,
      available: bytes.length - FRAME_PREFIX_BYTES,
    });
  }
  let header: unknown;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(FRAME_PREFIX_BYTES, FRAME_PREFIX_BYTES + headerLength)));
  } catch {
    throw frameError('bad_header_json', 'the frame header is not UTF-8 JSON');
  }
  return { magic, header, payload: bytes.subarray(FRAME_PREFIX_BYTES + headerLength) };
}

function decodeTyped<H extends { len: number }>(bytes: Uint8Array, magic: string, schema: typeof CaupHeader | typeof CadnHeader, options: DecodeOptions) {
  const actual = frameMagic(bytes);
  if (actual !== magic) throw frameError('bad_magic', `expected a ${magic} frame`, { magic: actual === undefined ? null : actual.replace(/[^\x20-\x7e]/g, '?') });
  const frame = decodeFrame(bytes, options);
  const checked = checkValue(schema, frame.header);
  if (!checked.ok) throw frameError('bad_header', `the ${magic} header does not match its schema`, { issues: checked.issues });
  const header = checked.value as unknown as H;
  if (header.len !== frame.payload.length) {
    throw frameError('length_mismatch', `the ${magic} header says len ${header.len} but the payload holds ${frame.payload.length} bytes`, {
      len: header.len,
      payload_bytes: frame.payload.length,
    });
  }
  return { header, payload: frame.payload };
}

/** Decodes and checks a `CAUP` frame: magic, header schema, `len` equal to the payload length (each failure its own `invalid_frame` reason). */
export function decodeUploadFrame(bytes: Uint8Array, options: DecodeOptions = {}): { header: CaupHeader; payload: Uint8Array } {
  return decodeTyped<CaupHeader>(bytes, UPLOAD_FRAME_MAGIC, CaupHeader, options);
}

/** Decodes and checks a `CADN` frame the same way. */
export function decodeDownloadFrame(bytes: Uint8Array, options: DecodeOptions = {}): { header: CadnHeader; payload: Uint8Array } {
  return decodeTyped<CadnHeader>(bytes, DOWNLOAD_FRAME_MAGIC, CadnHeader, options);
}

/** Encodes a `CAUP` frame (`header.len` must equal the payload length; checked by the receiver). */
export function encodeUploadFrame(header: CaupHeader, payload: Uint8Array): Uint8Array {
  return encodeFrame(UPLOAD_FRAME_MAGIC, header, payload);
}

/** Encodes a `CADN` frame. */
export function encodeDownloadFrame(header: CadnHeader, payload: Uint8Array): Uint8Array {
  return encodeFrame(DOWNLOAD_FRAME_MAGIC, header, payload);
}
