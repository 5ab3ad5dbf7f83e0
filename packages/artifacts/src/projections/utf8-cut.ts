/**
 * Decodes at most `maxBytes` of UTF-8 from `bytes`, cutting before a character that would
 * not fit whole: the cut backs up over continuation bytes (10xxxxxx), so the text never ends
 * in a broken multibyte sequence. `undefined` when the bytes are not valid UTF-8.
 * `complete`: the caller passed the whole file (so only a cut makes it truncated).
 */
export function cutUtf8(bytes: Uint8Array, maxBytes: number, complete: boolean): { text: string; truncated: boolean; bytes: number } | undefined {
  let end = Math.min(bytes.byteLength, maxBytes);
  const cut = end < bytes.byteLength;
  if (cut) {
    // Back up at most 3 bytes: the start of a UTF-8 sequence is never a continuation byte.
    let back = 0;
    while (back < 4 && end > 0 && (bytes[end]! & 0xc0) === 0x80) {
      end--;
      back++;
    }
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes.subarray(0, end));
    return { text, truncated: cut || !complete, bytes: end };
  } catch {
    return undefined;
  }
}
